/**
 * A parked car's long steps take a short way (car-battery-span.ts: `parkedUntil`): one parked piece,
 * without a look at the trips and faults. It must give the bits the general loop gives. Each day here
 * runs twice from the same seed: once as the model does, once with the cache forgotten before every step
 * (so every step takes the general loop); readings, events and state must agree exactly.
 */
import { describe, it } from 'vitest';
import { carBattery, CarBatteryParams, type CarBatteryState } from '../../../devices/kinds/car-battery.js';
import type { CommandBody, KindModel } from '../../../devices/kinds/model.js';
import { expectShortWayExact, type ShortWay } from '../../helpers/model-day.js';

const T0 = Date.UTC(2020, 10, 2, 23, 0);
const MIN = 60_000;
const H = 60 * MIN;

const model = carBattery as unknown as KindModel<never, unknown, CarBatteryState>;
const parked: ShortWay<CarBatteryState> = {
  forget: (s) => void (s.parkedUntil = -Number.MAX_VALUE),
  taken: (s, t) => s.crank === null && t < s.parkedUntil,
  strip: (s) => ({ ...s, parkedUntil: 0 }),
};

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
  it.each(cases)('%s', (_name, raw, commands) =>
    expectShortWayExact(model, () => carBattery.init(CarBatteryParams.parse(raw), 11, T0), parked, { from: T0, to: T0 + 24 * H, commands }),
  );
});
