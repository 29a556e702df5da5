/**
 * Group `dashboard`: the dashboard with 10,000 tickets in a real SQLite store (a temp file, WAL),
 * served by a real helpdesk on a real broker (aedes, port 0), on 127.0.0.1 port 0.
 *
 * 1. API listing: a logged-in session GETs /api/v1/tickets (what the queue page asks for: no query,
 *    so every ticket; the API does not paginate) a fixed number of times, 8 at a time, from this
 *    process. Figures: requests/s, tickets returned/s, latency p50/p99.
 * 2. Open-to-visible: the queue open in Chromium (logged in through the form, all 10,000 rows shown);
 *    tickets open the production way (fridge telemetry over MQTT, the door-open detector fires as the
 *    helpdesk's watermark moves, the ticket is stored and announced, the dashboard streams it) one
 *    every 100 ms. Node notes Date.now() right before moving the watermark that opens a ticket; a
 *    MutationObserver in the page notes Date.now() when that ticket's row enters the queue (and the
 *    time of the animation frame after it: `openToPaint`). Then once more with an empty store
 *    (figures suffixed `EmptyStore`), to tell the cost of the live path from that of a big queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { deviceTopic, encode, stamp } from '../contracts/index.js';
import { silentLogger } from '../log/logger.js';
import type { Helpdesk } from '../helpdesk/service.js';
import { startDashboard, type RunningDashboard } from '../helpdesk/web/server.js';
import { VirtualClock } from '../contracts/clock.js';
import { startHelpdeskStack, type HelpdeskStack } from '../stack/helpdesk-stack.js';
import { CHROMIUM_PATH, hasChromium, launchChromium, loginToQueue, observeQueue, rowsSeen } from './dashboard/browser.js';
import { percentile, runLoad } from './dashboard/load.js';
import { benchDirectory, liveCustomerId, seedTickets } from './dashboard/seed.js';

const TICKETS = 10_000;
const SEEDED_CUSTOMERS = 1_000;
const REQUESTS = Number(process.env.EVERNET_BENCH_DASHBOARD_REQUESTS ?? 200);
const CONCURRENCY = 8;
const LOAD_MAX_MS = 120_000;
const OPENINGS = 50;
const SPACING_MS = 100;
const VISIBLE_TIMEOUT_MS = 20_000;
const STAFF = 'bench';
const PASSWORD = 'correct horse battery';
/** 2020-11-02 18:00 CET: the helpdesk's event time when the bench starts; seeded tickets lie before */
const START = Date.UTC(2020, 10, 2, 17, 0, 0);
const S = 1000;

const say = (m: string): void => void process.stderr.write(`bench: dashboard: ${m}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

/** The first reading of live device i: each device's readings are 1 s of event time after the previous one's. */
const firstTs = (i: number): number => START + i * S;
/** the reading that makes device i's door-open detector fire: the door open for 180 s */
const fireTs = (i: number): number => firstTs(i) + 180 * S;

function fridgeReading(ts: number, seq: number) {
  return stamp({ kind: 'fridge' as const, readings: { cabinetTempC: 4.5, ambientTempC: 21, setpointC: 4, doorOpen: true, compressorOn: false, powerW: 2 } }, ts, seq);
}

/** Logs in through the API like the page does; returns the session cookie. */
async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name: STAFF, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login: HTTP ${res.status}`);
  const m = /(?:^|,\s*)evn_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
  if (!m) throw new Error('login: no session cookie');
  return `evn_session=${m[1]}`;
}

async function listing(url: string, cookie: string): Promise<Record<string, number | null>> {
  const headers = { cookie, accept: 'application/json' };
  // warm-up (JIT, statement caches), and the size and count every later response must match
  const first = await fetch(`${url}/api/v1/tickets`, { headers });
  const text = await first.text();
  if (first.status !== 200) throw new Error(`GET /api/v1/tickets: HTTP ${first.status}`);
  const perResponse = (JSON.parse(text) as { tickets: unknown[] }).tickets.length;
  const bytes = Buffer.byteLength(text);
  // one at a time: what a single request costs when nothing else is asked
  const alone = await runLoad({ url: `${url}/api/v1/tickets`, headers, total: 5, concurrency: 1, maxMs: LOAD_MAX_MS, expectBytes: bytes });
  say(`GET /api/v1/tickets returns ${perResponse} tickets in ${(bytes / 1e6).toFixed(1)} MB; ${REQUESTS} requests, ${CONCURRENCY} at a time...`);
  const r = await runLoad({ url: `${url}/api/v1/tickets`, headers, total: REQUESTS, concurrency: CONCURRENCY, maxMs: LOAD_MAX_MS, expectBytes: bytes });
  if (r.requests < REQUESTS) say(`stopped after ${r.requests} requests (${LOAD_MAX_MS / 1000} s bound)`);
  return {
    'dashboard.listRequests': r.requests,
    'dashboard.listRequestsPerSecond': round1(r.requests / r.seconds),
    'dashboard.ticketsListedPerSecond': Math.round((r.requests * perResponse) / r.seconds),
    'dashboard.listP50Ms': round1(percentile(r.latencies, 50)),
    'dashboard.listP99Ms': round1(percentile(r.latencies, 99)),
    'dashboard.listAloneP50Ms': round1(percentile(alone.latencies, 50)),
    'dashboard.listResponseBytes': bytes,
  };
}

async function openToVisible(w: World, suffix: string): Promise<Record<string, number | null>> {
  const { url, helpdesk, clock, opened } = w;
  const f = (name: string): string => `dashboard.${name}${suffix}`;
  const none = { [f('openToVisibleP50Ms')]: null, [f('openToVisibleP99Ms')]: null, [f('openToVisibleSamples')]: null };
  if (!hasChromium()) {
    say(`${CHROMIUM_PATH} is missing (apt-get install -y chromium): the open-to-visible figures are null`);
    return none;
  }
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const loadMs = await loginToQueue(page, url, STAFF, PASSWORD, w.ticketsInStore, 120_000);
    say(`the queue shows ${w.ticketsInStore} tickets ${loadMs} ms after login; opening ${OPENINGS} tickets ${SPACING_MS} ms apart...`);
    await observeQueue(page);
    await sleep(1000);

    const startedAt: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < OPENINGS; i++) {
      const wait = t0 + i * SPACING_MS - Date.now();
      if (wait > 0) await sleep(wait);
      clock.set(fireTs(i));
      startedAt.push(Date.now());
      helpdesk.advance(fireTs(i));
    }
    const missingOpen = Array.from({ length: OPENINGS }, (_, i) => liveCustomerId(i)).filter((c) => !opened.has(c));
    if (missingOpen.length) say(`${missingOpen.length} tickets did not open: ${missingOpen.slice(0, 5).join(', ')}`);

    let seen = await rowsSeen(page);
    const deadline = Date.now() + VISIBLE_TIMEOUT_MS;
    while (Object.keys(seen.seen).length < opened.size && Date.now() < deadline) {
      await sleep(250);
      seen = await rowsSeen(page);
    }
    await sleep(200); // the frame after the last row
    seen = await rowsSeen(page);

    const visible: number[] = [];
    const painted: number[] = [];
    for (let i = 0; i < OPENINGS; i++) {
      const id = opened.get(liveCustomerId(i));
      if (!id) continue;
      const v = seen.seen[id];
      const p = seen.painted[id];
      if (v !== undefined) visible.push(v - startedAt[i]!);
      if (p !== undefined) painted.push(p - startedAt[i]!);
    }
    if (visible.length < opened.size) say(`${opened.size - visible.length} opened tickets never showed within ${VISIBLE_TIMEOUT_MS / 1000} s`);
    if (errors.length) say(`page errors: ${errors.slice(0, 3).join(' | ')}`);
    visible.sort((a, b) => a - b);
    painted.sort((a, b) => a - b);
    return {
      [f('queueLoadMs')]: loadMs,
      [f('openToVisibleP50Ms')]: percentile(visible, 50),
      [f('openToVisibleP99Ms')]: percentile(visible, 99),
      [f('openToVisibleMaxMs')]: visible.length ? visible[visible.length - 1]! : null,
      [f('openToVisibleSamples')]: visible.length,
      [f('openToPaintP50Ms')]: percentile(painted, 50),
      [f('openToPaintP99Ms')]: percentile(painted, 99),
    };
  } finally {
    await browser?.close();
  }
}

interface World {
  url: string;
  helpdesk: Helpdesk;
  clock: VirtualClock;
  /** live customer -> the ticket its door opened */
  opened: Map<string, string>;
  ticketsInStore: number;
}

/**
 * Runs `use` against a fresh world: a store in a temp file with `tickets` seeded tickets, a broker,
 * a helpdesk, every live fridge's door open for 120 s (no ticket yet; the reading at 180 s sits in
 * the helpdesk until its watermark passes it) and the dashboard. Everything is closed afterwards.
 */
async function withWorld<T>(tickets: number, use: (w: World) => Promise<T>): Promise<T> {
  const log = silentLogger();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-bench-dashboard-'));
  const dbPath = path.join(dir, 'helpdesk.db');
  let stack: HelpdeskStack | null = null;
  let dashboard: RunningDashboard | null = null;
  let devices: MqttClient | null = null;
  let off = (): void => undefined;
  try {
    const directory = benchDirectory(SEEDED_CUSTOMERS, OPENINGS);
    const clock = new VirtualClock(START);
    // connected only once the store is seeded (start() resumes what it finds); the dashboard comes last
    stack = await startHelpdeskStack({
      directory, clock, log, db: dbPath, connect: false,
      helpdesk: { clientId: 'evernet-helpdesk-bench', maxClockSkewMs: 24 * 3600_000 }, // telemetry is published ahead of the hand-moved clock
    });
    const { store, staff, helpdesk } = stack;
    const added = await staff.add(STAFF, PASSWORD);
    if (!added.ok) throw new Error(added.error.message);
    let t = performance.now();
    seedTickets(store, directory, tickets, START);
    const ticketsInStore = store.list().length;
    say(`${ticketsInStore} tickets in ${dbPath} (${((performance.now() - t) / 1000).toFixed(1)} s)`);

    await helpdesk.start();
    // this listener comes before the dashboard's
    const opened = new Map<string, string>();
    off = helpdesk.on((e) => {
      if (e.type === 'ticket' && e.note === 'opened' && e.ticket.customerId.startsWith('live-')) opened.set(e.ticket.customerId, e.ticket.id);
    });

    devices = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'bench-devices' });
    t = performance.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < OPENINGS; i++) {
      const topic = deviceTopic(liveCustomerId(i), 'fridge', 'telemetry');
      [0, 60, 120, 180].forEach((s, seq) => sends.push(devices!.publishAsync(topic, encode(topic, fridgeReading(firstTs(i) + s * S, seq)), { qos: 1 })));
    }
    await Promise.all(sends);
    await helpdesk.received(sends.length);
    const held = firstTs(OPENINGS - 1) + 120 * S;
    clock.set(held);
    helpdesk.advance(held);
    if (opened.size) throw new Error(`${opened.size} tickets opened before the bench opened them`);
    say(`${sends.length} telemetry messages through the broker (${Math.round(performance.now() - t)} ms)`);

    dashboard = await startDashboard({ helpdesk, staff, log, port: 0 });
    return await use({ url: dashboard.url, helpdesk, clock, opened, ticketsInStore });
  } finally {
    off();
    await devices?.endAsync().catch(() => undefined);
    await dashboard?.stop().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchDashboard(): Promise<Record<string, number | null>> {
  const figures: Record<string, number | null> = {};
  await withWorld(TICKETS, async (w) => {
    figures['dashboard.ticketsInStore'] = w.ticketsInStore;
    Object.assign(figures, await listing(w.url, await login(w.url)));
    Object.assign(figures, await openToVisible(w, ''));
  });
  // the same with only the bench's own tickets in the store: what the live path costs without the big queue
  if (hasChromium()) {
    say('again with an empty store...');
    await withWorld(0, async (w) => void Object.assign(figures, await openToVisible(w, 'EmptyStore')));
  }
  return figures;
}
