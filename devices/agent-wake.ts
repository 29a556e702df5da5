/**
 * When a resting device agent's next tick must reach it (DeviceAgent.wakeAt): pure arithmetic over its
 * rest. A fleet's host skips a device until then (scenarios/engine/tick-schedule.ts); a tick to an earlier
 * time would only count steps that publish nothing.
 */

/**
 * The end of the first step a tick takes after a rest: the steps its rest counts (RestWatch.skip) end at
 * the rest's end (`restsUntil`) or before `due`, its next message, and the one after them is taken.
 * From `lastT`, its own time, in whole steps of `stepMs`. Infinity: at rest with nothing due, ever.
 */
export function stepAfterRest(restsUntil: number, due: number, lastT: number, stepMs: number): number {
  const limit = Math.min(restsUntil, due - 1);
  if (limit === Infinity || limit === -Infinity) return limit;
  return lastT + Math.max(0, Math.floor((limit - lastT) / stepMs)) * stepMs + stepMs;
}
