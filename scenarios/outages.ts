/**
 * The outage drill of a replay (scenario `outages`): moves every device to the end of a window,
 * taking a device down and bringing it back at the event times the scenario says.
 *
 * - 'offline': the device runs to `from`, then its connection drops without goodbye, so the broker
 *   publishes its last will; at `to` it connects again (announce, "online") and carries on from there,
 *   skipping the time in between.
 * - 'silent': the device runs to `from`, then stays connected but is not moved (it sends nothing); at
 *   `to` it restarts: its connection drops (last will) and it connects again at once.
 *
 * A last will reaches the helpdesk but is not among the agent's own messages: `advance` returns how
 * many the runner should add to what the helpdesk must have received. Commands sent to a device whose
 * connection was down are lost (a clean session), so the runner waits only for the ones it can get.
 */
import { deviceKey } from '../contracts/index.js';
import type { Agent } from '../devices/agent.js';
import type { Outage } from './schema.js';
import { createTickSchedule } from './engine/tick-schedule.js';

interface Boundary {
  at: number;
  agent: Agent;
  what: 'down' | 'up';
  mode: Outage['mode'];
}

/** wall ms at least between a device's connection dropped by an outage and its new one */
const RESTART_PAUSE_MS = 500;

/**
 * `movedTo`: the time the devices were moved to, the object every agent was given (AgentOptions.movedTo):
 * only the devices whose time has come are ticked (engine/tick-schedule.ts).
 */
export function createOutages(outages: readonly Outage[], agents: readonly Agent[], movedTo: { at: number } = { at: -Infinity }) {
  const byKey = new Map(agents.map((a) => [deviceKey(a.customerId, a.deviceId), a]));
  const boundaries: Boundary[] = outages
    .flatMap((o) => {
      const agent = byKey.get(deviceKey(o.customer, o.device))!;
      return [
        { at: Date.parse(o.from), agent, what: 'down' as const, mode: o.mode },
        { at: Date.parse(o.to), agent, what: 'up' as const, mode: o.mode },
      ];
    })
    .sort((a, b) => a.at - b.at || (a.what === 'up' ? -1 : 1));
  /** agents not moved now: their connection dropped ('offline') or they hang ('silent') */
  const down = new Map<Agent, Outage['mode']>();
  /** wall time (performance.now) each agent's connection was dropped, until it connects again */
  const killedAt = new Map<Agent, number>();
  /** commands each agent will never receive (sent while its connection was down) */
  const lost = new Map<Agent, number>();
  const schedule = createTickSchedule(agents, movedTo);
  const isDown = (a: Agent): boolean => down.size !== 0 && down.has(a);

  return {
    /**
     * Moves every device that is up to event time `to`, with the outages that begin or end after
     * `from`; `sent(agent)` is how many commands the helpdesk has sent it so far. Returns the last
     * wills the helpdesk will receive on top of the agents' own messages.
     */
    async advance(from: number, to: number, sent: (a: Agent) => number, onWill?: (a: Agent) => void): Promise<number> {
      let wills = 0;
      for (const b of boundaries) {
        if (b.at <= from || b.at > to) continue;
        // skipped or not, it is ticked again from now on
        schedule.wake(b.agent);
        if (b.what === 'down') {
          b.agent.tick(b.at);
          // what it sent up to the outage reaches the broker before the plug is pulled
          await b.agent.drained();
          if (b.mode === 'offline') {
            await b.agent.kill();
            wills++;
            onWill?.(b.agent);
            killedAt.set(b.agent, performance.now());
          }
          down.set(b.agent, b.mode);
          continue;
        }
        if (b.mode === 'silent') {
          await b.agent.drained();
          await b.agent.kill();
          wills++;
          onWill?.(b.agent);
          killedAt.set(b.agent, performance.now());
        }
        // a restart takes a moment: connected again at once, the same client id can reach the broker
        // before it has seen the old connection drop, and nats-server 2.9 then takes the session over
        // without publishing the will the runner counted (a cluster replay stalled so, 1 run in 4 under load)
        const pause = (killedAt.get(b.agent) ?? -Infinity) + RESTART_PAUSE_MS - performance.now();
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
        killedAt.delete(b.agent);
        // what was sent while it could not hear is gone; it hears again from now on
        lost.set(b.agent, sent(b.agent) - b.agent.stats().commandsReceived);
        await b.agent.start(b.at);
        down.delete(b.agent);
      }
      schedule.tick(to, isDown);
      return wills;
    },
    /**
     * Commands are about to be released to `a`: a device the windows skipped catches up to the time the
     * devices were moved to, where they apply, and is ticked in the next window (one that is down is not moved).
     */
    commanded(a: Agent): void {
      if (!isDown(a) && movedTo.at !== -Infinity) a.catchUp(movedTo.at);
      schedule.wake(a);
    },
    /** how many commands the runner may wait for `a` to have received, of the `sent` so far */
    expectedCommands(a: Agent, sent: number): number {
      return down.get(a) === 'offline' ? a.stats().commandsReceived : sent - (lost.get(a) ?? 0);
    },
  };
}
