/**
 * A fridge's long step with nothing in it but the thermostat takes a short way (fridge-span.ts:
 * `calmUntil`): the door, the insulation and the faults as the piece before found them. It must give the
 * bits the general loop gives. Each day here runs twice from the same seed: once as the model does, once
 * with what was found calm forgotten before every step; readings, events and state must agree exactly.
 */
import { describe, it } from 'vitest';
import { fridge, FridgeParams, type FridgeState } from '../../../devices/kinds/fridge.js';
import type { CommandBody, KindModel } from '../../../devices/kinds/model.js';
import { expectShortWayExact, type ShortWay } from '../../helpers/model-day.js';

const T0 = Date.UTC(2020, 10, 2, 23, 0);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

const model = fridge as unknown as KindModel<never, unknown, FridgeState>;
const calm: ShortWay<FridgeState> = {
  forget: (s) => void (s.calmUntil = -Number.MAX_VALUE),
  taken: (s, t) => t < s.calmUntil,
  strip: (s) => ({ ...s, calmUntil: 0, calmUaWK: 0, calmBroken: false }),
};

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
  it.each(cases)('%s', (_name, raw, commands) =>
    expectShortWayExact(model, () => fridge.init(FridgeParams.parse(raw), 5, T0), calm, { from: T0, to: T0 + 24 * H, commands }),
  );
});
