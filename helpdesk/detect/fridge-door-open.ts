/** Fridge: the door sensor reports the door open for more than 3 minutes. */
import { sustained } from './sustained.js';

export const FRIDGE_DOOR = { fireAfterS: 180, clearAfterS: 10 } as const;

export const fridgeDoorOpen = sustained({
  kind: 'fridge-door-open',
  deviceKind: 'fridge',
  needs: ['doorOpen'],
  metric: (r) => r.cabinetTempC,
  fireWhen: (r) => r.doorOpen,
  fireAfterS: FRIDGE_DOOR.fireAfterS,
  clearWhen: (r) => !r.doorOpen,
  clearAfterS: FRIDGE_DOOR.clearAfterS,
  severity: () => 'medium',
  fireEvidence: (r, w) => ({
    expected: `door closed again within ${FRIDGE_DOOR.fireAfterS / 60} min`,
    observed: `door open for ${w.seconds} s, cabinet ${r.cabinetTempC} °C`,
    since: w.since,
  }),
  clearEvidence: () => ({ expected: 'door closed', observed: 'door closed' }),
});
