import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fridge, FridgeParams, type FridgeState } from '../../../devices/kinds/fridge.js';
import type { EventBody, ReadingsOf } from '../../../devices/kinds/model.js';

const T0 = Date.UTC(2020, 0, 15);
const H = 3_600_000;
type R = ReadingsOf<'fridge'>;

function simulate(raw: unknown, hours: number, seed = 7, dtS = 1) {
  let s: FridgeState = fridge.init(FridgeParams.parse(raw), seed, T0);
  const readings: R[] = [];
  const events: Array<{ t: number; e: EventBody }> = [];
  let firstNoticeable: number | null = null;
  for (let t = T0 + dtS * 1000; t <= T0 + hours * H; t += dtS * 1000) {
    const r = fridge.step(s, dtS, t);
    s = r.state;
    readings.push(r.readings);
    for (const e of r.events) events.push({ t, e });
    if (firstNoticeable === null && fridge.noticeable(s)) firstNoticeable = t;
  }
  return { readings, events, state: s, firstNoticeable };
}

/** Duty, starts and run lengths from a sequence of on/off samples `binS` seconds apart. */
function cycleStats(on: boolean[], binS: number) {
  const runs: number[] = [];
  let cur = 0;
  for (const x of on) {
    if (x) cur++;
    else if (cur) {
      runs.push(cur * binS);
      cur = 0;
    }
  }
  if (cur) runs.push(cur * binS);
  const whole = runs.length > 2 ? runs.slice(1, -1) : runs; // the first and last run may be cut by the window
  const meanRunMin = whole.reduce((a, b) => a + b, 0) / whole.length / 60;
  return { duty: on.filter(Boolean).length / on.length, starts: runs.length, meanRunMin };
}

describe('fridge: calibration against the real day trace', () => {
  const csv = readFileSync(new URL('../../../data/fridge-day.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[1]));
  const real = cycleStats(
    csv.map((w) => w > 20),
    10,
  );
  const { readings, firstNoticeable } = simulate({}, 24);
  const model = cycleStats(
    readings.map((r) => r.compressorOn),
    1,
  );

  it('reads the trace as documented', () => {
    expect(real.duty).toBeGreaterThan(0.17);
    expect(real.duty).toBeLessThan(0.19);
    expect(real.starts).toBe(34);
    expect(real.meanRunMin).toBeGreaterThan(7.3);
    expect(real.meanRunMin).toBeLessThan(7.9);
  });

  it('healthy, door shut: same duty cycle, run length and starts per day as the trace', () => {
    expect(Math.abs(model.duty - real.duty)).toBeLessThan(0.015);
    expect(Math.abs(model.meanRunMin - real.meanRunMin)).toBeLessThan(0.5);
    expect(Math.abs(model.starts - real.starts)).toBeLessThanOrEqual(2);
  });

  it('draws ~64 W while running with a start-up spike, 0 W between runs', () => {
    const on = readings.filter((r) => r.compressorOn).map((r) => r.powerW);
    expect(Math.max(...on)).toBeGreaterThan(270);
    const sorted = [...on].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeCloseTo(64, 0);
    expect(readings.filter((r) => !r.compressorOn).every((r) => r.powerW === 0)).toBe(true);
    const kWh = readings.reduce((sum, r) => sum + r.powerW, 0) / 3.6e6;
    expect(kWh).toBeGreaterThan(0.26);
    expect(kWh).toBeLessThan(0.31);
  });

  it('holds the cabinet between setpoint ± h/2 and never gets noticeable', () => {
    const temps = readings.map((r) => r.cabinetTempC);
    // ±0.5 K hysteresis plus σ 0.05 K sensor noise
    expect(Math.min(...temps)).toBeGreaterThan(3.2);
    expect(Math.max(...temps)).toBeLessThan(4.8);
    expect(firstNoticeable).toBeNull();
  });
});

describe('fridge: faults', () => {
  const duty = (readings: R[]) => readings.filter((r) => r.compressorOn).length / readings.length;

  it('compressor failure: the cabinet warms past 8 °C within a few hours and becomes noticeable', () => {
    const at = T0 + 2 * H;
    const { readings, firstNoticeable } = simulate({ faults: [{ kind: 'compressor-failure', at }] }, 10);
    expect(firstNoticeable).not.toBeNull();
    expect(firstNoticeable! - at).toBeLessThan(4 * H);
    expect(firstNoticeable! - at).toBeGreaterThan(1 * H);
    expect(readings.slice(2 * 3600 + 10).every((r) => !r.compressorOn && r.powerW === 0)).toBe(true);
    expect(readings.at(-1)!.cabinetTempC).toBeGreaterThan(8);
  });

  it('worn seal: the duty cycle rises', () => {
    const healthy = duty(simulate({}, 12).readings);
    const worn = simulate({ faults: [{ kind: 'worn-seal', at: T0 }] }, 12);
    expect(duty(worn.readings)).toBeGreaterThan(healthy * 1.5);
    expect(worn.firstNoticeable).toBeNull();
  });

  it('door ajar: the duty cycle rises while the door sensor reads closed', () => {
    const healthy = duty(simulate({}, 12).readings);
    const ajar = simulate({ faults: [{ kind: 'door-ajar', at: T0 }] }, 12);
    expect(duty(ajar.readings)).toBeGreaterThan(healthy * 2.5);
    expect(ajar.readings.every((r) => !r.doorOpen)).toBe(true);
  });

  it('door openings show on the sensor and warm the cabinet', () => {
    const opening = { at: T0 + H, durationS: 120 };
    const { readings } = simulate({ doorOpenings: [opening] }, 2);
    const open = readings.filter((r) => r.doorOpen);
    expect(open).toHaveLength(120);
    const shut = simulate({}, 2).readings;
    const i = 3600 + 120;
    expect(readings[i]!.cabinetTempC).toBeGreaterThan(shut[i]!.cabinetTempC);
  });

  it('random door openings are seeded: same seed same openings, different seeds differ', () => {
    const raw = { randomDoorOpeningsPerDay: 20 };
    const pattern = (seed: number) =>
      simulate(raw, 24, seed, 10)
        .readings.map((r) => (r.doorOpen ? '1' : '0'))
        .join('');
    const a = pattern(1);
    expect(a).toBe(pattern(1));
    expect(a).not.toBe(pattern(2));
    const openings = (a.match(/01/g) ?? []).length;
    expect(openings).toBeGreaterThan(8);
    expect(openings).toBeLessThan(40);
    // none between 23:00 and 07:00 local (UTC+1): 22:00–06:00 UTC, i.e. samples 0..2160 and 7920..8640 at 10 s
    expect(a.slice(0, 6 * 360).includes('1')).toBe(false);
    expect(a.slice(22 * 360 + 1).includes('1')).toBe(false);
  });
});

describe('fridge: inventory and commands', () => {
  const inventory = [
    { name: 'Milk', quantity: 1000, unit: 'ml' },
    { name: 'Egg', quantity: 6, unit: 'pcs' },
  ];

  it('reports the inventory at the first step and when the door closes after a change', () => {
    const { events } = simulate({ inventory, takeOut: [{ at: T0 + H, name: 'Egg', quantity: 2 }, { at: T0 + H + 5000, name: 'Milk', quantity: 1000 }] }, 2);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ t: T0 + 1000, e: { type: 'inventory', items: inventory } });
    expect(events[1]!.t).toBeGreaterThan(T0 + H + 5000); // after the door closed
    expect(events[1]!.e).toEqual({ type: 'inventory', items: [{ name: 'Egg', quantity: 4, unit: 'pcs' }] });
  });

  it('report-inventory answers with an inventory event; set-setpoint moves the setpoint', () => {
    const s = fridge.init(FridgeParams.parse({ inventory }), 1, T0);
    const rep = fridge.command(s, { commandId: 'c1', action: 'report-inventory' }, T0);
    expect(rep.ok).toBe(true);
    expect(rep.events).toEqual([{ type: 'inventory', items: inventory }]);
    const set = fridge.command(s, { commandId: 'c2', action: 'set-setpoint', celsius: 6 }, T0);
    expect(set.ok).toBe(true);
    expect(fridge.step(set.state, 1, T0 + 1000).readings.setpointC).toBe(6);
    expect(fridge.command(s, { commandId: 'c3', action: 'set-setpoint', celsius: -18 }, T0)).toMatchObject({ ok: false, code: 'EVN_ERR_OUT_OF_RANGE' });
    expect(fridge.command(s, { commandId: 'c4', action: 'display-message', ticketId: 't', text: 'hi' }, T0).state.message).toBe('hi');
  });
});
