/**
 * A ticket keeps its evidence: a real helpdesk stack (embedded broker, SQLite on a file, the dashboard
 * on a real socket) takes a fridge's telemetry over MQTT, opens a door-open ticket, and then hears
 * from the fridge once a minute for three simulated days. Raw readings older than 48 h are gone by
 * then, but the ticket's chart, read through GET /api/v1/tickets/:id/telemetry, still shows every
 * reading of its window as it was sent; a window nobody pinned comes back as one-minute aggregates.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../../contracts/index.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { silentLogger } from '../../../log/logger.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';
import { DEFAULT_WORLD } from '../../../stack/paths.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { TEST_SCRYPT } from '../web/bare.js';

const T0 = Date.parse('2020-11-02T18:00:00+01:00');
const MIN = 60_000;
const HOUR = 60 * MIN;
const PASSWORD = 'correct horse battery';

let stack: HelpdeskStack | null = null;
let fridge: MqttClient | null = null;
afterEach(async () => {
  await fridge?.endAsync();
  await stack?.stop();
  fridge = null;
  stack = null;
});

describe("a ticket's telemetry chart", () => {
  const dir = tempDirPerTest('evernet-evidence-');

  it('still shows the readings of its evidence window three simulated days later, through the dashboard', async () => {
    const clock = new VirtualClock(T0);
    stack = await startHelpdeskStack({
      directory: directoryOf(loadScenario(DEFAULT_WORLD)), clock, log: silentLogger(), db: dir.join('helpdesk.db'),
      dashboard: { port: 0 }, staff: { scrypt: TEST_SCRYPT }, helpdesk: { clientId: 'evernet-helpdesk-evidence', cleanSession: true },
    });
    const { helpdesk, dashboard, brokerUrl } = stack;
    await stack.staff.add('alice', PASSWORD);
    fridge = await mqtt.connectAsync(brokerUrl, { clientId: 'evernet-maria-fridge' });
    const topic = deviceTopic('maria', 'fridge', 'telemetry');
    const sent: number[] = [];
    const send = async (ts: number, doorOpen: boolean) => {
      sent.push(ts);
      const readings = { cabinetTempC: doorOpen ? 9 : 4.5, ambientTempC: 21, setpointC: 4, doorOpen, compressorOn: true, powerW: 120 };
      await fridge!.publishAsync(topic, JSON.stringify({ v: 1, ts, seq: sent.length, kind: 'fridge', readings }), { qos: 1 });
    };
    /** what the helpdesk does at the end of each window of a replay */
    const settle = async (to: number) => {
      await helpdesk.received(sent.length);
      helpdesk.advance(to);
    };

    // ten minutes at 1 Hz: the door open for the first 400 s -> a ticket, then closed -> resolved
    clock.set(T0 + 600_000);
    for (let s = 1; s <= 600; s++) await send(T0 + s * 1000, s <= 400);
    await settle(T0 + 600_000);
    const ticket = helpdesk.tickets().find((t) => t.kind === 'fridge-door-open')!;
    expect(ticket).toBeDefined();

    // three days of one reading a minute, six hours per window
    const end = T0 + 72 * HOUR + 10 * MIN;
    for (let from = T0 + 600_000; from < end; from += 6 * HOUR) {
      const to = Math.min(from + 6 * HOUR, end);
      clock.set(to);
      for (let ts = from + MIN; ts <= to; ts += MIN) await send(ts, false);
      await settle(to);
    }
    expect(clock.now() - ticket.openedAt).toBeGreaterThan(72 * HOUR);

    const login = await fetch(`${dashboard!.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const get = async (path: string) => {
      const res = await fetch(`${dashboard!.url}/api/v1${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return (await res.json()) as { from: number; to: number; resolutionMs: number; points: Array<{ ts: number; readings: Record<string, unknown>; count?: number }> };
    };

    const chart = await get(`/tickets/${ticket.id}/telemetry`);
    expect(chart.resolutionMs).toBe(0);
    expect(chart.to).toBeGreaterThan(ticket.openedAt);
    expect(chart.points.map((p) => p.ts)).toEqual(sent.filter((ts) => ts >= chart.from && ts <= chart.to));
    expect(chart.points.length).toBeGreaterThan(400);
    expect(chart.points[0]!.readings).toMatchObject({ doorOpen: true, cabinetTempC: 9 });

    // retention did run: an unpinned stretch of the first day has no raw rows left, only its minutes
    expect(stack.telemetry.rawFloor()).toBeGreaterThan(end - 48 * HOUR - 30 * MIN);
    expect(stack.telemetry.raw('maria/fridge', T0 + 3 * HOUR, T0 + 4 * HOUR)).toEqual([]);
    const old = await get(`/devices/maria/fridge/telemetry?from=${T0 + 3 * HOUR}&to=${T0 + 4 * HOUR}`);
    expect(old.resolutionMs).toBe(MIN);
    expect(old.points).toHaveLength(61);
    expect(old.points.every((p) => p.count === 1 && p.readings.doorOpen === 0)).toBe(true);

    // three days at once: the minutes, in buckets of 3 so that at most 1,500 points come back
    const days = await get(`/devices/maria/fridge/telemetry?minutes=${3 * 24 * 60}`);
    expect(days.resolutionMs).toBe(3 * MIN);
    expect(days.points.length).toBeLessThanOrEqual(1500);
    // a window is at most 7 days: every minute of it is merged
    for (const q of [`minutes=${7 * 24 * 60 + 1}`, `from=${T0}&to=${T0 + 7 * 24 * HOUR + 1}`]) {
      const res = await fetch(`${dashboard!.url}/api/v1/devices/maria/fridge/telemetry?${q}`, { headers: { cookie } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('EVN_ERR_INPUT');
    }
  }, 60_000);
});
