/**
 * The helpdesk service: one MQTT connection (ingest subscribes, the outbox publishes), the core in
 * between, and an event-time watermark. In a replay the runner moves the watermark (`advance`);
 * live, `start({ live })` moves it every second from the injected clock.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ERR, HELPDESK_FILTERS, type Clock } from '../contracts/index.js';
import { createCore } from './core.js';
import { createEvents } from './events.js';
import type { StaffAction, StaffResult } from './staff-actions.js';
import type { Directory } from './directory.js';
import { createIngest } from './ingest/ingest.js';
import { createOutbox } from './outbox.js';
import type { Tariff } from './schedule/tariff.js';
import type { TicketStore } from './tickets/store.js';

export interface HelpdeskOptions {
  brokerUrl: string;
  directory: Directory;
  tariff: Tariff;
  store: TicketStore;
  clock: Clock;
  log: Logger;
  clientId?: string;
  /** the helpdesk's broker identity, when the broker requires one */
  credentials?: { username: string; password: string };
  /** live mode: how late (ms) a message may arrive and still be processed in order; default 2000 */
  allowedLatenessMs?: number;
}

export function createHelpdesk(options: HelpdeskOptions) {
  const { log, clock } = options;
  const outbox = createOutbox();
  const events = createEvents(log);
  const core = createCore({ directory: options.directory, tariff: options.tariff, store: options.store, outbox, log, events });
  const ingest = createIngest({ log, admit: core.admit });
  let client: MqttClient | null = null;
  let timer: NodeJS.Timeout | null = null;
  let published = 0;
  let watermark = -Infinity;

  function flush(): void {
    for (const m of outbox.take()) {
      client?.publish(m.topic, JSON.stringify(m.payload), { qos: 1, retain: m.retain });
      published++;
    }
  }

  return {
    async start(opts: { live?: boolean } = {}): Promise<void> {
      client = await mqtt.connectAsync(options.brokerUrl, {
        clientId: options.clientId ?? 'evernet-helpdesk',
        clean: true,
        reconnectPeriod: 1000,
        ...(options.credentials ? { username: options.credentials.username, password: options.credentials.password } : {}),
      });
      client.on('message', (topic, payload) => ingest.accept(topic, payload));
      await client.subscribeAsync([...HELPDESK_FILTERS], { qos: 1 });
      log.info({ broker: options.brokerUrl }, 'helpdesk subscribed');
      if (opts.live) {
        const lateness = options.allowedLatenessMs ?? 2000;
        timer = setInterval(() => this.advance(clock.now() - lateness), 1000);
      }
    },
    /** Processes every buffered message with event time <= w, in event-time order, and publishes the outcome. */
    advance(w: number): void {
      if (w <= watermark) return;
      watermark = w;
      const now = clock.now();
      for (const m of ingest.drain(w)) {
        try {
          core.handle(m, now);
        } catch (e) {
          // a bug must not take the helpdesk down: count it and go on
          ingest.reject(ERR.INTERNAL, m.topic.scope === 'device' ? m.topic.deviceId : m.topic.customerId, `internal error: ${(e as Error).message}`);
          log.error({ err: e }, 'message handling failed');
        }
      }
      flush();
    },
    /** resolves once n messages have reached the helpdesk */
    received: (n: number): Promise<void> => ingest.received(n),
    commandCount: (): number => outbox.commandCount(),
    commandCountFor: (customerId: string, deviceId: string): number => outbox.commandCountFor(customerId, deviceId),
    stats: () => ({ ...ingest.stats(), published }),
    loads: core.loads,
    devices: core.devices,
    history: core.history,
    tickets: (filter?: Parameters<TicketStore['list']>[0]) => options.store.list(filter),
    ticket: (id: string) => options.store.get(id),
    /** subscribe to ticket, availability, telemetry and load events; returns the unsubscribe function */
    on: events.on,
    /** A staff member acts on a ticket now (event time from the clock); what it says is published at once. */
    act(ticketId: string, action: StaffAction, by: string): StaffResult {
      const r = core.act(ticketId, action, by, clock.now());
      flush();
      return r;
    },
    shopping: core.shopping,
    online: core.online,
    /** the helpdesk's current event time (its injected clock), e.g. for SLA countdowns on the dashboard */
    now: (): number => clock.now(),
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      if (client) await client.endAsync();
      client = null;
    },
  };
}
export type Helpdesk = ReturnType<typeof createHelpdesk>;
