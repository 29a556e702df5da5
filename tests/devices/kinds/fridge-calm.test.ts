/**
 * A fridge's long step with nothing in it but the thermostat takes a short way (fridge-span.ts:
 * `calmUntil`): the door, the insulation and the faults as the piece before found them. It must give the
 * bits the general loop gives. Each day here runs twice from the same seed: once as the model does, once
 * with what was found calm forgotten before every step; readings, events and state must agree exactly.
 */
import { describe, expect, it } from 'vitest';
import { fridge, FridgeParams, type FridgeState } from '../../../devices/kinds/fridge.js';
import type { CommandBody } from '../../../devices/kinds/model.js';

const T0 = Date.UTC(2020, 10, 2, 23, 0);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const UNKNOWN = -Number.MAX_VALUE;

function day(raw: unknown, dtS: number, forget: boolean, commands: Array<{ at: number; cmd: CommandBody }> = []) {
  let s: FridgeState = fridge.init(FridgeParams.parse(raw), 5, T0);
  const out: unknown[] = [];
  let calm = 0;
  for (let t = T0 + dtS * 1000; t <= T0 + 24 * H; t += dtS * 1000) {
    for (const c of commands) {
      if (c.at <= t - dtS * 1000 || c.at > t) continue;
      const res = fridge.command(s, c.cmd, t - dtS * 1000);
      expect(res.ok).toBe(true);
      s = res.state;
    }
    if (forget) s.calmUntil = UNKNOWN;
    else if (t < s.calmUntil) calm++;
    const r = fridge.stepOwned(s, dtS, t);
    s = r.state;
    out.push({ t, readings: r.readings, events: r.events, eventTimes: r.eventTimes });
  }
  return { out, state: { ...s, calmUntil: 0, calmUaWK: 0, calmBroken: false }, calm };
}

describe("fridge: the calm short way gives the general loop's bits", () => {
  const cases: Array<[string, unknown, Array<{ at: number; cmd: CommandBody }>?]> = [
    ['random openings', { randomDoorOpeningsPerDay: 30 }],
    [
      'openings, a take-out, a worn seal, the door ajar, a failed compressor, a setpoint changed',
      {
        randomDoorOpeningsPerDay: 12,
        doorOpenings: [{ at: T0 + 8 * H, durationS: 45 }, { at: T0 + 18 * H + 3 * S, durationS: 30 }],
        inventory: [{ name: 'milk', quantity: 2, unit: 'l' }],
        takeOut: [{ at: T0 + 9 * H + 12_345, name: 'milk', quantity: 1 }],
        faults: [
          { kind: 'worn-seal', at: T0 + 6 * H + 500, uaFactor: 1.8 },
          { kind: 'door-ajar', at: T0 + 12 * H + 7 * S, leakFactor: 3 },
          { kind: 'compressor-failure', at: T0 + 20 * H + 30 * S },
        ],
      },
      [{ at: T0 + 3 * H + 10 * S, cmd: { action: 'set-setpoint', celsius: 6 } as CommandBody }],
    ],
    ['nothing but the thermostat', {}],
  ];
  it.each(cases)('%s', (_name, raw, commands) => {
    for (const dtS of [60, 300]) {
      const kept = day(raw, dtS, false, commands);
      const general = day(raw, dtS, true, commands);
      expect(kept.out).toEqual(general.out);
      expect(kept.state).toEqual(general.state);
      // the short way was taken: most steps of a day
      expect(kept.calm).toBeGreaterThan(kept.out.length / 2);
    }
  });
});
