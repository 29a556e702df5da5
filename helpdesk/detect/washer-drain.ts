/**
 * Washer: water stays in the drum through a drain phase. A healthy pump empties the drum in a
 * minute or two; four minutes of draining (or a stop after draining) with water still in means
 * the drain is blocked.
 */
import { round } from '../../contracts/round.js';
import { sustained } from './sustained.js';

export const WASHER_DRAIN = { aboveL: 3, fireAfterS: 240, clearAfterS: 30 } as const;

export const washerDrain = sustained({
  kind: 'washer-drain',
  deviceKind: 'washer',
  needs: ['phase', 'waterLevelL'],
  metric: (r) => r.waterLevelL,
  fireWhen: (r) => (r.phase === 'drain' || r.phase === 'paused') && r.waterLevelL > WASHER_DRAIN.aboveL,
  fireAfterS: WASHER_DRAIN.fireAfterS,
  clearWhen: (r) => r.waterLevelL <= WASHER_DRAIN.aboveL,
  clearAfterS: WASHER_DRAIN.clearAfterS,
  severity: () => 'medium',
  fireEvidence: (r, w) => ({
    expected: `drum below ${WASHER_DRAIN.aboveL} L within ${WASHER_DRAIN.fireAfterS / 60} min of draining`,
    observed: `${round(w.first, 1)} -> ${round(r.waterLevelL, 1)} L over ${w.seconds} s in phase ${r.phase}`,
    since: w.since,
    waterLevelL: r.waterLevelL,
    thresholdL: WASHER_DRAIN.aboveL,
  }),
  clearEvidence: (r) => ({ expected: 'drum emptied', observed: `${round(r.waterLevelL, 1)} L` }),
});
