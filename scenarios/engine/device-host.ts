/**
 * A device host: the simulated devices of one slice of a scenario (one agent and one MQTT connection
 * each), moved window by window. The replay runner drives one host in its own process (a household,
 * a small fleet) or several in processes of their own (remote-host.ts, host-main.ts), with the same
 * calls: the devices cannot tell, so the report is the same on one process or many.
 *
 * A window: first every device gets the commands the helpdesk sent it at the end of the previous
 * window (`sent`: cumulative counts of the devices that got new ones), then every device that is up
 * runs to the window's end (outage drills take devices down and up on the way).
 */
import type { Logger } from 'pino';
import { deviceKey, partitionOf } from '../../contracts/index.js';
import { createAgent, type Agent, type AgentOptions } from '../../devices/agent.js';
import { agentTelemetryOptions } from '../telemetry-options.js';
import { KINDS } from '../../devices/kinds/index.js';
import type { LoadedDevice, LoadedScenario } from '../load.js';
import { createOutages } from '../outages.js';
import { createMessageTrace, type MessageTraceWriter } from './message-trace.js';
import { deviceSeed } from './seed.js';

/** a pipelined replay's device carries out its commands this long after the window's start (docs/fleets.md#pipelined-windows) */
export const PIPELINED_COMMAND_AFTER_MS = 1;

export interface DeviceHostOptions {
  scenario: LoadedScenario;
  /** the replay's seed (the scenario's, or --seed) */
  seed: number;
  /** the devices of this host, a slice of scenario.devices */
  devices: readonly LoadedDevice[];
  /** the broker each customer's devices connect to (the same for all, or the customer's shard) */
  brokerUrlOf: (customerId: string) => string;
  /** the nodes of a broker cluster (a NATS cluster's MQTT listeners): each device fails over to the others */
  failoverUrls?: readonly string[];
  /** end-to-end acknowledgements (AgentOptions.acks): a replay over a NATS cluster; default off */
  acks?: AgentOptions['acks'];
  log: Logger;
  /** how many devices connect at the same time at start (default 100) */
  connectConcurrency?: number;
  /** write which device published how many messages in each window to this file (message-trace.ts; bench `fleet`) */
  traceFile?: string;
}

/** what a host has done so far, cumulative */
export interface HostProgress {
  /** messages meant for the helpdesk: the devices' own and the last wills of devices taken down */
  toHelpdesk: number;
  /** commands that reached the devices */
  commandsReceived: number;
}

/**
 * Messages sent to each partition so far: all of them, and of them what connections said (announce,
 * availability: contracts saidByConnection). A connection says its hello when it is made again, whenever
 * that is; a partition counts the two apart, so a hello that arrives before it is counted cannot stand
 * in for a window's telemetry.
 */
export interface PartitionCounts {
  all: number[];
  said: number[];
}

export const noCounts = (partitions: number): PartitionCounts => ({ all: new Array<number>(partitions).fill(0), said: new Array<number>(partitions).fill(0) });

/** adds n messages to partition p's counts, `said` of them said by a connection */
export function addCount(to: PartitionCounts, p: number, n: number, said: number): void {
  to.all[p]! += n;
  to.said[p]! += said;
}

export interface DeviceHost {
  start(): Promise<void>;
  /** commands in, then every device that is up to `to`; `sent`: cumulative command counts by device key, for the devices that got new ones */
  advance(from: number, to: number, sent: Iterable<readonly [string, number]>): Promise<HostProgress>;
  /** the last commands in, nothing moves (after the last window) */
  settle(sent: Iterable<readonly [string, number]>): Promise<HostProgress>;
  progress(): HostProgress;
  /**
   * toHelpdesk split by partition (contracts/partition.ts, by customer): a replay over a NATS cluster
   * tells each partition how many messages it has been sent (docs/scale.md); hosts in this process only
   */
  toHelpdeskBy?(partitions: number): PartitionCounts;
  stop(): Promise<void>;
}

export function createDeviceHost(options: DeviceHostOptions): DeviceHost {
  const { scenario: loaded, log } = options;
  const s = loaded.scenario;
  /** what the agents have published and received between them, counted as they go: progress() reads it every window */
  const tally = { published: 0, commandsReceived: 0 };
  /** the time the host moved its devices to: a device it skipped (engine/tick-schedule.ts) catches up to it before it speaks */
  const movedTo = { at: -Infinity };
  const agents = options.devices.map((d) =>
    createAgent({
      customerId: d.customerId, deviceId: d.id, model: KINDS[d.kind], params: d.params,
      seed: deviceSeed(options.seed, d.customerId, d.id), brokerUrl: options.brokerUrlOf(d.customerId), startAt: loaded.startMs, log,
      ...(options.failoverUrls ? { failoverUrls: options.failoverUrls } : {}),
      ...(options.acks ? { acks: options.acks } : {}),
      ...agentTelemetryOptions(loaded), announce: { name: d.name }, tally, movedTo, lookAhead: true,
    }),
  );
  // a replay's device applies only the commands the runner counted for it (release): in a pipelined replay the
  // helpdesk decides while the devices move, so a command that comes early waits for its window, and what it
  // sets off is stamped a millisecond into that window, after the one the helpdesk is deciding
  const afterMs = s.pipeline ? PIPELINED_COMMAND_AFTER_MS : 0;
  for (const a of agents) a.release(0, afterMs);
  const byKey = new Map(agents.map((a) => [deviceKey(a.customerId, a.deviceId), a]));
  const mine = new Set(byKey.keys());
  const outages = createOutages(s.outages.filter((o) => mine.has(deviceKey(o.customer, o.device))), agents, movedTo);
  /** commands the helpdesk has sent each device so far (only devices that got any) */
  const sentTo = new Map<Agent, number>();
  let wills = 0;
  /** last wills by customer */
  const willsOf = new Map<string, number>();
  const onWill = (a: Agent): void => void willsOf.set(a.customerId, (willsOf.get(a.customerId) ?? 0) + 1);

  async function receive(sent: Iterable<readonly [string, number]>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [key, n] of sent) {
      const a = byKey.get(key);
      if (!a) continue;
      sentTo.set(a, n);
      outages.commanded(a);
      const expected = outages.expectedCommands(a, n);
      a.release(expected, afterMs);
      waits.push(a.commandsReceived(expected));
    }
    await Promise.all(waits);
  }

  const progress = (): HostProgress => ({ toHelpdesk: wills + tally.published, commandsReceived: tally.commandsReceived });
  /** once all have connected and said hello (options.traceFile) */
  let trace: MessageTraceWriter | null = null;

  return {
    async start() {
      const width = options.connectConcurrency ?? 100;
      for (let i = 0; i < agents.length; i += width) await Promise.all(agents.slice(i, i + width).map((a) => a.start()));
      if (options.traceFile) trace = createMessageTrace(options.traceFile, agents);
    },
    async advance(from, to, sent) {
      await receive(sent);
      wills += await outages.advance(from, to, (a) => sentTo.get(a) ?? 0, onWill);
      trace?.window();
      return progress();
    },
    async settle(sent) {
      await receive(sent);
      trace?.window();
      return progress();
    },
    progress,
    toHelpdeskBy(partitions) {
      const by = noCounts(partitions);
      for (const a of agents) {
        const published = a.count('published');
        // what it published besides its model's telemetry and events: its hellos and goodbye
        addCount(by, partitionOf(a.customerId, partitions), published, published - a.count('telemetry') - a.count('events'));
      }
      for (const [c, n] of willsOf) addCount(by, partitionOf(c, partitions), n, n);
      return by;
    },
    async stop() {
      trace?.close();
      trace = null;
      for (const a of agents) await a.stop().catch((e: Error) => log.warn({ deviceId: a.deviceId, err: e.message }, 'device stop failed'));
    },
  };
}
