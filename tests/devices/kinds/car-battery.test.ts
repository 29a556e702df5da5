import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carBattery, CarBatteryParams, ocv, resistance, type CarBatteryState } from '../../../devices/kinds/car-battery.js';
import type { CommandBody, EventBody, ReadingsOf } from '../../../devices/kinds/model.js';
import { drillParams } from '../../../devices/simulator/drills.js';

const at = (h: number, m: number, day = 15) => Date.UTC(2020, 0, day, h, m);
type R = ReadingsOf<'car-battery'>;
interface Sample {
  t: number;
  r: R;
  noticeable: boolean;
  events: EventBody[];
}

/** Runs 1-s steps from `from` to `to`, applying commands at their times. */
function simulate(raw: unknown, from: number, to: number, commands: Array<{ t: number; cmd: CommandBody }> = [], seed = 1) {
  let s: CarBatteryState = carBattery.init(CarBatteryParams.parse(raw), seed, from);
  const out: Sample[] = [];
  const results: Array<{ ok: boolean; code?: string }> = [];
  for (let t = from + 1000; t <= to; t += 1000) {
    for (const c of commands.filter((x) => x.t === t - 1000)) {
      const res = carBattery.command(s, c.cmd, t - 1000);
      s = res.state;
      results.push({ ok: res.ok, ...(res.code ? { code: res.code } : {}) });
    }
    const r = carBattery.step(s, 1, t);
    s = r.state;
    out.push({ t, r: r.readings, noticeable: carBattery.noticeable(s), events: r.events });
  }
  return { out, state: s, results };
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)]!;
};

function traceStats() {
  const rows = readFileSync(new URL('../../../data/car-obd-commute.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number))
    .map(([, run, speed, rpm, , v]) => ({ run: run!, speed: speed!, rpm: rpm!, v: v! }));
  const rest = rows.filter((r) => r.rpm === 0).slice(0, 5);
  const restV = rest.reduce((sum, r) => sum + r.v, 0) / rest.length;
  const crankV = Math.min(...rows.map((r) => r.v));
  const driving = rows.filter((r) => r.speed > 0).map((r) => r.v);
  return { restV, crankV, drivingMedian: median(driving), drivingMin: Math.min(...driving), drivingMax: Math.max(...driving) };
}

describe('car-battery: calibration against the real OBD trace', () => {
  const trace = traceStats();
  const { out } = simulate({ trips: [{ start: at(18, 10), end: at(18, 42) }] }, at(18, 0), at(18, 45));

  it('reads the trace as expected', () => {
    expect(trace.restV).toBeCloseTo(12.32, 1);
    expect(trace.crankV).toBeCloseTo(10.33, 2);
    expect(trace.drivingMedian).toBeGreaterThan(13.5);
    expect(trace.drivingMedian).toBeLessThan(14.4);
  });

  it('rests at the trace voltage before the start', () => {
    const rest = out.filter((x) => x.t < at(18, 10)).map((x) => x.r.voltageV);
    expect(Math.abs(median(rest) - trace.restV)).toBeLessThan(0.1);
    expect(Math.abs(ocv(0.62) - 12.32)).toBeLessThan(0.1);
  });

  it('dips to the trace cranking voltage at engine start', () => {
    const crank = Math.min(...out.map((x) => x.r.voltageV));
    expect(Math.abs(crank - trace.crankV)).toBeLessThan(0.3);
    const crankSamples = out.filter((x) => x.r.currentA <= -150);
    expect(crankSamples).toHaveLength(2); // crankDurationS 2
  });

  it('sits at 13.5–14.4 V while driving, charging the battery', () => {
    const driving = out.filter((x) => x.r.engineRunning);
    expect(driving.length).toBeGreaterThan(30 * 60);
    for (const x of driving) {
      expect(x.r.voltageV).toBeGreaterThanOrEqual(13.5);
      expect(x.r.voltageV).toBeLessThanOrEqual(14.4);
      expect(x.r.currentA).toBeGreaterThan(0);
      expect(x.r.loadA).toBe(40);
    }
    expect(Math.abs(median(driving.map((x) => x.r.voltageV)) - trace.drivingMedian)).toBeLessThan(0.5);
    const speeds = driving.slice(120).map((x) => x.r.speedKmh);
    expect(median(speeds)).toBeGreaterThan(38);
    expect(median(speeds)).toBeLessThan(52);
  });

  it('emits trip events at the boundaries', () => {
    const events = out.flatMap((x) => x.events.map((e) => ({ t: x.t, e })));
    expect(events).toEqual([
      { t: at(18, 10), e: { type: 'trip', state: 'started' } },
      // the crank as one event when it ends, with its lowest voltage: seen whatever the telemetry interval
      { t: at(18, 10) + 3000, e: { type: 'crank', minVoltageV: expect.closeTo(trace.crankV, 0) as number, restVoltageV: expect.closeTo(trace.restV, 0) as number, currentA: -160, temperatureC: 8, durationMs: 2000 } },
      { t: at(18, 42), e: { type: 'trip', state: 'ended' } },
    ]);
    const crank = events[1]!.e as Extract<EventBody, { type: 'crank' }>;
    expect(crank.minVoltageV).toBeCloseTo(Math.min(...out.map((x) => x.r.voltageV)), 1);
    expect(out.filter((x) => x.t > at(18, 42)).every((x) => !x.r.engineRunning && x.r.speedKmh === 0)).toBe(true);
  });
});

describe('car-battery: failing alternator story', () => {
  const trips = [{ start: at(18, 10), end: at(19, 25) }];
  const fault = at(18, 40);
  const raw = { trips, faults: [{ kind: 'failing-alternator', at: fault }] };

  it('discharges at 25–30 A while driving and becomes noticeable 25–60 min after the fault', () => {
    const { out } = simulate(raw, at(18, 0), at(19, 30));
    const after = out.filter((x) => x.t > fault + 5000 && x.r.engineRunning);
    for (const x of after) {
      expect(x.r.currentA).toBeLessThanOrEqual(-25);
      expect(x.r.currentA).toBeGreaterThanOrEqual(-30);
    }
    const first = out.find((x) => x.noticeable);
    expect(first).toBeDefined();
    const minutes = (first!.t - fault) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(25);
    expect(minutes).toBeLessThanOrEqual(60);
    // the voltage falls below the resting voltage while driving
    expect(after.at(-1)!.r.voltageV).toBeLessThan(12.3);
  });

  it('with the battery saver on 2 min after the fault, the battery charges again and it never becomes noticeable', () => {
    const cmd: CommandBody = { commandId: 'c-saver', action: 'battery-saver', on: true };
    const { out, results } = simulate(raw, at(18, 0), at(19, 25), [{ t: fault + 120_000, cmd }]);
    expect(results).toEqual([{ ok: true }]);
    const later = out.filter((x) => x.t > fault + 121_000 && x.r.engineRunning);
    expect(later.length).toBeGreaterThan(40 * 60);
    for (const x of later) {
      expect(x.r.currentA).toBeGreaterThanOrEqual(0);
      expect(x.r.batterySaver).toBe(true);
      expect(x.r.loadA).toBe(9);
    }
    expect(out.some((x) => x.noticeable)).toBe(false);
  });

  it('a healthy day with two trips never becomes noticeable', () => {
    const day = { trips: [{ start: at(7, 30), end: at(8, 10) }, { start: at(18, 10), end: at(19, 25) }] };
    let s = carBattery.init(CarBatteryParams.parse(day), 3, at(0, 0));
    let starts = 0;
    for (let t = at(0, 0) + 10_000; t <= at(0, 0, 16); t += 10_000) {
      const r = carBattery.step(s, 10, t); // coarse steps work too
      s = r.state;
      starts += r.events.filter((e) => e.type === 'trip' && e.state === 'started').length;
      expect(carBattery.noticeable(s)).toBe(false);
    }
    expect(starts).toBe(2);
    expect(s.soc).toBeGreaterThan(0.62);
  });
});

describe('car-battery: parasitic drain and weak cell', () => {
  const raw = { faults: [{ kind: 'parasitic-drain', at: at(20, 0) }] };

  it('drains the parked battery overnight, and switching the consumer off stops it', () => {
    const { out, state } = simulate(raw, at(19, 0), at(7, 0, 16));
    const before = out.find((x) => x.t === at(19, 30))!.r;
    const night = out.find((x) => x.t === at(3, 0, 16))!.r;
    expect(before.currentA).toBeCloseTo(-0.03, 2);
    expect(night.currentA).toBeCloseTo(-1.53, 2);
    expect(night.voltageV).toBeLessThan(before.voltageV - 0.1);
    expect(state.soc).toBeLessThan(0.62 - (1.5 * 10.5) / 60);

    const off = carBattery.command(state, { commandId: 'c1', action: 'switch-off-consumer', consumer: 'aftermarket-dashcam' }, at(7, 0, 16));
    expect(off.ok).toBe(true);
    const r = carBattery.step(off.state, 1, at(7, 0, 16) + 1000);
    expect(r.readings.currentA).toBeCloseTo(-0.03, 2);
  });

  it('rejects switching off an unknown consumer', () => {
    const s = carBattery.init(CarBatteryParams.parse(raw), 1, at(21, 0));
    const res = carBattery.command(s, { commandId: 'c2', action: 'switch-off-consumer', consumer: 'seat-heater' }, at(21, 0));
    expect(res).toMatchObject({ ok: false, code: 'EVN_ERR_NO_SUCH_CONSUMER' });
    // before the fault starts there is no such consumer either
    const early = carBattery.init(CarBatteryParams.parse(raw), 1, at(19, 0));
    expect(carBattery.command(early, { commandId: 'c3', action: 'switch-off-consumer', consumer: 'aftermarket-dashcam' }, at(19, 0)).ok).toBe(false);
  });

  it('a weak cell given overDays 0 makes the battery unable to crank at once', () => {
    const s0 = carBattery.init(CarBatteryParams.parse({ faults: [{ kind: 'weak-cell', at: at(12, 0), overDays: 0 }] }), 1, at(11, 0));
    expect(carBattery.noticeable(s0)).toBe(false);
    const s1 = carBattery.step(s0, 1, at(12, 0) + 1000).state;
    expect(carBattery.noticeable(s1)).toBe(true);
  });

  it('a weak cell degrades gradually: its resistance rises steadily over overDays (was a step: always noticed before any crank showed it)', () => {
    const weak = (over: Record<string, unknown>) => CarBatteryParams.parse({ faults: [{ kind: 'weak-cell', at: at(12, 0), ...over }] });
    expect(CarBatteryParams.parse({ faults: [{ kind: 'weak-cell', at: at(12, 0) }] }).faults[0]).toMatchObject({ overDays: 14 });
    const s = carBattery.init(weak({ overDays: 4 }), 1, at(11, 0));
    const r0 = resistance(s, at(11, 0));
    const r = (days: number) => resistance(s, at(12, 0) + days * 86_400_000) / r0;
    expect(r(0)).toBeCloseTo(1, 6);
    expect(r(1)).toBeCloseTo(1.5, 6);
    expect(r(2)).toBeCloseTo(2, 6);
    expect(r(4)).toBeCloseTo(3, 6);
    expect(r(9)).toBeCloseTo(3, 6);
    // noticed only once cranking would fall below crankMinV, a day or more after it began
    const s1 = carBattery.step(s, 1, at(12, 0) + 3_600_000).state;
    expect(carBattery.noticeable(s1)).toBe(false);
  });

  it("the board's weak-cell drill still shows a deep crank at +2 min (the fault's default now degrades over 14 days)", () => {
    const { out } = simulate(drillParams('car-battery', 'weak-cell', at(12, 0)), at(12, 0), at(12, 5));
    const crank = out.flatMap((x) => x.events).find((e) => e.type === 'crank');
    expect(crank).toBeDefined();
    expect(crank!.type === 'crank' && crank!.minVoltageV).toBeLessThan(8);
  });

  it('keeps the last displayed message', () => {
    const s = carBattery.init(CarBatteryParams.parse({}), 1, at(12, 0));
    const res = carBattery.command(s, { commandId: 'c4', action: 'display-message', ticketId: 't-1', text: 'Please check your battery' }, at(12, 0));
    expect(res.ok).toBe(true);
    expect(res.state.message).toBe('Please check your battery');
  });
});
