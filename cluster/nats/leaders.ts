/**
 * Keeps the leaders of `$MQTT_msgs` and `EVERNET` on different nodes (docs/scale.md, "Surprises of
 * nats-server 2.9.10"). When one node leads both, QoS 1 MQTT publishes are 3–5 times slower for the
 * cluster's whole life: the node stores each publish in `$MQTT_msgs` from the client's read loop and
 * the same message in `EVERNET` through the mapping, and does both streams' disk and replication work.
 * nats-server 2.9 has no preferred leader; a stream stepdown hands the leadership to another current
 * replica, so one stepdown of either stream parts them (retried in case an election goes astray).
 *
 * `$MQTT_msgs` is the one stepped down, `EVERNET` only when `$MQTT_msgs` has no replica to go to.
 * Measured with three clients publishing through three nodes while one stream was stepped down (a new
 * leader within about 0.36 s): a stepdown of `EVERNET` lost what reached it meanwhile (500–700 messages
 * the nodes had acknowledged, at QoS 1 and at QoS 0: the mapping feeds the stream after the device's
 * acknowledgement, so only devices with end-to-end acknowledgements get them in). A stepdown of
 * `$MQTT_msgs` lost nothing and QoS 0 publishes did not notice it; each client with a QoS 1 publish
 * under way waited about 4.2 s, was disconnected and resent it (one duplicate, which the helpdesk
 * drops by sequence). A delay and a reconnect, once a cluster's life, against silent loss.
 *
 * planLeaders is pure; keepLeadersApart looks once; createLeaderKeeper looks every few seconds (the MQTT
 * streams appear at the first MQTT connection, leaders move when a node restarts).
 */
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CLUSTER_ERR, type ClusterErrorCode } from './errors.js';
import { STREAM } from './subjects.js';

/** the server's stream of QoS 1 MQTT messages (made at the first MQTT connection) */
export const MQTT_MSGS = '$MQTT_msgs';

/** what planLeaders reads of a stream's info (`StreamInfo` has it); null: the stream does not exist */
export type StreamPlacement = { cluster?: { leader?: string; replicas?: readonly { name: string; current: boolean; offline?: boolean }[] } } | null;

export type LeaderPlan =
  | { action: 'none'; why: 'no-stream' | 'no-leader' | 'apart' | 'no-replica' }
  | { action: 'stepdown'; stream: string; leader: string };

const movable = (s: StreamPlacement): boolean => (s?.cluster?.replicas ?? []).some((r) => r.current && !r.offline);

/** what to do about the two streams' leaders: nothing, or step one down (`$MQTT_msgs` when it can move) */
export function planLeaders(evernet: StreamPlacement, mqttMsgs: StreamPlacement): LeaderPlan {
  if (!evernet || !mqttMsgs) return { action: 'none', why: 'no-stream' };
  const leader = evernet.cluster?.leader;
  const other = mqttMsgs.cluster?.leader;
  if (!leader || !other) return { action: 'none', why: 'no-leader' };
  if (leader !== other) return { action: 'none', why: 'apart' };
  if (movable(mqttMsgs)) return { action: 'stepdown', stream: MQTT_MSGS, leader };
  if (movable(evernet)) return { action: 'stepdown', stream: STREAM, leader };
  return { action: 'none', why: 'no-replica' };
}

export interface LeaderOptions {
  /** stepdowns at most per look; default 5 */
  maxTries?: number;
  /** how long to wait for a new leader after a stepdown (ms); default 10000 */
  electionTimeoutMs?: number;
  /** between looks at the stepped-down stream while it elects (ms); default 200 */
  pollMs?: number;
  /** each JetStream API request (ms); default 5000 */
  requestTimeoutMs?: number;
}

const DEFAULTS: Required<LeaderOptions> = { maxTries: 5, electionTimeoutMs: 10_000, pollMs: 200, requestTimeoutMs: 5000 };

export interface LeadersReport {
  /** the leaders at the last look (null: no stream, or no leader) */
  leaders: { evernet: string | null; mqttMsgs: string | null };
  /** what the last look decided */
  plan: LeaderPlan;
  /** stepdowns asked for, and of which stream */
  steppedDown: number;
  stream?: string;
  /** set when a look or a stepdown failed (EVN_ERR_CLUSTER_STREAM); the leaders may still be together */
  error?: { code: ClusterErrorCode; message: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function placement(jsm: JetStreamManager, name: string): Promise<StreamPlacement> {
  try {
    return await jsm.streams.info(name);
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound) return null;
    throw e;
  }
}

/** asks the stream's leader to step down; throws what the server answered */
async function stepDown(nc: NatsConnection, stream: string, timeout: number): Promise<void> {
  const m = await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, '', { timeout });
  const r = m.json<{ success?: boolean; error?: { description?: string; err_code?: number } }>();
  if (!r.success) throw new Error(`stepdown of ${stream} refused: ${r.error?.description ?? JSON.stringify(r)}`);
}

/** looks at both streams once and, while one node leads both, steps one down (up to maxTries). Never throws. */
export async function keepLeadersApart(nc: NatsConnection, options: LeaderOptions = {}): Promise<LeadersReport> {
  const o = { ...DEFAULTS, ...options };
  const report: LeadersReport = { leaders: { evernet: null, mqttMsgs: null }, plan: { action: 'none', why: 'no-stream' }, steppedDown: 0 };
  try {
    const jsm = await jetstreamManager(nc, { timeout: o.requestTimeoutMs });
    for (;;) {
      const [evernet, mqttMsgs] = await Promise.all([placement(jsm, STREAM), placement(jsm, MQTT_MSGS)]);
      report.leaders = { evernet: evernet?.cluster?.leader ?? null, mqttMsgs: mqttMsgs?.cluster?.leader ?? null };
      report.plan = planLeaders(evernet, mqttMsgs);
      if (report.plan.action === 'none' || report.steppedDown >= o.maxTries) return report;
      const { stream, leader } = report.plan;
      await stepDown(nc, stream, o.requestTimeoutMs);
      report.steppedDown++;
      report.stream = stream;
      // the stream elects: wait until it names a leader other than the one that stepped down
      const deadline = performance.now() + o.electionTimeoutMs;
      for (;;) {
        await sleep(o.pollMs);
        const now = await placement(jsm, stream).catch(() => null);
        const next = now?.cluster?.leader;
        if (next && next !== leader) break;
        if (performance.now() > deadline) throw new Error(`${stream} named no new leader within ${o.electionTimeoutMs} ms of a stepdown`);
      }
    }
  } catch (e) {
    report.error = { code: CLUSTER_ERR.STREAM, message: (e as Error).message };
    return report;
  }
}

export interface LeaderKeeperOptions extends LeaderOptions {
  /** between the end of a look and the next (ms); default 5000 */
  intervalMs?: number;
  /**
   * one look when started, none after (a replay: a stepdown while it runs would hold its QoS 1
   * publishers for seconds, and its cluster is the one it started on); default false
   */
  once?: boolean;
  log: Logger;
}

export interface LeaderKeeper {
  /** looks now, then every intervalMs (a keeper that runs already goes on as it was) */
  start(): void;
  /** no look after this one; resolves once a look under way has ended */
  stop(): Promise<void>;
  running(): boolean;
}

/**
 * keepLeadersApart every few seconds while started: one look at a time (the next is timed from the end
 * of the last), failures logged at warn with their code, never thrown out of the timer
 */
export function createLeaderKeeper(nc: NatsConnection, options: LeaderKeeperOptions): LeaderKeeper {
  const { intervalMs = 5000, once = false, log, ...look } = options;
  let on = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;

  const tick = (): void => {
    timer = null;
    if (!on || current || nc.isClosed()) return;
    current = keepLeadersApart(nc, look)
      .then((r) => {
        const at = { leaders: r.leaders, plan: r.plan, steppedDown: r.steppedDown, stream: r.stream };
        if (r.error) log.warn({ ...at, code: r.error.code, err: r.error.message }, 'keeping the stream leaders apart failed: tried again later');
        else if (r.plan.action === 'stepdown') log.warn({ ...at, code: CLUSTER_ERR.STREAM }, 'stream leaders still on one node after every stepdown: tried again later');
        else if (r.steppedDown > 0) log.info(at, `${MQTT_MSGS} and ${STREAM} were led by one node: stepped down, now apart`);
        else log.debug(at, 'stream leaders looked at');
      })
      .catch((e: unknown) => log.warn({ code: CLUSTER_ERR.STREAM, err: (e as Error).message }, 'keeping the stream leaders apart failed'))
      .finally(() => {
        current = null;
        if (on && !once) timer = setTimeout(tick, intervalMs);
      });
  };

  return {
    start() {
      if (on) return;
      on = true;
      if (!current) tick();
    },
    async stop() {
      on = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await current;
    },
    running: () => on,
  };
}
