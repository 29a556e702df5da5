/**
 * A helpdesk as a real process for the fault tests: the production stack (startHelpdeskStack) on a SQLite file
 * (--db), a persistent MQTT session under a fixed client id, and a watermark the test moves over IPC
 * (a live helpdesk moves it from the wall clock; here the test decides, so that "processed" is exact).
 *
 *   node --import tsx tests/reliability/bin/helpdesk.ts --broker URL --db FILE --start-at MS [--client-id ID]
 *
 * IPC (process.send): it says { type: 'ready' }; it answers { id, type: 'advance', w } with the state
 * after processing up to w, { id, type: 'clock', w } (its clock follows the devices' event time,
 * without processing) and { id, type: 'state' } with the state: ingest stats, the sequence numbers it
 * processed per device (telemetry and events), and the tickets.
 *
 * TEST-ONLY crash hook: with EVERNET_TEST_CRASH_AFTER_TICKET_OPENED=1 the process kills itself with
 * SIGKILL right after the ticket store committed a newly opened ticket, before the customer is
 * contacted: the worst moment of the incident flow. It wraps the store here; production code has no
 * such hook.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { deviceKey, type Decoded } from '../../../contracts/index.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../../helpdesk/tickets/store.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { DEFAULT_WORLD } from '../../../stack/paths.js';

export const CRASH_ENV = 'EVERNET_TEST_CRASH_AFTER_TICKET_OPENED';

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    db: { type: 'string' },
    'start-at': { type: 'string' },
    'client-id': { type: 'string' },
  },
});
if (!values.broker || !values.db || !values['start-at'] || !process.send) {
  process.stderr.write('usage: helpdesk.ts --broker URL --db FILE --start-at MS (with an IPC channel)\n');
  process.exit(2);
}

const log = pino({ level: process.env.EVERNET_TEST_LOG ?? 'warn' }, pino.destination(2));
const clock = new VirtualClock(Number(values['start-at']));
const real = openSqliteStore({ path: values.db });
const store: TicketStore =
  process.env[CRASH_ENV] === '1'
    ? new Proxy(real, {
        get(target, prop, receiver) {
          if (prop !== 'openIdempotent') return Reflect.get(target, prop, receiver);
          return (t: Parameters<TicketStore['openIdempotent']>[0]) => {
            const r = target.openIdempotent(t);
            if (r.created) process.kill(process.pid, 'SIGKILL'); // committed, not yet contacted
            return r;
          };
        },
      })
    : real;

const processed: Record<string, number[]> = {};
function onProcessed(m: Decoded): void {
  const t = m.topic;
  if (t.scope !== 'device' || (t.channel !== 'telemetry' && t.channel !== 'event')) return;
  (processed[deviceKey(t.customerId, t.deviceId)] ??= []).push(m.payload.seq);
}

// the ticket store is this file's (it may carry the crash hook); loads and staff share its database
const stack = await startHelpdeskStack({
  brokerUrl: values.broker,
  directory: directoryOf(loadScenario(DEFAULT_WORLD)),
  db: values.db,
  ticketStore: store,
  clock,
  log,
  helpdesk: { clientId: values['client-id'] ?? 'evernet-helpdesk-reliability', cleanSession: false, reconnectPeriodMs: 100, onProcessed },
});
const { helpdesk } = stack;

const state = () => ({ stats: helpdesk.stats(), processed, tickets: helpdesk.tickets() });

process.on('message', (msg: { id: number; type: 'advance' | 'clock' | 'state'; w?: number }) => {
  if (msg.w !== undefined && msg.w > clock.now()) clock.set(msg.w);
  if (msg.type === 'advance' && msg.w !== undefined) helpdesk.advance(msg.w);
  process.send!({ id: msg.id, ...state() });
});
process.on('disconnect', () => {
  void stack.stop().finally(() => {
    real.close();
    process.exit(0);
  });
});

process.send({ type: 'ready' });
