/** Devices and deferrable loads, against a real helpdesk. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridLoadAt, priceAt } from '../../../helpdesk/schedule/tariff.js';
import { buildApp } from '../../../helpdesk/web/app.js';
import { login, startFixture, type Fixture } from './fixture.js';

let f: Fixture;
let app: FastifyInstance;
let cookie: string;
beforeAll(async () => {
  f = await startFixture();
  app = buildApp({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log });
  cookie = (await login(app)).cookie;
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});
const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });

describe('devices', () => {
  it('lists each device with kind, owner, availability, last reading and open tickets', async () => {
    const { devices } = (await get('/api/v1/devices')).json();
    expect(devices.map((d: { deviceId: string; kind: string; customer: string; openTickets: number }) => [d.deviceId, d.kind, d.customer, d.openTickets])).toEqual([
      ['car', 'car-battery', 'Maria', 0],
      ['fridge', 'fridge', 'Maria', 2],
      ['washer', 'washer', 'Maria', 0],
    ]);
    // the replay is over: its devices said goodbye
    expect(devices.every((d: { online: boolean | null }) => d.online === false)).toBe(true);
    expect(devices[1]).toMatchObject({ lastTs: f.scenario.endMs, last: { doorOpen: true, setpointC: 4 } });
    // with the owner's zone, in which the page shows every time of the device
    expect(devices.map((d: { timeZone: string }) => d.timeZone)).toEqual(['Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin']);
  });

  it('shows one device with its tickets, newest first', async () => {
    const body = (await get('/api/v1/devices/maria/fridge')).json();
    expect(body.device).toMatchObject({ deviceId: 'fridge', name: "Maria's fridge" });
    expect(body.tickets.map((t: { kind: string }) => t.kind)).toEqual(['fridge-warm', 'fridge-door-open']);
  });

  it('gives telemetry of the last minutes, or of a window in event time', async () => {
    const last = (await get('/api/v1/devices/maria/car/telemetry?minutes=5')).json();
    expect(last.points).toHaveLength(301);
    expect(last.to).toBe(f.scenario.endMs);
    const from = f.scenario.startMs + 60_000;
    const win = (await get(`/api/v1/devices/maria/car/telemetry?from=${from}&to=${from + 9_000}`)).json();
    expect(win.points.map((p: { ts: number }) => p.ts - from)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => s * 1000));
    expect(win.points[0].readings).toHaveProperty('voltageV');
  });

  it('answers an unknown device with 404 and a bad window with 400 field errors', async () => {
    for (const url of ['/api/v1/devices/maria/toaster', '/api/v1/devices/nobody/car/telemetry']) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('EVN_ERR_DEVICE_NOT_FOUND');
    }
    const cases: Array<[string, string]> = [['minutes=0', 'query.minutes'], ['minutes=abc', 'query.minutes'], ['from=x', 'query.from'], ['from=20&to=10', 'query.from']];
    for (const [q, field] of cases) {
      const res = await get(`/api/v1/devices/maria/car/telemetry?${q}`);
      expect([q, res.statusCode]).toEqual([q, 400]);
      expect(res.json().error.fields).toHaveProperty([field]);
    }
  });
});

describe('loads', () => {
  it('lists the washer plan with planned start, cost, optimum and start-now cost', async () => {
    const { loads } = (await get('/api/v1/loads')).json();
    expect(loads).toHaveLength(1);
    const l = loads[0];
    expect(l).toMatchObject({ deviceId: 'washer', offerId: 'maria-wash-1', programme: 'cotton-40', planError: null, timeZone: 'Europe/Berlin' });
    expect(l).toMatchObject({ basis: 'prices', basisNote: 'day-ahead prices (de-day-ahead-2020.csv)' });
    expect(l.plannedStart).toBeGreaterThan(l.requestedAt);
    expect(l.plannedEnd).toBe(l.plannedStart + l.durationS * 1000);
    expect(l.plannedEnd).toBeLessThanOrEqual(l.deadline);
    expect(l.optimalCostEur).toBeLessThan(l.startNowCostEur);
    expect(l.savingEur).toBeCloseTo(l.startNowCostEur - l.optimalCostEur, 12);
  });

  it('gives the prices of the plan window, slot by slot, with the plan inside it', async () => {
    const body = (await get('/api/v1/loads/maria/maria-wash-1')).json();
    expect(body.load.timeZone).toBe('Europe/Berlin');
    const { slots } = body.tariff;
    expect(body.tariff).toMatchObject({ source: 'day-ahead prices (de-day-ahead-2020.csv)', fallback: null, slotMs: 3_600_000 });
    expect(slots[0].start).toBe(Math.floor(body.load.requestedAt / 3_600_000) * 3_600_000);
    expect(slots[slots.length - 1].start + 3_600_000).toBeGreaterThanOrEqual(body.load.deadline);
    const year = f.tariff.current().primary.slice(slots[0].start, body.load.deadline);
    for (const h of slots) expect(h).toEqual({ start: h.start, eurPerMwh: priceAt(year, h.start), gridLoadMw: gridLoadAt(year, h.start), fallback: false });
    expect(slots.some((h: { start: number }) => h.start <= body.load.plannedStart && body.load.plannedStart < h.start + 3_600_000)).toBe(true);
  });

  it('answers an unknown load with 404', async () => {
    const res = await get('/api/v1/loads/maria/no-such-offer');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('EVN_ERR_LOAD_NOT_FOUND');
  });
});
