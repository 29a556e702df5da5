/**
 * A dashboard on real parts without the day's replay, for tests where the tickets are not the point:
 * a real helpdesk (createHelpdesk over an in-memory SQLite ticket store, never connected to a broker;
 * its live events are the test's to emit), a real staff store with a low scrypt cost, and a pino
 * logger whose JSON lines the test can read.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createEvents } from '../../../helpdesk/events.js';
import { loadTariff } from '../../../helpdesk/schedule/tariff-file.js';
import { createHelpdesk } from '../../../helpdesk/service.js';
import { openStaffStore, type StaffStore, type StaffStoreOptions } from '../../../helpdesk/staff/store.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import type { DashboardDeps } from '../../../helpdesk/web/deps.js';
import { VirtualClock } from '../../../contracts/clock.js';

export const BARE_PASSWORD = 'correct horse battery';
/** scrypt N for tests: cheap, the same code path */
export const TEST_SCRYPT = { N: 1024 };

export interface Bare {
  deps: DashboardDeps;
  staff: StaffStore;
  /** emits helpdesk events to the dashboard's live hub */
  events: ReturnType<typeof createEvents>;
  /** every JSON log line so far */
  logs: Array<Record<string, unknown>>;
  /** the raw log text so far */
  logText(): string;
  close(): void;
}

export async function bareDashboard(staffOptions: Partial<StaffStoreOptions> = {}, names = ['alice', 'bob']): Promise<Bare> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  const log: Logger = pino({ level: 'info', base: undefined }, sink);
  const tickets = openSqliteStore({ path: ':memory:' });
  const helpdesk = createHelpdesk({
    brokerUrl: 'mqtt://127.0.0.1:9',
    directory: { customers: [], stores: [], workshops: [] },
    tariff: loadTariff('data/de-day-ahead-2020.csv'),
    store: tickets,
    clock: new VirtualClock(Date.UTC(2020, 10, 2, 17)),
    log,
  });
  const events = createEvents(log);
  const staff = openStaffStore({ path: ':memory:', scrypt: TEST_SCRYPT, ...staffOptions });
  for (const n of names) await staff.add(n, BARE_PASSWORD);
  return {
    deps: { helpdesk: { ...helpdesk, on: events.on }, staff, log },
    staff,
    events,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    close() {
      staff.close();
      tickets.close();
    },
  };
}
