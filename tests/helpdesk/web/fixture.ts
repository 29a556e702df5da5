/**
 * A real helpdesk for the dashboard tests: startHelpdeskStack (an aedes broker on port 0, SQLite in
 * memory, the bundled tariff) with a small directory. Its tickets come from a replay of the day in
 * 2020 sliced to 18:35-19:00 (with the fridge door left open at 18:37 and the washer loaded at 18:36)
 * on the same broker: this helpdesk listens alongside the replay's own, then decides window by window
 * on its own virtual clock, so its tickets are the replay's: fridge-door-open (contacted),
 * battery-discharge (resolved) and fridge-warm (escalated), plus one washer plan.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { RunningBroker } from '../../../broker/server.js';
import { silentLogger } from '../../../log/logger.js';
import type { Directory } from '../../../helpdesk/directory.js';
import type { Helpdesk } from '../../../helpdesk/service.js';
import type { StaffStore } from '../../../helpdesk/staff/store.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
import type { TicketStore } from '../../../helpdesk/tickets/store.js';
import type { TariffProvider } from '../../../helpdesk/tariffs/provider.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { parseScenario, type LoadedScenario } from '../../../scenarios/load.js';
import { replay } from '../../../scenarios/runner.js';

export const PASSWORD = 'correct horse battery';

/** The day in 2020, 18:35-19:00 local, with two more incidents for the dashboard to show. */
export function slicedDay(start = '18:35', end = '19:00'): LoadedScenario {
  const text = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
    .replace(/^start: .*$/m, `start: "2020-11-02T${start}:00+01:00"`)
    .replace(/^end: .*$/m, `end: "2020-11-02T${end}:00+01:00"`)
    .replace('randomDoorOpeningsPerDay: 10', 'randomDoorOpeningsPerDay: 0\n          doorOpenings:\n            - { at: "2020-11-02T18:37:00+01:00", durationS: 3600 }')
    .replace('at: "2020-11-02T20:30:00+01:00"', 'at: "2020-11-02T18:36:00+01:00"');
  return parseScenario(text, 'scenarios/dashboard-slice.yaml');
}

const DIRECTORY: Directory = {
  customers: [
    {
      id: 'maria',
      name: 'Maria',
      home: { lat: 50.9413, lon: 6.9583 },
      preferences: { channels: ['app-push', 'sms', 'email'], quietHours: { from: '22:00', to: '07:00' }, phone: '+49 221 5550100', timeZone: 'Europe/Berlin', timeZoneOffsetMinutes: 60 },
      devices: [
        { id: 'car', kind: 'car-battery', customerId: 'maria', name: "Maria's car (12 V battery)" },
        { id: 'fridge', kind: 'fridge', customerId: 'maria', name: "Maria's fridge" },
        { id: 'washer', kind: 'washer', customerId: 'maria', name: "Maria's washing machine" },
      ],
    },
  ],
  stores: [],
  workshops: [{ id: 'autohaus-becker', name: 'Autohaus Becker', location: { lat: 50.952, lon: 6.979 }, services: ['car-battery'], replacementCar: true }],
};

export interface Fixture {
  broker: RunningBroker;
  helpdesk: Helpdesk;
  /** the helpdesk's ticket store */
  store: TicketStore;
  staff: StaffStore;
  tariff: TariffProvider;
  scenario: LoadedScenario;
  log: Logger;
  close(): Promise<void>;
}

async function settled(count: () => number, quietMs = 300, maxMs = 5000): Promise<void> {
  let last = -1;
  for (let waited = 0; waited < maxMs; waited += quietMs) {
    const now = count();
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

export async function startFixture(): Promise<Fixture> {
  const log = silentLogger();
  const scenario = slicedDay();
  const clock = new VirtualClock(scenario.startMs);
  // it listens while the replay runs and decides afterwards, window by window: its clock lags on purpose
  const stack = await startHelpdeskStack({
    directory: DIRECTORY, clock, log,
    helpdesk: { clientId: 'evernet-helpdesk-dashboard-test', maxClockSkewMs: 24 * 3600_000 },
  });
  const { helpdesk, store, staff, tariff } = stack;
  const broker = stack.broker!;
  let theirs: Helpdesk | null = null;
  await replay({ scenario, log, brokerUrl: broker.url, onHelpdesk: (h) => (theirs = h) });
  await helpdesk.received((theirs as Helpdesk | null)?.stats().received ?? 0);
  await settled(() => helpdesk.stats().received);
  const windowMs = scenario.scenario.windowS * 1000;
  for (let t = scenario.startMs + windowMs; t <= scenario.endMs; t += windowMs) {
    clock.set(t);
    helpdesk.advance(t);
  }
  await staff.add('alice', PASSWORD);
  await staff.add('bob', PASSWORD);
  return {
    broker, helpdesk, store, staff, tariff, scenario, log,
    close: () => stack.stop(),
  };
}

/** Logs in through the API; returns the cookie header and the CSRF token. */
export async function login(app: { inject: (o: object) => Promise<{ statusCode: number; json(): unknown; cookies: Array<{ name: string; value: string }> }> }, name = 'alice') {
  const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name, password: PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode}`);
  const c = res.cookies.find((x) => x.name === 'evn_session')!;
  const body = res.json() as { csrf: string };
  return { cookie: `evn_session=${c.value}`, csrf: body.csrf };
}
