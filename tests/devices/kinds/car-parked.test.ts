/**
 * A parked car's long steps take a short way (car-battery-span.ts: `parkedUntil`): one parked piece,
 * without a look at the trips and faults. It must give the bits the general loop gives. Each day here
 * runs twice from the same seed: once as the model does, once with the cache forgotten before every step
 * (so every step takes the general loop); readings, events and state must agree exactly.
 */
import { describe, expect, it } from 'vitest';
import { carBattery, CarBatteryParams, type CarBatteryState } from '../../../devices/kinds/car-battery.js';
import type { CommandBody } from '../../../devices/kinds/model.js';

const T0 = Date.UTC(2020, 10, 2, 23, 0);
const MIN = 60_000;
const H = 60 * MIN;
const UNKNOWN = -Number.MAX_VALUE;

function day(raw: unknown, dtS: number, forget: boolean, commands: Array<{ at: number; cmd: CommandBody }> = []) {
  let s: CarBatteryState = carBattery.init(CarBatteryParams.parse(raw), 11, T0);
  const out: unknown[] = [];
  let short = 0;
  for (let t = T0 + dtS * 1000; t <= T0 + 24 * H; t += dtS * 1000) {
    for (const c of commands) {
      if (c.at <= t - dtS * 1000 || c.at > t) continue;
      const res = carBattery.command(s, c.cmd, t - dtS * 1000);
      expect(res.ok).toBe(true);
      s = res.state;
    }
    if (forget) s.parkedUntil = UNKNOWN;
    else if (s.crank === null && t < s.parkedUntil) short++;
    const r = carBattery.stepOwned(s, dtS, t);
    s = r.state;
    out.push({ t, readings: r.readings, events: r.events, eventTimes: r.eventTimes });
  }
  return { out, state: { ...s, parkedUntil: 0 }, short };
}

describe('car battery: the parked short way gives the general loop\'s bits', () => {
  const cases: Array<[string, unknown, Array<{ at: number; cmd: CommandBody }>?]> = [
    ['a commute, no fault', { trips: [{ start: T0 + 8 * H + 7_000, end: T0 + 8 * H + 40 * MIN }, { start: T0 + 18 * H, end: T0 + 19 * H }] }],
    [
      'a drain, a weak cell degrading and a failing alternator, a consumer switched off',
      {
        initialSoc: 0.55,
        trips: [{ start: T0 + 8 * H, end: T0 + 8 * H + 40 * MIN }, { start: T0 + 18 * H, end: T0 + 19 * H + 15 * MIN, speedKmh: 80 }],
        faults: [
          { kind: 'parasitic-drain', at: T0 + 2 * H + 30_500, currentA: 0.8, consumer: 'dashcam', circuit: 'accessory' },
          { kind: 'weak-cell', at: T0 + H, overDays: 2 },
          { kind: 'failing-alternator', at: T0 + 18 * H + 20 * MIN, outputA: 30 },
        ],
      },
      [{ at: T0 + 21 * H + 5 * MIN, cmd: { action: 'switch-off-consumer', consumer: 'dashcam' } as CommandBody }],
    ],
    ['parked all day', {}],
  ];
  it.each(cases)('%s', (_name, raw, commands) => {
    for (const dtS of [60, 300]) {
      const kept = day(raw, dtS, false, commands);
      const general = day(raw, dtS, true, commands);
      expect(kept.out).toEqual(general.out);
      expect(kept.state).toEqual(general.state);
      // the short way was taken: most of a parked day's steps
      expect(kept.short).toBeGreaterThan(kept.out.length / 2);
    }
  });
});
