/**
 * The helpdesk's notifier: built from NotifyConfig (off when absent), it takes each contact the
 * outbox publishes (the MQTT message is unchanged), queues it for the configured adapters, runs the
 * dispatcher every tickMs of wall time, and notes every attempt on the ticket's timeline (a 'note'
 * by 'notify' whose detail carries adapter, attempt, outcome and code). A note the store refuses is
 * logged; the attempt stays readable in attempts().
 */
import type { Logger } from 'pino';
import { ContactBody, type Clock } from '../../contracts/index.js';
import { addNote } from '../tickets/lifecycle.js';
import type { TicketStore } from '../tickets/store.js';
import { createDispatcher, type DispatcherOptions, type NotifyAttempt } from './dispatcher.js';
import { createEmailAdapter, type EmailOptions } from './email.js';
import type { NotifyAdapter } from './adapter.js';
import { createWebhookAdapter, type WebhookOptions } from './webhook.js';

export interface NotifyConfig {
  webhook?: WebhookOptions;
  email?: Omit<EmailOptions, 'addressOf'>;
  retry?: Pick<DispatcherOptions, 'maxAttempts' | 'baseBackoffMs' | 'maxBackoffMs' | 'queueCap' | 'logCap'>;
  /** wall ms between dispatcher runs; default 500 */
  tickMs?: number;
}

export interface NotifierDeps {
  config: NotifyConfig;
  clock: Clock;
  store: TicketStore;
  log: Logger;
  /** the customer's e-mail address from the registry */
  addressOf?: (customerId: string) => string | undefined;
}

const CONTACT_TOPIC = /^evernet\/v1\/([^/]+)\/_helpdesk\/contact$/;

function describe(a: NotifyAttempt): string {
  if (a.outcome === 'delivered') return `${a.adapter}: delivered (attempt ${a.attempt})`;
  if (a.outcome === 'gave-up') return `${a.adapter}: gave up after ${a.attempt} attempts`;
  return `${a.adapter}: attempt ${a.attempt} failed (${a.code})${a.retryAt !== undefined ? ', retrying' : ''}`;
}

export function createNotifier(deps: NotifierDeps) {
  const { config, clock, store, log } = deps;
  const adapters: NotifyAdapter[] = [];
  if (config.webhook) adapters.push(createWebhookAdapter(config.webhook));
  if (config.email) adapters.push(createEmailAdapter({ ...config.email, addressOf: deps.addressOf }));

  const onAttempt = (a: NotifyAttempt): void => {
    if (a.outcome !== 'delivered') log.warn({ code: a.code, adapter: a.adapter, ticketId: a.ticketId, attempt: a.attempt }, a.reason ?? 'notification failed');
    const t = store.get(a.ticketId);
    if (!t) return;
    const r = addNote(t, { at: Math.max(clock.now(), t.timeline.at(-1)?.at ?? 0), by: 'notify', text: describe(a), detail: { notify: { ...a } } });
    try {
      if (r.ok) store.save(r.ticket);
      else log.warn({ code: r.error.code, ticketId: a.ticketId }, `notify attempt not noted on the ticket: ${r.error.reason}`);
    } catch (e) {
      log.warn({ err: e, ticketId: a.ticketId }, 'notify attempt not noted on the ticket');
    }
  };
  const dispatcher = createDispatcher({ adapters, clock, onAttempt, ...config.retry });
  let timer: NodeJS.Timeout | null = null;

  return {
    /** Hands a published message over: contacts are queued, anything else is ignored. */
    published(topic: string, payload: Record<string, unknown>): void {
      const m = CONTACT_TOPIC.exec(topic);
      if (!m) return;
      const p = ContactBody.safeParse(payload);
      if (!p.success) return;
      dispatcher.enqueue({ kind: 'contact', customerId: m[1]!, ...p.data, at: typeof payload.ts === 'number' ? payload.ts : clock.now() });
    },
    start(): void {
      timer ??= setInterval(() => void dispatcher.run(), config.tickMs ?? 500);
      timer.unref();
    },
    /** the last run finishes; waiting retries are dropped (they are recorded as failed attempts) */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await dispatcher.run();
      dispatcher.close();
    },
    run: (): Promise<void> => dispatcher.run(),
    pending: dispatcher.pending,
    attempts: dispatcher.attempts,
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
