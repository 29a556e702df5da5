/**
 * What a device agent is given (AgentOptions), what it counts (AgentStats), and how it reaches its
 * broker (the URL or a cluster's nodes as mqtt.js options; mqtt.js' own log off unless asked for).
 */
import type { Logger } from 'pino';
import type { AnnounceBody } from '../contracts/index.js';
import type { AnyKindModel } from './kinds/index.js';
import type { OutboxAckOptions } from './outbox/sender.js';
import type { OutboxStore } from './outbox/store.js';
/** What a device says of itself beyond its kind; every field has a default (see AgentOptions.announce). */
export interface AgentAnnounce {
  /** a name for people; default '<customerId>/<deviceId>' */
  name?: string;
  /** which of its kind's readings it really measures; default all of them (a simulated model) */
  measures?: readonly string[];
  /** extra readings it reports (telemetry `extra`); default none */
  extra?: readonly string[];
  /** default 'simulator' */
  source?: AnnounceBody['source'];
}

export interface AgentOptions {
  customerId: string;
  deviceId: string;
  model: AnyKindModel;
  params: unknown;
  seed: number;
  brokerUrl: string;
  /**
   * the other nodes of the broker's cluster (a NATS cluster's MQTT listeners, docs/scale.md): when the
   * connection is lost the device tries them in turn, its own first; default none
   */
  failoverUrls?: readonly string[];
  /** event time the model starts at (ms) */
  startAt: number;
  log: Logger;
  /** seconds between telemetry messages (default 1), when it reports periodically */
  telemetryEveryS?: number;
  /** model step in seconds (default 1): how often the device samples its sensors */
  stepS?: number;
  /**
   * periodic (the default): telemetry every telemetryEveryS. exception: at every step the device asks
   * devices/report-policy.ts whether the sample is worth a message (a reading past its deadband, a flag
   * changed, or heartbeatS since its last message); deadband overrides the kind's defaults by reading
   */
  report?: AgentReport;
  /** the device's own broker identity (username <customerId>/<deviceId>), when the broker requires one */
  credentials?: { username: string; password: string };
  /** where unacknowledged telemetry and events wait; default in memory. The caller owns (and closes) it. */
  outbox?: OutboxStore;
  /** most messages kept while the broker is away (default 10,000); when full the oldest is dropped and counted */
  outboxCapacity?: number;
  /** ms between reconnect attempts (mqtt.js reconnectPeriod, default 1000) */
  reconnectPeriodMs?: number;
  /**
   * ms a graceful stop waits for the broker to acknowledge the device's "offline" and what is in
   * flight (default 5000); then it lets go of the connection (the broker's last will says offline)
   */
  stopTimeoutMs?: number;
  /**
   * end-to-end acknowledgements (docs/scale.md#end-to-end-acknowledgements): the device announces
   * `acks`, subscribes to its `ack` topic (and to its commands) at QoS 0 and keeps every telemetry message and event until the
   * helpdesk confirms it, sending again what is not confirmed (on reconnect, or after resendAfterMs
   * without a confirmation). For a NATS cluster, whose MQTT PUBACK comes before its stream stores the
   * message. `qos: 0` sends at QoS 0 and counts on the confirmations alone (sender.ts OutboxAckOptions).
   * Default off: nothing more is kept, subscribed or sent
   */
  acks?: boolean | OutboxAckOptions;
  /**
   * what it announces at every connect (retained, the connection number as seq; reportEveryS is
   * telemetryEveryS, or the heartbeat when it reports by exception, with `report` saying so); default
   * a simulated model: all its kind's readings, no extra. false: no announce
   */
  announce?: AgentAnnounce | false;
  /**
   * a device that said nothing in its last step takes its coming steps at once, while its state is in the
   * processor's cache, up to the first that publishes, and sends that in its window (devices/look-ahead.ts):
   * the same messages at the same times, for a fleet's hosts. Only for a model whose steps depend on its
   * state alone (every simulated kind), not a board's; not with a model that rests. Default off
   */
  lookAhead?: boolean;
  /** counts summed over many agents as they go, in one object they share (a device host's progress every window) */
  tally?: AgentTally;
  /**
   * the event time its host has moved its devices to, in one object they share: a replay's device host calls a
   * device's `tick` only when its `wakeAt()` has come (scenarios/engine/tick-schedule.ts), so a device it
   * skipped catches up to this time (counting its steps, as those ticks would have) before it says anything
   * outside a tick: a reconnect's hello and will, its goodbye. Default: ticked every window, nothing to catch up
   */
  movedTo?: { at: number };
}

/** what agents sharing a tally have published and received between them */
export interface AgentTally {
  published: number;
  commandsReceived: number;
}

export type AgentReport = { mode: 'periodic' } | { mode: 'exception'; heartbeatS: number; deadband?: Record<string, number> };

export interface AgentStats {
  published: number;
  telemetry: number;
  events: number;
  /** commands received, each command id once (a repeat is counted in commandsRepeated) */
  commandsReceived: number;
  commandsRejected: number;
  /** commands whose id it had received already (QoS 1 may deliver twice; a helpdesk worker that took over sends again): not executed again */
  commandsRepeated: number;
  lastSeq: number;
  /** automatic reconnects after the connection dropped */
  reconnects: number;
}

/** mqtt.js `servers`: host and port of each URL, tried in turn on reconnect (the first first) */
export function serversOf(urls: readonly string[]): Array<{ host: string; port: number }> {
  return urls.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port || 1883) };
  });
}

export { mqttLog } from '../contracts/mqtt-log.js';

/**
 * A plain `mqtt://host:port` as mqtt.js options (host, port), any other URL as it is. Given a URL,
 * mqtt.js parses it into an options object and then deletes its `path`, which turns that object, the
 * client's options for its whole life, into a dictionary: ≈ 1.2 KB more a device in a fleet.
 */
export function brokerTarget(url: string): string | { protocol: 'mqtt'; host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.protocol !== 'mqtt:' || u.username || u.password || u.search || (u.pathname !== '' && u.pathname !== '/')) return url;
  return { protocol: 'mqtt', host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 1883) };
}

/** what a device says at a connect: its announce (null: none) and its "online", encoded */
export interface Hello {
  connection: number;
  announce: string | null;
  online: string;
}

/** resend periods without any confirmation of what a device with acks said at connect before it says so in its log (30 s at the default 5 s) */
export const UNCONFIRMED_WARN_PERIODS = 6;
