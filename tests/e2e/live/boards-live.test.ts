/**
 * Done for issue 11, with real processes only: `evernet helpdesk` on a fresh database (no --world)
 * and `evernet board --simulate` against it, as docs/boards.md tells a newcomer. Each board announces
 * itself, waits as pending, is accepted by a logged-in staff member through the dashboard's API, shows
 * as online in GET /api/v1/devices, and then:
 *
 *   fridge  the door held open opens a fridge-door-open ticket;
 *   washer  its flex offer is planned on the prices a local HTTP price server serves for the day in
 *           aWATTar's format (15-minute slots), and the board starts it at the planned time;
 *   car     a current sensor and a failing alternator (the engine runs, the battery discharges) open
 *           a battery-discharge ticket.
 *
 * Every process runs on the same scaled clock (--clock-start/--clock-rate/--clock-origin), so hours
 * of event time take seconds. Processes get TZ=Europe/Berlin: the washer board's "done by 07:00" is
 * the computer's local time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPriceServer, awattarBody, type PriceServer } from '../../helpers/price-server.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { evernet, evernetRun, staffSession, stopAll, type EvernetProc } from './processes.js';

const PASSWORD = 'correct horse battery';
const ENV = { TZ: 'Europe/Berlin' };
const tmp = tempDirPerTest('evernet-live-');

interface DeviceRow {
  customerId: string;
  deviceId: string;
  state: string;
  online: boolean | null;
  kind: string;
}
interface TicketRow {
  id: string;
  deviceId: string;
  kind: string;
  state: string;
}
interface LoadRow {
  deviceId: string;
  state: string;
  plannedStart: number | null;
  actualStart: number | null;
  basis: string | null;
}

/** polls f every 200 ms until it returns a value (not undefined) or ms pass */
async function eventually<T>(f: () => Promise<T | undefined>, ms: number, what: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startHelpdesk(clock: string[], extra: string[] = []) {
  const db = tmp.join('helpdesk.db');
  const added = await evernetRun(['staff', 'add', 'alice', '--db', db, '--password-stdin'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);
  const helpdesk = evernet(['helpdesk', '--db', db, '--mqtt-port', '0', '--http', '127.0.0.1:0', '--log-level', 'warn', ...clock, ...extra], { env: ENV });
  const m = await helpdesk.waitFor(/dashboard at (http:\/\/\S+), MQTT at (mqtt:\/\/[^,\s]+)/);
  const staff = await staffSession(m[1]!, 'alice', PASSWORD);
  return { helpdesk, dashboard: m[1]!, mqtt: m[2]!, staff };
}

function startBoard(file: string, mqtt: string, clock: string[], fault?: string): EvernetProc {
  return evernet(['board', '--config', file, '--simulate', ...(fault ? ['--simulate-fault', fault] : []), '--broker', mqtt, '--no-discovery', '--log-level', 'warn', ...clock], { env: ENV });
}

/** the board waits as pending; staff accept it; it shows as active and online */
async function accept(staff: Awaited<ReturnType<typeof startHelpdesk>>['staff'], deviceId: string, kind: string, logs: () => string): Promise<DeviceRow> {
  const row = async () => ((await staff.get('/devices')).body as { devices: DeviceRow[] }).devices.find((d) => d.customerId === 'maria' && d.deviceId === deviceId);
  const pending = await eventually(async () => ((await row())?.state === 'pending' ? row() : undefined), 20_000, () => `maria/${deviceId} pending: ${logs()}`);
  expect(pending).toMatchObject({ kind });
  const r = await staff.post(`/devices/maria/${deviceId}/accept`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return eventually(async () => {
    const d = await row();
    return d?.state === 'active' && d.online === true ? d : undefined;
  }, 20_000, () => `maria/${deviceId} active and online: ${logs()}`);
}

const ticketsOf = async (staff: Awaited<ReturnType<typeof startHelpdesk>>['staff'], deviceId: string) =>
  ((await staff.get('/tickets?limit=100')).body as { tickets: TicketRow[] }).tickets.filter((t) => t.deviceId === deviceId);

/** a scaled clock shared by every process of one test: event time `start` at wall time now, `rate` times faster */
function sharedClock(start: string, rate: number): string[] {
  return ['--clock-start', start, '--clock-rate', String(rate), '--clock-origin', new Date().toISOString()];
}

// real processes on a scaled clock: each step may wait up to a minute on a loaded machine (the waits inside say what they wait for)
describe('a live helpdesk that real board processes join', { timeout: 180_000 }, () => {
  let prices: PriceServer | null = null;
  beforeEach(() => {
    prices = null;
  });
  afterEach(async () => {
    await stopAll();
    await prices?.close();
  });

  it('fridge: a fresh helpdesk, the board announces itself, is accepted and online, and its door held open opens a ticket', async () => {
    const clock = sharedClock('2026-11-30T17:00:00Z', 20);
    const { helpdesk, staff } = await startHelpdesk(clock);
    const devices = (await staff.get('/devices')).body as { devices: DeviceRow[] };
    expect(devices.devices).toEqual([]);
    const board = startBoard('boards/fridge.yaml', (await helpdesk.waitFor(/MQTT at (mqtt:\/\/[^,\s]+)/))[1]!, clock, 'door-left-open');
    const logs = () => `helpdesk: ${helpdesk.stderr().slice(-2000)}\nboard: ${board.stderr().slice(-2000)}`;
    await board.waitFor(/is online at/);
    await accept(staff, 'board-fridge', 'fridge', logs);
    const ticket = await eventually(async () => (await ticketsOf(staff, 'board-fridge')).find((t) => t.kind === 'fridge-door-open'), 60_000, () => `a fridge-door-open ticket: ${logs()}`);
    expect(ticket.state).not.toBe('resolved');
    // nothing but that: no other kind of ticket for the board
    expect((await ticketsOf(staff, 'board-fridge')).map((t) => t.kind)).toEqual(['fridge-door-open']);
  });

  it("washer: the offer is planned on the day's prices from a local price server and the board starts it at the planned time", async () => {
    // 00:30 Berlin on 1 December 2026; prices are cheap from 02:00 to 04:15 only: the 2-hour programme starts at 02:00
    const start = Date.parse('2026-12-01T00:30:00+01:00');
    const cheapFrom = Date.parse('2026-12-01T02:00:00+01:00');
    const dayStart = Date.parse('2026-12-01T00:00:00+01:00');
    const quarter = 15 * 60_000;
    const values = Array.from({ length: 2 * 96 }, (_, i) => {
      const t = dayStart + i * quarter;
      return t >= cheapFrom && t < cheapFrom + 9 * quarter ? 10 : 100;
    });
    prices = await startPriceServer({ body: awattarBody(dayStart, quarter, values) });
    const clock = sharedClock(new Date(start).toISOString(), 300);
    const { helpdesk, staff, mqtt } = await startHelpdesk(clock, ['--tariff', prices.url]);
    expect(helpdesk.stderr()).toMatch(/tariff: .*127\.0\.0\.1/);
    const board = startBoard('boards/washer.yaml', mqtt, clock);
    const logs = () => `helpdesk: ${helpdesk.stderr().slice(-3000)}\nboard: ${board.stderr().slice(-3000)}`;
    await board.waitFor(/is online at/);
    // armed at start while still pending: the offer is sent again until a plan comes
    await accept(staff, 'board-washer', 'washer', logs);
    const load = async () => ((await staff.get('/loads?limit=10')).body as { loads: LoadRow[] }).loads.find((l) => l.deviceId === 'board-washer');
    const planned = await eventually(async () => ((await load())?.plannedStart != null ? load() : undefined), 30_000, () => `a planned load: ${logs()}`);
    expect(planned).toMatchObject({ basis: 'prices', plannedStart: cheapFrom });
    const started = await eventually(async () => ((await load())?.actualStart != null ? load() : undefined), 60_000, () => `the load started: ${logs()}`);
    // pressed at the planned time, to the board's step on this clock (a 100 ms tick is 30 s of event time)
    expect(started.actualStart! - cheapFrom).toBeGreaterThanOrEqual(0);
    expect(started.actualStart! - cheapFrom).toBeLessThanOrEqual(60_000);
    expect(started.state).toBe('running');
  });

  it('car: the board measures current; a failing alternator while driving opens a battery-discharge ticket', async () => {
    const clock = sharedClock('2026-11-30T16:30:00Z', 30);
    const { helpdesk, staff, mqtt } = await startHelpdesk(clock);
    const board = startBoard('boards/car-battery.yaml', mqtt, clock, 'failing-alternator');
    const logs = () => `helpdesk: ${helpdesk.stderr().slice(-2000)}\nboard: ${board.stderr().slice(-2000)}`;
    const online = await board.waitFor(/it measures ([^;]+);/);
    expect(online[1]).toMatch(/currentA/);
    await accept(staff, 'board-car', 'car-battery', logs);
    const ticket = await eventually(async () => (await ticketsOf(staff, 'board-car')).find((t) => t.kind === 'battery-discharge'), 90_000, () => `a battery-discharge ticket: ${logs()}`);
    expect(ticket.deviceId).toBe('board-car');
  });
});
