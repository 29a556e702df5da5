/**
 * Which of a host's devices a window must tick. Most of a fleet's devices are quiet in most windows: a
 * device whose state runs ahead of its time (devices/look-ahead.ts) or that rests until its next message
 * (devices/rest-watch.ts) would only count steps in a tick, and a later tick counts them as well
 * (`Agent.wakeAt`). So a window ticks the devices whose time has come and reads one number of each of the
 * others, in an array of its own, instead of calling into every device of the host: an idle device costs its
 * host a comparison a window, not a visit to its objects.
 *
 * A device is woken (ticked in the next window) when anything else reaches it: commands released to it
 * (caught up to the host's time first, so that they apply where they would have: scenarios/outages.ts), an
 * outage taking it down or up. What it says outside a tick (a reconnect's hello and will, its goodbye) is stamped after it caught
 * up to `movedTo`, the time the host moved its devices to, shared with every agent (AgentOptions.movedTo).
 * The messages and their times are those of ticking every device every window.
 */
import type { Agent } from '../../devices/agent.js';

export interface TickSchedule {
  /** the time the devices were moved to: given to every agent of the host (AgentOptions.movedTo) */
  readonly movedTo: { at: number };
  /** ticks to `to` every device in `agents`' order whose time has come, except those `skip` names */
  tick(to: number, skip?: (a: Agent) => boolean): void;
  /** `a` is ticked in the next window, whatever its wakeAt() said */
  wake(a: Agent): void;
}

export function createTickSchedule(agents: readonly Agent[], movedTo: { at: number }): TickSchedule {
  /** each device's wakeAt() after its last tick; -Infinity: ticked in every window */
  const wakeAt = new Float64Array(agents.length).fill(-Infinity);
  const indexOf = new Map(agents.map((a, i) => [a, i]));

  return {
    movedTo,
    tick(to, skip) {
      movedTo.at = to;
      for (let i = 0; i < agents.length; i++) {
        if (wakeAt[i]! > to) continue;
        const a = agents[i]!;
        if (skip !== undefined && skip(a)) continue;
        a.tick(to);
        wakeAt[i] = a.wakeAt();
      }
    },
    wake(a) {
      const i = indexOf.get(a);
      if (i !== undefined) wakeAt[i] = -Infinity;
    },
  };
}
