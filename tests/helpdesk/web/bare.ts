/**
 * A dashboard on real parts without the day's replay, for tests where the tickets are not the point:
 * a real helpdesk (startHelpdeskStack on in-memory SQLite, never connected to a broker;
 * its live events are the test's to emit), a real staff store with a low scrypt cost, and a pino
 * logger whose JSON lines the test can read.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createEvents } from '../../../helpdesk/events.js';
import type { StaffStore, StaffStoreOptions } from '../../../helpdesk/staff/store.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
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
  // never connected: its live events are the test's to emit
  const stack = await startHelpdeskStack({
    brokerUrl: 'mqtt://127.0.0.1:9', connect: false,
    directory: { customers: [], stores: [], workshops: [] },
    clock: new VirtualClock(Date.UTC(2020, 10, 2, 17)),
    log,
    staff: { scrypt: TEST_SCRYPT, ...staffOptions },
  });
  const { helpdesk, staff } = stack;
  const events = createEvents(log);
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
      void stack.stop();
    },
  };
}
