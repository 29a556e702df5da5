/**
 * The queue in Chromium with more tickets than a page: the first 200 rows, more with "Show more" and
 * on scrolling to the end, live tickets put in their sorted place one row at a time (no other row is
 * touched), the counts, filters, and no row twice after the dashboard restarts (the stream resets).
 * The helpdesk here is a stand-in: a SQLite store with its summary query and events this test emits.
 */
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvents } from '../../helpdesk/events.js';
import { openStaffStore, type StaffStore } from '../../helpdesk/staff/store.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import type { TicketStore } from '../../helpdesk/tickets/store.js';
import type { DashboardHelpdesk } from '../../helpdesk/web/deps.js';
import { startDashboard, type RunningDashboard } from '../../helpdesk/web/server.js';
import { silentLogger } from '../../log/logger.js';
import { hasChromium, launchChromium, SKIP_REASON } from './chromium.js';

const PASSWORD = 'correct horse battery';
const T0 = Date.UTC(2020, 10, 2, 8);
const MIN = 60_000;
const SEEDED = 450;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

const ok = life.ticketOf;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// Chromium shares two cores with the rest of the suite: give each step room (no figures are asserted)
describe.skipIf(!hasChromium)(hasChromium ? 'the queue with many tickets, in Chromium' : `the queue with many tickets (${SKIP_REASON})`, { timeout: 90_000 }, () => {
  const log = silentLogger();
  const events = createEvents(log);
  let store: TicketStore;
  let staff: StaffStore;
  let browser: Browser;
  let page: Page;
  let port: number;
  let dashboard: RunningDashboard | null = null;
  let now = T0 + 2000 * MIN;
  let n = 0;
  const errors: string[] = [];

  const helpdesk: DashboardHelpdesk = {
    tickets: (filter) => store.list(filter),
    ticket: (id) => store.get(id),
    ticketSummaries: (q) => store.summaries(q),
    devices: () => [],
    chart: () => ({ points: [], resolutionMs: 0 }),
    loads: () => ({ total: 0, loads: [], next: null }),
    on: events.on,
    act: () => ({ ok: false, error: { code: 'EVN_ERR_TICKET_STATE', reason: 'not in this test' } }),
    decideDevice: () => ({ ok: false, error: { code: 'EVN_ERR_UNKNOWN_DEVICE', message: 'not in this test' } }),
    now: () => now,
  };

  /** opens a ticket the way the helpdesk does: stored, then announced */
  function openTicket(severity: (typeof SEVERITIES)[number], at = now): life.Ticket {
    const i = n++;
    const t = store.openIdempotent(
      ok(life.open({ incidentKey: `inc-${i}`, customerId: `c${i % 40}`, deviceId: 'car', kind: 'battery-discharge', severity, at, proactive: true })),
    ).ticket;
    events.emit({ type: 'ticket', at, ticket: t, note: 'opened' });
    return t;
  }

  const rowIds = () => page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id!));
  const countText = () => page.textContent('#queue-count');
  const apiIds = async (q: string): Promise<string[]> =>
    page.evaluate(async (url) => ((await (await fetch(url)).json()) as { tickets: Array<{ id: string }> }).tickets.map((t) => t.id), `/api/v1/tickets?${q}&limit=1000`);
  /** counts the rows put into the queue from now on */
  const watchInserts = () =>
    page.evaluate(() => {
      const w = window as unknown as { inserted: string[]; insertions?: MutationObserver };
      w.insertions?.disconnect();
      w.inserted = [];
      w.insertions = new MutationObserver((rs) => { for (const r of rs) for (const node of r.addedNodes) w.inserted.push((node as HTMLElement).dataset.id!); });
      w.insertions.observe(document.querySelector('#queue tbody')!, { childList: true });
    });
  const inserted = () => page.evaluate(() => (window as unknown as { inserted: string[] }).inserted);

  beforeAll(async () => {
    store = openSqliteStore({ path: ':memory:' });
    for (let i = 0; i < SEEDED; i++) {
      const t = store.openIdempotent(
        ok(life.open({ incidentKey: `seed-${i}`, customerId: `c${i % 40}`, deviceId: 'car', kind: 'battery-discharge', severity: SEVERITIES[i % 4]!, at: T0 + i * MIN, proactive: i % 3 > 0 })),
      ).ticket;
      if (i % 2 === 0) store.save(ok(life.resolve(t, { at: T0 + i * MIN + 1000, resolution: 'ok', by: 'helpdesk' })));
    }
    staff = openStaffStore({ path: ':memory:' });
    await staff.add('alice', PASSWORD);
    port = await freePort();
    dashboard = await startDashboard({ helpdesk, staff, log, port });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    store?.close();
    staff?.close();
  });

  it('shows the first page, then more with the button and on scrolling to the end, each ticket once, in the server\'s order', async () => {
    await page.goto(dashboard!.url);
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await expect.poll(countText).toBe(`${SEEDED} of ${SEEDED} tickets · 200 shown`);
    expect(await rowIds()).toHaveLength(200);
    expect(await page.textContent('#queue-more')).toBe('Show 200 more');
    // the button's own click, without scrolling to it: scrolled into view, the end of the list loads the next
    // page by itself (the scroll case below), and a click that scrolls first raced that load (seen in CI)
    await page.locator('#queue-more').dispatchEvent('click');
    await expect.poll(async () => (await rowIds()).length).toBe(400);
    await page.locator('#queue-more').scrollIntoViewIfNeeded();
    await expect.poll(async () => (await rowIds()).length).toBe(SEEDED);
    expect(await page.isHidden('#queue-more')).toBe(true);
    expect(await countText()).toBe(`${SEEDED} of ${SEEDED} tickets`);
    expect(await rowIds()).toEqual(await apiIds('sort=opened&order=desc'));
  });

  it('puts a live ticket in its place as one new row, touching no other row, and counts it', async () => {
    await page.goto(`${dashboard!.url}/#/queue?state=all&severity=all&sort=severity&order=asc`);
    await expect.poll(countText).toBe(`${SEEDED} of ${SEEDED} tickets · 200 shown`);
    await watchInserts();
    now += MIN;
    const critical = openTicket('critical');
    await expect.poll(countText).toBe(`${SEEDED + 1} of ${SEEDED + 1} tickets · 201 shown`);
    expect(await inserted()).toEqual([critical.id]);
    // critical first, oldest first: the newest critical one comes after the other critical ones
    const ids = await rowIds();
    expect(ids.indexOf(critical.id)).toBe((await apiIds('sort=severity&order=asc')).indexOf(critical.id));
    expect(await page.getAttribute(`tr[data-id="${critical.id}"]`, 'class')).toContain('fresh');
    // a low one sorts after the last row shown: it waits for its page rather than showing out of place
    const low = openTicket('low');
    await expect.poll(countText).toBe(`${SEEDED + 2} of ${SEEDED + 2} tickets · 201 shown`);
    expect(await rowIds()).not.toContain(low.id);
    expect(await inserted()).toEqual([critical.id]);
  });

  it('moves or drops just the row of a ticket that changes, following the filter', async () => {
    await page.selectOption('#filter-state', 'open');
    const open = SEEDED / 2 + 2;
    await expect.poll(countText).toBe(`${open} of ${SEEDED + 2} tickets · 200 shown`);
    const [first, second] = await rowIds();
    await watchInserts();
    now += MIN;
    const t = store.get(first!)!;
    const resolved = ok(life.resolve(t, { at: now, resolution: 'fixed', by: 'alice' }));
    store.save(resolved);
    events.emit({ type: 'ticket', at: now, ticket: resolved, note: 'resolved by alice' });
    await expect.poll(countText).toBe(`${open - 1} of ${SEEDED + 2} tickets · 199 shown`);
    expect((await rowIds())[0]).toBe(second);
    expect(await inserted()).toEqual([]);
    // a change to a shown ticket that keeps it in the filter replaces its row in place
    const noted = ok(life.addNote(store.get(second!)!, { at: now, by: 'alice', text: 'mine', detail: { kind: 'assigned', to: 'alice' } }));
    store.save(noted);
    events.emit({ type: 'ticket', at: now, ticket: noted, note: 'assigned to alice' });
    await expect.poll(() => page.textContent(`tr[data-id="${second}"] td.c-state`)).toContain('→ alice');
    expect(await inserted()).toEqual([second]);
    expect((await rowIds())[0]).toBe(second);
  });

  it('keeps j/k working across pages: at the last row, j loads the next page', async () => {
    await page.goto(`${dashboard!.url}/#/queue?state=all&severity=all&sort=opened&order=desc`);
    await expect.poll(countText).toMatch(/· 200 shown$/);
    await page.click('#queue-count');
    const first = await rowIds();
    expect(first).toHaveLength(200);
    // moving down scrolls: near the end the next page loads by itself, else j at the last row loads it
    for (let i = 0; i < 200; i++) await page.keyboard.press('j');
    expect(await page.getAttribute('tr.selected', 'data-id')).toBe(first[199]);
    await page.keyboard.press('j');
    // the next page has loaded (on a slow machine scrolling may already have asked for the one after)
    await expect.poll(async () => (await rowIds()).length >= 400, { timeout: 15_000 }).toBe(true);
    const ids = await rowIds();
    expect(ids.slice(0, 200)).toEqual(first);
    await expect.poll(() => page.getAttribute('tr.selected', 'data-id')).toBe(ids[200]);
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id)).toBe(ids[200]);
    await page.keyboard.press('k');
    expect(await page.getAttribute('tr.selected', 'data-id')).toBe(ids[199]);
    expect(await page.locator('tr.selected').count()).toBe(1);
  });

  it('shows nothing twice when the stream comes back after a restart (reset), and catches up what it missed', async () => {
    await page.goto(`${dashboard!.url}/#/queue?state=all&severity=all&sort=opened&order=desc`);
    await expect.poll(countText).toMatch(/^452 of 452 tickets/);
    await dashboard!.stop();
    now += MIN;
    const missed = openTicket('high'); // nobody listens: the page learns of it after the restart
    dashboard = await startDashboard({ helpdesk, staff, log, port });
    await expect.poll(countText, { timeout: 15_000 }).toMatch(/^453 of 453 tickets/);
    const ids = await rowIds();
    expect(ids[0]).toBe(missed.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual((await apiIds('sort=opened&order=desc')).slice(0, ids.length));
    // and live again
    now += MIN;
    const after = openTicket('medium');
    await expect.poll(async () => (await rowIds())[0]).toBe(after.id);
    expect(await countText()).toMatch(/^454 of 454 tickets/);
    expect(errors).toEqual([]);
  });

  it('a j at the last row while the next page is already on its way waits for it and moves on (not lost)', async () => {
    // loaded afresh, with its first page only
    await page.goto(`${dashboard!.url}/#/queue?state=all&severity=all&sort=opened&order=desc`);
    await page.reload();
    await expect.poll(countText).toMatch(/· 200 shown$/);
    await page.click('#queue-count');
    const first = await rowIds();
    // the next page's answer is held until released: the load that scrolling started is in flight when j comes
    let asked = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/tickets?*cursor=*', async (route) => {
      asked++;
      await held;
      await route.continue();
    });
    try {
      for (let i = 0; i < 200; i++) await page.keyboard.press('j');
      await page.evaluate(() => document.getElementById('queue-more')?.scrollIntoView());
      await expect.poll(() => asked).toBe(1);
      expect(await page.getAttribute('tr.selected', 'data-id')).toBe(first[199]);
      await page.keyboard.press('j');
      release();
      await expect.poll(async () => (await rowIds()).length >= 400, { timeout: 15_000 }).toBe(true);
      const ids = await rowIds();
      await expect.poll(() => page.getAttribute('tr.selected', 'data-id')).toBe(ids[200]);
      expect(asked).toBe(1);
    } finally {
      release();
      await page.unroute('**/tickets?*cursor=*');
    }
  });
});
