/**
 * What a device agent says at a connect (its announce, then "online") and at a disconnect, encoded and
 * checked against the contract. And what an agent with acknowledgements (a helpdesk on a NATS cluster)
 * does with what it said at a connect (HelloWatch): keeps it, holds its telemetry back until a
 * confirmation names the connection, says it again every resend period meanwhile (the same bytes: the
 * partition's gate drops copies), and after UNCONFIRMED_WARN_PERIODS without one says so in its log, once
 * (docs/scale.md#end-to-end-acknowledgements). An agent without acks holds none of this.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopic, encode, stamp, type AckBody, type AvailabilityBody, type DeviceKind } from '../contracts/index.js';
import { announceBody } from './announce-body.js';
import { publishHello, warnNotConfirmed } from './agent-connection.js';
import { UNCONFIRMED_WARN_PERIODS, type AgentAnnounce, type Hello } from './agent-options.js';
import type { OutboxSender } from './outbox/sender.js';

/** what a device is, for what it says (DeviceAgent) */
export interface DeviceFacts {
  readonly customerId: string;
  readonly deviceId: string;
  readonly kind: DeviceKind;
  /** its reporting period */
  readonly everyMs: number;
  /** its model's step */
  readonly stepMs: number;
}

/** its availability at event time `at`: retained, its connection number as seq */
export function availabilityOf(d: DeviceFacts, state: 'online' | 'offline', reason: AvailabilityBody['reason'], at: number, connection: number): string {
  return encode(deviceTopic(d.customerId, d.deviceId, 'availability'), stamp({ state, kind: d.kind, reason }, at, connection));
}

/** its announce (announce-body.ts) at event time `at`; null: it announces nothing (`announce` false) */
export function announcementOf(d: DeviceFacts, says: { announce: AgentAnnounce | false | undefined; heartbeatMs: number | null; ackedAfter: number | null }, at: number, connection: number): string | null {
  const a = says.announce;
  if (a === false) return null;
  const facts = { kind: d.kind, name: `${d.customerId}/${d.deviceId}`, announce: a, everyMs: d.everyMs, stepMs: d.stepMs };
  const body = announceBody({ ...facts, heartbeatMs: says.heartbeatMs, ackedAfter: says.ackedAfter });
  return encode(deviceTopic(d.customerId, d.deviceId, 'announce'), stamp(body, at, connection));
}

export class HelloWatch {
  /** what it said at the connection's start until a confirmation names it; null: confirmed */
  private hello: Hello | null = null;
  /** resend periods since it was last confirmed */
  private unconfirmedPeriods = 0;

  constructor(
    private readonly sender: OutboxSender,
    private readonly log: Logger,
    private readonly customerId: string,
    private readonly deviceId: string,
  ) {}

  /** it said `hello` at a connect: its telemetry waits until the partition knows this connection (OutboxSender.hold) */
  said(hello: Hello): void {
    this.hello = hello;
    this.sender.hold(true);
  }

  /** a resend period passed: what is not confirmed is said again */
  again(c: MqttClient | null): void {
    if (!this.hello || !c?.connected) return;
    publishHello(c, this.customerId, this.deviceId, this.hello);
    // nothing confirms (a helpdesk that is not a cluster's worker, or none): said once, not silent
    if (++this.unconfirmedPeriods === UNCONFIRMED_WARN_PERIODS) warnNotConfirmed(this.log, this.deviceId, this.unconfirmedPeriods, this.sender.stats());
  }

  /** a confirmation: the outbox lets go of what it names; one naming this connection (or a later one) ends the hold */
  confirmed({ upTo, connection }: AckBody): void {
    this.sender.confirm(upTo);
    if (this.hello && connection !== undefined && connection >= this.hello.connection) {
      this.hello = null;
      this.unconfirmedPeriods = 0;
      this.sender.hold(false);
    }
  }
}
