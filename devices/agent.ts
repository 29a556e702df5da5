/**
 * A device agent: one model (kind + params + seed), one mqtt.js connection.
 * Telemetry and events out (QoS 1, per-device sequence numbers), commands in, a retained
 * availability message and a last will that marks the device offline if the connection drops.
 * At every connect it announces itself (retained `announce`: kind, name, the readings it measures,
 * extra readings, reporting interval, source), so the helpdesk can register it (docs/devices.md).
 * Time comes only from `tick(t)`: the agent never reads a wall clock.
 *
 * Telemetry and events go through the device's outbox (devices/outbox): kept until the broker
 * acknowledges them, bounded while the broker is away, sent in order on reconnect. Give a persistent
 * store (openSqliteOutboxStore) and they also survive the device process; its sequence numbers then
 * continue where they stopped. mqtt.js reconnects by itself; each reconnect is a new connection
 * number (the availability seq): the agent says "online" again and its will carries the new number.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  decode, deviceTopic, encode, KIND_READINGS, stamp,
  type AnnounceBody, type AvailabilityBody, type Command, type EventBody, type TelemetryBody,
} from '../contracts/index.js';
import type { AnyKindModel } from './kinds/index.js';
import { decide, reportPolicy, type Published } from './report-policy.js';
import { createSender, type OutboxStats } from './outbox/sender.js';
import { createMemoryOutboxStore, type OutboxStore } from './outbox/store.js';

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
   * what it announces at every connect (retained, the connection number as seq; reportEveryS is
   * telemetryEveryS, or the heartbeat when it reports by exception, with `report` saying so); default
   * a simulated model: all its kind's readings, no extra. false: no announce
   */
  announce?: AgentAnnounce | false;
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

export function createAgent(options: AgentOptions) {
  const { customerId, deviceId, model, log } = options;
  const stepMs = (options.stepS ?? 1) * 1000;
  const everyMs = (options.telemetryEveryS ?? 1) * 1000;
  const topics = {
    telemetry: deviceTopic(customerId, deviceId, 'telemetry'),
    event: deviceTopic(customerId, deviceId, 'event'),
    command: deviceTopic(customerId, deviceId, 'command'),
    availability: deviceTopic(customerId, deviceId, 'availability'),
    announce: deviceTopic(customerId, deviceId, 'announce'),
  };
  const params = model.params.parse(options.params);
  let state = model.init(params, options.seed, options.startAt);
  let lastT = options.startAt;
  let lastTelemetryAt = -Infinity;
  const byException = options.report?.mode === 'exception' ? reportPolicy(model.kind, options.report) : null;
  /** what it published last (exception mode); null: nothing since it (re)started, so the next sample goes out */
  let lastPublished: Published | null = null;
  const store = options.outbox ?? createMemoryOutboxStore();
  const sender = createSender({ store, capacity: options.outboxCapacity, log, deviceId });
  let seq = store.lastSeq();
  let session = 0;
  let client: MqttClient | null = null;
  const inbox: Command[] = [];
  const stats: AgentStats = { published: 0, telemetry: 0, events: 0, commandsReceived: 0, commandsRejected: 0, commandsRepeated: 0, lastSeq: seq, reconnects: 0 };
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  /**
   * telemetry and events: through the outbox, under the next sequence number. Not checked on the way out
   * (the hot path, bodies built from the model's typed values): the helpdesk checks every one on ingest,
   * and counts a reading a model got wrong instead of the device failing on it.
   */
  function send(topic: string, at: number, body: TelemetryBody | EventBody): void {
    seq++;
    sender.enqueue(seq, topic, encode(topic, stamp(body, at, seq), { check: false }));
    stats.published++;
    stats.lastSeq = seq;
  }

  function publishEvent(at: number, body: EventBody): void {
    send(topics.event, at, body);
    stats.events++;
  }

  /** availability (retained; the connection number as seq), checked against the contract */
  function availability(state_: 'online' | 'offline', reason: AvailabilityBody['reason'], at: number, connection = session): string {
    return encode(topics.availability, stamp({ state: state_, kind: model.kind, reason }, at, connection));
  }

  /** announce: retained, straight to the connection, checked against the contract; before "online" */
  function publishAnnounce(): void {
    const a = options.announce;
    if (a === false) return;
    const body: AnnounceBody = {
      kind: model.kind,
      name: a?.name ?? `${customerId}/${deviceId}`,
      measures: [...(a?.measures ?? KIND_READINGS[model.kind])],
      extra: [...(a?.extra ?? [])],
      reportEveryS: Math.max(1, Math.round((byException?.heartbeatMs ?? everyMs) / 1000)),
      source: a?.source ?? 'simulator',
    };
    if (byException) body.report = { mode: 'exception', heartbeatS: Math.max(1, Math.round(byException.heartbeatMs / 1000)), sampleEveryS: Math.max(1, Math.round(stepMs / 1000)) };
    client!.publish(topics.announce, encode(topics.announce, stamp(body, lastT, session)), { qos: 1, retain: true });
    stats.published++;
  }

  /** availability: retained, straight to the connection (mqtt.js holds it while offline) */
  function publishAvailability(state_: 'online' | 'offline', reason: AvailabilityBody['reason']): void {
    client!.publish(topics.availability, availability(state_, reason, lastT), { qos: 1, retain: true });
    stats.published++;
  }

  /**
   * Subscribes to its commands; a broker that refuses the subscription for now (a NATS cluster's
   * MQTT listener answers a SUBACK failure while JetStream is busy or electing a leader) is asked
   * again, 5 times in all, 0.25 s to 4 s apart, as a real device would; then the refusal is thrown
   */
  async function subscribeCommands(c: MqttClient): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.subscribeAsync(topics.command, { qos: 1 });
        return;
      } catch (e) {
        if (attempt >= 5 || !c.connected) throw e;
        log.warn({ deviceId, attempt, err: (e as Error).message }, 'the broker refused the command subscription: asked again');
        await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  /** the ids of the commands received lately, oldest first */
  const seenCommands = new Set<string>();

  function onMessage(topic: string, payload: Buffer): void {
    const result = decode(topic, payload);
    const id = result.ok && result.value.channel === 'command' ? result.value.payload.commandId : null;
    if (id !== null && seenCommands.has(id)) {
      stats.commandsRepeated++;
      log.debug({ deviceId, commandId: id }, 'command repeated: not executed again');
      return;
    }
    if (id !== null) {
      seenCommands.add(id);
      // the last 1,000 ids: a repeat comes soon after the first (a redelivery, a takeover's resend)
      if (seenCommands.size > 1000) seenCommands.delete(seenCommands.values().next().value!);
    }
    stats.commandsReceived++;
    if (!result.ok || result.value.channel !== 'command') {
      stats.commandsRejected++;
      log.warn({ deviceId, ...(result.ok ? { code: 'EVN_ERR_TOPIC' } : result.error) }, 'command rejected');
    } else {
      inbox.push(result.value.payload);
    }
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (stats.commandsReceived >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
    }
  }

  function applyCommands(): void {
    while (inbox.length) {
      const cmd = inbox.shift()!;
      const { v: _v, ts, seq: _s, ...body } = cmd;
      const at = Math.max(ts, lastT);
      const r = model.command(state, body, at);
      state = r.state;
      for (const e of r.events) publishEvent(at, e);
      const result: EventBody = { type: 'command-result', commandId: cmd.commandId, ok: r.ok };
      if (r.code) result.code = r.code;
      if (r.detail) result.detail = r.detail;
      publishEvent(at, result);
      log.info({ deviceId, action: cmd.action, commandId: cmd.commandId, ok: r.ok, code: r.code }, 'command executed');
    }
  }

  return {
    deviceId,
    customerId,
    kind: model.kind,
    /**
     * Connects (again). `resumeAt` (optional): event time to resume from after a restart, e.g. when a
     * board comes back after an unplug; the steps in between are skipped instead of replayed.
     */
    async start(resumeAt?: number): Promise<void> {
      session++;
      lastPublished = null;
      if (resumeAt !== undefined && resumeAt > lastT) lastT += Math.floor((resumeAt - lastT) / stepMs) * stepMs;
      const c = await mqtt.connectAsync(options.brokerUrl, {
        ...(options.failoverUrls?.length ? { servers: serversOf([options.brokerUrl, ...options.failoverUrls.filter((u) => u !== options.brokerUrl)]) } : {}),
        clientId: `evernet-${customerId}-${deviceId}`,
        clean: true,
        reconnectPeriod: options.reconnectPeriodMs ?? 1000,
        ...(options.credentials ? { username: options.credentials.username, password: options.credentials.password } : {}),
        will: {
          topic: topics.availability,
          payload: Buffer.from(availability('offline', 'will', lastT)),
          qos: 1,
          retain: true,
        },
      });
      client = c;
      c.on('message', onMessage);
      // a reconnect is a new connection: its will and its "online" carry the next connection number
      c.on('reconnect', () => {
        if (c.options.will) c.options.will.payload = Buffer.from(availability('offline', 'will', lastT, session + 1));
      });
      c.on('connect', () => {
        if (client !== c) return;
        session++;
        stats.reconnects++;
        publishAnnounce();
        publishAvailability('online', 'connected');
        log.info({ deviceId, session, outbox: sender.stats() }, 'device reconnected');
      });
      c.on('offline', () => log.warn({ deviceId, outbox: sender.stats() }, 'device offline: the outbox keeps what it sends'));
      await subscribeCommands(c);
      publishAnnounce();
      publishAvailability('online', 'connected');
      sender.attach(c);
      log.info({ deviceId, kind: model.kind }, 'device online');
    },
    /** Runs the model up to event time t (in whole steps), publishing telemetry and events. */
    tick(t: number): void {
      applyCommands();
      while (lastT + stepMs <= t) {
        lastT += stepMs;
        const r = model.step(state, stepMs / 1000, lastT);
        state = r.state;
        // a long step says when each of its events happened (StepResult.eventTimes); else the step's end
        r.events.forEach((e, i) => publishEvent(r.eventTimes?.[i] ?? lastT, e));
        if (byException ? decide(byException, lastPublished, lastT, r.readings, r.extra) !== null : lastT - lastTelemetryAt >= everyMs) {
          if (byException) lastPublished = { at: lastT, readings: r.readings, ...(r.extra ? { extra: r.extra } : {}) };
          lastTelemetryAt = lastT;
          send(topics.telemetry, lastT, { kind: model.kind, readings: r.readings, ...(r.extra ? { extra: r.extra } : {}) } as TelemetryBody);
          stats.telemetry++;
        }
      }
    },
    /**
     * Publishes an event stamped at event time `at` (under the next sequence number), for a device that
     * knows an event's time only later: a board confirms a cycle's start from the power that follows.
     */
    event(at: number, body: EventBody): void {
      publishEvent(at, body);
    },
    /** Resolves once `n` command messages have arrived (the replay's barrier). */
    commandsReceived(n: number): Promise<void> {
      if (stats.commandsReceived >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    stats: (): AgentStats => ({ ...stats }),
    /** what waits in the outbox, what is in flight, acknowledged and dropped */
    outboxStats: (): OutboxStats => sender.stats(),
    /** Resolves once the broker has acknowledged every telemetry message and event sent so far. */
    drained: (): Promise<void> => sender.drained(),
    /** ground truth for the report, never sent on the wire */
    noticeable: (): boolean => model.noticeable(state),
    modelState: (): unknown => state,
    /**
     * Graceful stop: says offline itself (retained), then disconnects once what is in flight is
     * acknowledged. With the broker away it just lets go; the outbox keeps what was not sent.
     */
    async stop(): Promise<void> {
      const c = client;
      if (!c) return;
      client = null;
      if (!c.connected) {
        sender.detach();
        await c.endAsync(true);
        return;
      }
      await c.publishAsync(topics.availability, availability('offline', 'disconnected', lastT), {
        qos: 1,
        retain: true,
      });
      stats.published++;
      await c.endAsync();
      sender.detach();
    },
    /** Drops the connection without goodbye, so the broker publishes the last will (tests, board unplugged). */
    async kill(): Promise<void> {
      const c = client;
      if (!c) return;
      client = null;
      sender.detach();
      c.stream.destroy();
      await c.endAsync(true);
    },
  };
}

export type Agent = ReturnType<typeof createAgent>;
