/**
 * The counterfactual behind a fault's noticeableAt receives the helpdesk's own commands up to the
 * fault: the washer planned for 02:52 runs at 02:52 in it too, so its heater fault is noticed
 * minutes after that start, not when the unplanned washer would have started on its own.
 */
import { describe, expect, it } from 'vitest';
import { washer } from '../../devices/kinds/washer.js';
import type { AnyKindModel } from '../../devices/kinds/index.js';
import { faultTruth } from '../../scenarios/ground-truth.js';

const at = (hhmm: string, day = '02'): number => Date.parse(`2020-11-${day}T${hhmm}:00+01:00`);
const START = at('20:00');
const PLANNED = at('02:52', '03');

const params = washer.params.parse({
  loads: [{ at: at('20:30'), programme: 'cotton-40', deadline: at('07:00', '03'), offerId: 'w-1' }],
  faults: [{ kind: 'heater-failure', at: at('01:00', '03') }],
});
const base = { customerId: 'maria', deviceId: 'washer', model: washer as AnyKindModel, params, seed: 7, startMs: START, horizonMs: at('20:00', '03') };

describe('the ground truth of a fault', () => {
  it('keys the fault by customer and device', () => {
    const [f] = faultTruth(base);
    expect(f).toMatchObject({ customerId: 'maria', deviceId: 'washer', kind: 'heater-failure', injectedAt: at('01:00', '03') });
  });

  it("runs the washer at the helpdesk's planned start, sent before the fault: the cold wash is noticed as that cycle ends", () => {
    const commands = [{ at: at('20:30') + 10_000, body: { action: 'schedule-start' as const, offerId: 'w-1', startAt: PLANNED, commandId: 'c-1' } }];
    const [f] = faultTruth({ ...base, commands });
    expect(f!.noticeableAt).not.toBeNull();
    expect(f!.noticeableAt!).toBeGreaterThan(PLANNED);
    // cotton-40 runs about two hours: the laundry comes out cold at 04:53
    expect(f!.noticeableAt!).toBe(at('04:53', '03') + 30_000);
    // without the plan the washer starts on its own only at its latest start, to end by the deadline
    const [unplanned] = faultTruth(base);
    expect(unplanned!.noticeableAt!).toBe(at('07:00', '03'));
  });

  it('leaves out commands sent after the fault: they are the help under test', () => {
    const late = [{ at: at('01:30', '03'), body: { action: 'schedule-start' as const, offerId: 'w-1', startAt: PLANNED, commandId: 'c-1' } }];
    expect(faultTruth({ ...base, commands: late })).toEqual(faultTruth(base));
  });
});
