import { describe, expect, it } from 'vitest';
import { stamp, type Telemetry } from '../../../contracts/index.js';
import { carBattery, CarBatteryParams } from '../../../devices/kinds/car-battery.js';
import { createDetection } from '../../../helpdesk/detect/detect.js';
import { BATTERY_WEAK, batteryWeak } from '../../../helpdesk/detect/battery-weak.js';
import type { Signal } from '../../../helpdesk/detect/detector.js';
import { car, feed, T0 } from './series.js';

const H = 3_600_000;
/** a commute a day at 07:30 and 17:30 for `days` days from T0's midnight */
const commutes = (days: number) =>
  Array.from({ length: days }, (_, d) => [7.5, 17.5].map((h) => {
    const start = Date.UTC(2020, 0, 15) + d * 24 * H + h * H;
    return { start, end: start + 30 * 60_000, speedKmh: 40 };
  })).flat();

/**
 * The car model at 1 Hz through the helpdesk's detection, as a device that sends telemetry every
 * `everyS` seconds and its events (cranks) as they happen; the battery-weak signals and the times the
 * customer would notice.
 */
function drive(raw: unknown, hours: number, everyS = 1, seed = 1) {
  const from = Date.UTC(2020, 0, 15);
  let s = carBattery.init(CarBatteryParams.parse(raw), seed, from);
  const detection = createDetection();
  const signals: Signal[] = [];
  let noticeableAt: number | null = null;
  let seq = 0;
  let cranks = 0;
  for (let ts = from + 1000, k = 1; ts <= from + hours * H; ts += 1000, k++) {
    const r = carBattery.step(s, 1, ts);
    s = r.state;
    if (noticeableAt === null && carBattery.noticeable(s)) noticeableAt = ts;
    for (const e of r.events) {
      if (e.type === 'crank') cranks++;
      signals.push(...detection.observeEvent('c/car', 'car-battery', ts, e));
    }
    if (k % everyS === 0) signals.push(...detection.observe('c/car', stamp({ kind: 'car-battery', readings: r.readings }, ts, ++seq) as Telemetry));
  }
  return { weak: signals.filter((x) => x.kind === 'battery-weak'), all: signals, noticeableAt, cranks };
}

describe('battery-weak on the car model', () => {
  it('a healthy battery cranking in the cold at a low charge is normal (−8 °C, 55 %: was a ticket at 9.75 V)', () => {
    const run = drive({ ambientC: -8, initialSoc: 0.55, trips: commutes(2) }, 48);
    expect(run.cranks).toBe(4);
    expect(run.all).toEqual([]);
  });

  it.each([
    ['−18 °C, 45 %', -18, 0.45],
    ['−10 °C, 50 %', -10, 0.5],
    ['38 °C, 62 %', 38, 0.62],
  ])('a healthy battery opens no ticket at %s', (_, ambientC, initialSoc) => {
    expect(drive({ ambientC, initialSoc, trips: commutes(2) }, 48).all).toEqual([]);
  });

  it('a weak cell degrading over days is caught at a crank before the customer notices', () => {
    const at = Date.UTC(2020, 0, 15, 9);
    const run = drive({ ambientC: 8, trips: commutes(8), faults: [{ kind: 'weak-cell', at, overDays: 6 }] }, 8 * 24);
    expect(run.weak[0]?.type).toBe('fire');
    expect(run.noticeableAt).not.toBeNull();
    expect(run.weak[0]!.at).toBeGreaterThan(at);
    expect(run.weak[0]!.at).toBeLessThan(run.noticeableAt!);
  });

  it('with telemetry every 60 s the crank still reaches the detector as an event', () => {
    const at = Date.UTC(2020, 0, 15, 9);
    const run = drive({ ambientC: 8, trips: commutes(3), faults: [{ kind: 'weak-cell', at, overDays: 0 }] }, 72, 60);
    expect(run.weak.map((x) => x.type)).toEqual(['fire']);
    expect(run.weak[0]!.at).toBe(Date.UTC(2020, 0, 15, 17, 30, 3));
  });
});

describe('battery-weak from telemetry alone (a device that sends no crank events)', () => {
  const rest = car({ engineRunning: false, speedKmh: 0, currentA: -0.03, voltageV: 12.3, temperatureC: 10 });
  const crank = (voltageV: number, temperatureC = 10) => car({ engineRunning: false, speedKmh: 0, currentA: -160, voltageV, temperatureC });
  const running = car({ engineRunning: true, speedKmh: 0, currentA: 20, voltageV: 14.1 });

  it('fires on a first crank far deeper than a battery dips at that temperature and charge', () => {
    const { emitted } = feed(batteryWeak, [rest, crank(7.5), crank(7.5), running]);
    expect(emitted.map((x) => x.signal.type)).toEqual(['fire']);
  });

  it('does not fire on a cold crank a healthy battery makes (9.75 V at −8 °C from a 55 % rest)', () => {
    const restCold = car({ engineRunning: false, speedKmh: 0, currentA: -0.03, voltageV: 12.28, temperatureC: -8 });
    expect(feed(batteryWeak, [restCold, crank(9.75, -8), crank(9.75, -8), running]).emitted).toEqual([]);
  });

  it('ignores telemetry cranks once the device sends crank events (no crank judged twice)', () => {
    const e = { type: 'crank' as const, minVoltageV: 10.3, restVoltageV: 12.3, currentA: -160, temperatureC: 10, durationMs: 2000 };
    let s = batteryWeak.init();
    s = batteryWeak.event!(s, T0, e).state;
    for (const r of [rest, crank(7.5), crank(7.5), running]) expect(batteryWeak.update(s, T0 + 5000, r).signal).toBeUndefined();
    expect(BATTERY_WEAK.ratio).toBeGreaterThan(1);
  });
});
