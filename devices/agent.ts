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
 * Beside it: its connection (agent-connection), what it says (agent-hello), hears (agent-messages), wakes at (agent-wake).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopic, encode, stamp, stampTelemetry, type AvailabilityBody, type Envelope, type EventBody } from '../contracts/index.js';
import { CommandInbox } from './command-inbox.js';
import { LookAhead, type AnyStep, type Said, type Speaker } from './look-ahead.js';
import { RestWatch } from './rest-watch.js';
import type { AnyKindModel } from './kinds/index.js';
import { decide, remember, reportPolicy, type Published, type ReportPolicy } from './report-policy.js';
import { createSender, type OutboxSender, type OutboxStats } from './outbox/sender.js';
import { createMemoryOutboxStore } from './outbox/store.js';
import { connectDevice, letGo, publishHello, sayGoodbye, subscribeAgain, subscribeCommands } from './agent-connection.js';
import { announcementOf, availabilityOf, HelloWatch } from './agent-hello.js';
import { inbound } from './agent-messages.js';
import type { AgentOptions, AgentStats, AgentTally, Hello } from './agent-options.js';
import { stepAfterRest } from './agent-wake.js';
export { brokerTarget, serversOf, UNCONFIRMED_WARN_PERIODS, type AgentAnnounce, type AgentOptions, type AgentReport, type AgentStats, type AgentTally } from './agent-options.js';

/**
 * One device. A class, not a closure per method: a fleet holds tens of thousands, and what each one
 * costs is its fields and its connection, not a copy of every function (docs/fleets.md#engine).
 */
export class DeviceAgent implements Speaker {
  readonly deviceId: string;
  readonly customerId: string;
  readonly kind: AnyKindModel['kind'];
  private readonly options: AgentOptions;
  private readonly model: AnyKindModel;
  private readonly log: Logger;
  readonly stepMs: number;
  readonly everyMs: number;
  private readonly telemetryTopic: string;
  private readonly eventTopic: string;
  private state: unknown;
  private lastT: number;
  private lastTelemetryAt = -Infinity;
  private readonly byException: ReportPolicy | null;
  /** what it published last (exception mode); null: nothing since it (re)started, so the next sample goes out */
  private lastPublished: Published | null = null;
  /** the steps its model takes at rest, skipped; null: a model that cannot rest */
  private readonly rest: RestWatch | null;
  /** its steps taken ahead of its time (AgentOptions.lookAhead); null: each in its window */
  private readonly ahead: LookAhead | null;
  /** while its state runs ahead, the event time it is at (its own record: a window that only counts reads no other); -Infinity: not ahead */
  private aheadAt = -Infinity;
  private readonly sender: OutboxSender;
  private seq: number;
  private session = 0;
  private client: MqttClient | null = null;
  /** commands received and not yet applied; `queued` of them, so that a step looks into the inbox only when one waits */
  private readonly inbox = new CommandInbox();
  private queued = 0;
  private readonly counts: AgentStats;
  /** the counts it shares with other agents (AgentOptions.tally), else its own */
  private readonly tally: AgentTally;
  /** with acks: what it said at a connect, until confirmed (agent-hello.ts); null: acks off */
  private readonly helloWatch: HelloWatch | null;

  constructor(options: AgentOptions) {
    const { customerId, deviceId, model } = options;
    this.options = options;
    this.deviceId = deviceId;
    this.customerId = customerId;
    this.kind = model.kind;
    this.model = model;
    this.log = options.log;
    this.stepMs = (options.stepS ?? 1) * 1000;
    this.everyMs = (options.telemetryEveryS ?? 1) * 1000;
    this.telemetryTopic = deviceTopic(customerId, deviceId, 'telemetry');
    this.eventTopic = deviceTopic(customerId, deviceId, 'event');
    this.state = model.init(model.params.parse(options.params), options.seed, options.startAt);
    this.lastT = options.startAt;
    this.byException = options.report?.mode === 'exception' ? reportPolicy(model.kind, options.report) : null;
    this.rest = RestWatch.of(model);
    this.ahead = options.lookAhead && this.rest === null ? LookAhead.of(model) : null;
    const store = options.outbox ?? createMemoryOutboxStore();
    this.sender = createSender({
      store, capacity: options.outboxCapacity, log: options.log, deviceId,
      // what it said at connect and the helpdesk has not confirmed (lost with a stream's leader): said again
      ...(options.acks ? { acks: options.acks, onPeriod: () => this.helloWatch!.again(this.client) } : {}),
    });
    this.helloWatch = options.acks ? new HelloWatch(this.sender, options.log, customerId, deviceId) : null;
    this.seq = store.lastSeq();
    this.tally = options.tally ?? { published: 0, commandsReceived: 0 };
    this.counts = { published: 0, telemetry: 0, events: 0, commandsReceived: 0, commandsRejected: 0, commandsRepeated: 0, lastSeq: this.seq, reconnects: 0 };
  }

  /**
   * telemetry and events, stamped with the next sequence number (`++this.seq`): through the outbox. Not
   * checked on the way out (the hot path, bodies built from the model's typed values): the helpdesk checks
   * every one on ingest, and counts a reading a model got wrong instead of the device failing on it.
   */
  private send(topic: string, message: Envelope): void {
    this.sender.enqueue(this.seq, topic, encode(topic, message, { check: false }));
    this.counts.published++;
    this.tally.published++;
    this.counts.lastSeq = this.seq;
  }

  private publishEvent(at: number, body: EventBody): void {
    this.send(this.eventTopic, stamp(body, at, ++this.seq));
    this.counts.events++;
  }

  private availability(state: 'online' | 'offline', reason: AvailabilityBody['reason'], at: number, connection = this.session): string {
    return availabilityOf(this, state, reason, at, connection);
  }

  /**
   * What it says at every connect, straight to the connection, retained: its announce, then "online".
   * Counted once. With acks, kept and said again until confirmed (agent-hello.ts), so the helpdesk hears
   * it once even when a stream without a leader lost it.
   */
  private sayHello(): void {
    const hello = this.greeting();
    this.helloWatch?.said(hello);
    publishHello(this.client!, this.customerId, this.deviceId, hello);
    this.tally.published += hello.announce === null ? 1 : 2;
    this.counts.published += hello.announce === null ? 1 : 2;
  }

  /** what it says at a connect now (its announce and "online", encoded), without saying it: sayHello's, and the helpdesk bench's */
  greeting(): Hello {
    const at = this.now();
    const says = { announce: this.options.announce, heartbeatMs: this.byException?.heartbeatMs ?? null, ackedAfter: this.options.acks ? this.sender.heldAfter() : null };
    return { connection: this.session, announce: announcementOf(this, says, at, this.session), online: this.availability('online', 'connected', at) };
  }

  private onMessage(topic: string, payload: Buffer): void {
    const stats = this.counts;
    const m = inbound(topic, payload, Boolean(this.options.acks));
    if (m.type === 'ack') return this.helloWatch?.confirmed(m.body);
    if (m.type === 'rejected' && m.onAck) return void this.log.warn({ deviceId: this.deviceId, ...m.error }, 'confirmation rejected');
    if (m.type === 'command' && this.inbox.repeated(m.cmd.commandId)) {
      stats.commandsRepeated++;
      this.log.debug({ deviceId: this.deviceId, commandId: m.cmd.commandId }, 'command repeated: not executed again');
      return;
    }
    stats.commandsReceived++;
    this.tally.commandsReceived++;
    if (m.type === 'rejected') {
      stats.commandsRejected++;
      this.log.warn({ deviceId: this.deviceId, ...m.error }, 'command rejected');
    } else this.queued++;
    this.inbox.received(stats.commandsReceived, m.type === 'command' ? m.cmd : null);
  }

  private applyCommands(): void {
    for (let next = this.queued === 0 ? null : this.inbox.next(this.lastT); next !== null; next = this.inbox.next(this.lastT)) {
      this.queued--;
      const { cmd, at } = next;
      const { v: _v, ts: _ts, seq: _s, ...body } = cmd;
      const r = this.model.command(this.state as never, body, at);
      this.state = r.state;
      this.rest?.woken();
      for (const e of r.events) this.publishEvent(at, e);
      const result: EventBody = { type: 'command-result', commandId: cmd.commandId, ok: r.ok };
      if (r.code) result.code = r.code;
      if (r.detail) result.detail = r.detail;
      this.publishEvent(at, result);
      this.log.info({ deviceId: this.deviceId, action: cmd.action, commandId: cmd.commandId, ok: r.ok, code: r.code }, 'command executed');
    }
  }

  /**
   * Connects (again). `resumeAt` (optional): event time to resume from after a restart, e.g. when a
   * board comes back after an unplug; the steps in between are skipped instead of replayed.
   */
  async start(resumeAt?: number): Promise<void> {
    const { options, log, deviceId } = this;
    this.atOwnTime();
    this.session++;
    this.lastPublished = null;
    this.rest?.woken();
    if (resumeAt !== undefined && resumeAt > this.lastT) this.lastT += Math.floor((resumeAt - this.lastT) / this.stepMs) * this.stepMs;
    const c = await connectDevice(options, `evernet-${this.customerId}-${deviceId}`, { topic: deviceTopic(this.customerId, deviceId, 'availability'), payload: this.availability('offline', 'will', this.lastT) });
    this.client = c;
    c.on('message', (topic, payload) => this.onMessage(topic, payload));
    // a reconnect is a new connection: its will and its "online" carry the next connection number
    c.on('reconnect', () => {
      if (c.options.will) c.options.will.payload = Buffer.from(this.availability('offline', 'will', this.now(), this.session + 1));
    });
    c.on('connect', () => {
      if (this.client !== c) return;
      this.session++;
      this.counts.reconnects++;
      subscribeAgain(c, this.customerId, this.deviceId, Boolean(this.options.acks), log);
      this.sayHello();
      log.info({ deviceId, session: this.session, outbox: this.sender.stats() }, 'device reconnected');
    });
    c.on('offline', () => log.warn({ deviceId, outbox: this.sender.stats() }, 'device offline: the outbox keeps what it sends'));
    await subscribeCommands(c, this.customerId, this.deviceId, Boolean(this.options.acks), this.log);
    this.sayHello();
    this.sender.attach(c);
    log.info({ deviceId, kind: this.kind }, 'device online');
  }

  /** Runs the model up to event time t (in whole steps), publishing telemetry and events. */
  tick(t: number): void {
    const { stepMs, rest, ahead } = this;
    // a command applies at the device's time: its state goes back there first
    if (this.queued > 0 && this.inbox.due()) this.atOwnTime();
    this.applyCommands();
    while (this.lastT + stepMs <= t) {
      if (this.aheadAt !== -Infinity) {
        // its state is ahead (look-ahead.ts): the steps before it are counted, the step there published
        if (this.aheadAt > t) {
          this.lastT += Math.floor((t - this.lastT) / stepMs) * stepMs;
          return;
        }
        this.lastT = this.aheadAt;
        this.aheadAt = -Infinity;
        const r = ahead!.reached();
        if (r !== null) this.publish(r, this.lastT, ahead!.telemetry);
        // quiet for more than a step: it looks again from here
        if (ahead!.steps > 1 && this.lastT + stepMs > t) this.lookAhead(ahead!);
        continue;
      }
      if (rest !== null && rest.resting) {
        // at rest, the steps before the next message are counted, not taken (when it is due is asked only then)
        const reached = rest.skip(this.state, this.lastT, t, stepMs, this.nextMessageAt());
        if (reached !== this.lastT) {
          this.lastT = reached;
          continue;
        }
      }
      const at = (this.lastT += stepMs);
      const r = this.model.stepOwned(this.state as never, stepMs / 1000, at);
      this.state = r.state;
      const telemetry = this.says(at, r);
      if (telemetry || r.events.length > 0) this.publish(r, at, telemetry);
      // its last step of the window said nothing: the steps of the windows after it are taken now, while its state is in the cache
      else if (ahead !== null && this.lastT + stepMs > t) this.lookAhead(ahead);
      rest?.stepped(this.state, at);
    }
  }

  /**
   * The earliest event time a `tick` must reach it by: a tick to an earlier time would only count steps that
   * publish nothing (its state ahead of them, or at rest until its next message), which a later tick counts
   * as well. A fleet's host skips it until then (scenarios/engine/tick-schedule.ts). -Infinity: every tick
   * counts (a command waits, it is neither ahead nor at rest); Infinity: at rest with nothing due, ever.
   */
  wakeAt(): number {
    return this.queued > 0 ? -Infinity : this.quietUntil();
  }

  /** the earliest event time a tick takes a step at, commands aside: its look-ahead's, or after its rest (agent-wake.ts) */
  private quietUntil(): number {
    if (this.aheadAt !== -Infinity) return this.aheadAt;
    const rest = this.rest;
    return rest === null || !rest.resting ? -Infinity : stepAfterRest(rest.restsUntil, this.nextMessageAt(), this.lastT, this.stepMs);
  }

  /**
   * Counts the steps up to `t` a host skipped (its wakeAt() was later than t), as the ticks it skipped would
   * have; nothing else changes: a command that waits is applied by its next tick.
   */
  catchUp(t: number): void {
    const { stepMs } = this;
    if (this.lastT + stepMs > t || this.quietUntil() <= t) return;
    if (this.aheadAt !== -Infinity) this.lastT += Math.floor((t - this.lastT) / stepMs) * stepMs;
    else this.lastT = this.rest!.skip(this.state, this.lastT, t, stepMs, this.nextMessageAt());
  }

  /** its event time now: a device its host skips catches up to the host's time first (AgentOptions.movedTo) */
  private now(): number {
    const moved = this.options.movedTo;
    if (moved !== undefined && moved.at > this.lastT) this.catchUp(moved.at);
    return this.lastT;
  }

  /** takes its coming steps now (look-ahead.ts) */
  private lookAhead(ahead: LookAhead): void {
    this.state = ahead.run(this.state, this.lastT, this.stepMs, this);
    this.aheadAt = ahead.at;
  }

  /** the telemetry of the step ending at `at` is due (by exception: worth a message; else the period) */
  says(at: number, r: AnyStep): boolean {
    return this.byException ? decide(this.byException, this.lastPublished, at, r.readings, r.extra) !== null : at - this.lastTelemetryAt >= this.everyMs;
  }

  /** a step's events (a long step says when each happened, StepResult.eventTimes; else the step's end), then its telemetry */
  private publish(r: Said, at: number, telemetry: boolean): void {
    for (let i = 0; i < r.events.length; i++) this.publishEvent(r.eventTimes?.[i] ?? at, r.events[i]!);
    if (!telemetry) return;
    if (this.byException) this.lastPublished = remember(this.lastPublished, at, r.readings, r.extra);
    this.lastTelemetryAt = at;
    this.send(this.telemetryTopic, stampTelemetry(this.kind, r.readings, r.extra, at, ++this.seq));
    this.counts.telemetry++;
  }

  /** the earliest event time its next telemetry can go out at with unchanged readings: the heartbeat, or the period */
  private nextMessageAt(): number {
    const p = this.byException;
    return p === null ? this.lastTelemetryAt + this.everyMs : this.lastPublished === null ? -Infinity : this.lastPublished.at + p.heartbeatMs;
  }

  /**
   * Publishes an event stamped at event time `at` (under the next sequence number), for a device that
   * knows an event's time only later: a board confirms a cycle's start from the power that follows.
   */
  event(at: number, body: EventBody): void {
    this.publishEvent(at, body);
  }

  /** From its next step on it applies only the first `n` commands received (a replay's count), `afterMs` after its state's time (pipelined: device-host.ts) */
  release(n: number, afterMs = 0): void {
    this.inbox.release(n, afterMs);
  }

  /** Resolves once `n` command messages have arrived (the replay's barrier). */
  commandsReceived(n: number): Promise<void> {
    return this.inbox.waitFor(this.counts.commandsReceived, n);
  }

  stats(): AgentStats {
    return { ...this.counts };
  }

  /** one of stats()' counts, without a copy: a device host sums them over its devices every window */
  count(name: keyof AgentStats): number {
    return this.counts[name];
  }

  /** what waits in the outbox, what is in flight, acknowledged and dropped */
  outboxStats(): OutboxStats {
    return this.sender.stats();
  }

  /** Resolves once the broker has acknowledged every telemetry message and event sent so far. */
  drained(): Promise<void> {
    return this.sender.drained();
  }

  /** ground truth for the report, never sent on the wire */
  noticeable(): boolean {
    this.now();
    this.atOwnTime();
    return this.model.noticeable(this.state as never);
  }

  modelState(): unknown {
    this.now();
    this.atOwnTime();
    return this.state;
  }

  /** its state at its own time, not ahead of it (look-ahead.ts) */
  private atOwnTime(): void {
    if (this.aheadAt === -Infinity) return;
    this.state = this.ahead!.back(this.lastT, this.stepMs, this.state);
    this.aheadAt = -Infinity;
  }

  /**
   * Graceful stop: says offline itself (retained), then disconnects once what is in flight is
   * acknowledged. With the broker away it just lets go; the outbox keeps what was not sent.
   */
  async stop(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.client = null;
    if (!c.connected) return letGo(c, this.sender, false);
    const o = { timeoutMs: this.options.stopTimeoutMs ?? 5000, log: this.log, deviceId: this.deviceId, onSaid: () => (this.counts.published++, this.tally.published++) };
    await sayGoodbye(c, deviceTopic(this.customerId, this.deviceId, 'availability'), this.availability('offline', 'disconnected', this.now()), o);
    this.sender.detach();
  }

  /** Drops the connection without goodbye, so the broker publishes the last will (tests, board unplugged). */
  async kill(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.client = null;
    await letGo(c, this.sender, true);
  }
}

export function createAgent(options: AgentOptions): DeviceAgent {
  return new DeviceAgent(options);
}

export type Agent = DeviceAgent;
