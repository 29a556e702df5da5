/**
 * Mass incidents in the dashboard, in real Chromium during a real replay: a batch of failing
 * alternators on one battery model (tests/fixtures/problems/battery-batch.yaml, 3 h at speed 600).
 * The problem appears live as one row of the queue (count, cause, opened, state) while its tickets'
 * own rows are folded away; a click expands it to its tickets, each a link to the ticket.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStaffStore, type StaffStore } from '../../helpdesk/staff/store.js';
import { startDashboard, type RunningDashboard } from '../../helpdesk/web/server.js';
import { silentLogger } from '../../log/logger.js';
import { loadScenario } from '../../scenarios/load.js';
import { replay, type ReplayResult } from '../../scenarios/runner.js';
import { hasChromium, launchChromium, SCREENSHOTS, SKIP_REASON } from './chromium.js';

const PASSWORD = 'correct horse battery';

describe.skipIf(!hasChromium)(hasChromium ? 'a mass incident in the dashboard, in Chromium' : `a mass incident in the dashboard (${SKIP_REASON})`, { timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  let staff: StaffStore;
  let dashboard: RunningDashboard | null = null;
  let release: () => void = () => undefined;
  let replayed: Promise<ReplayResult | undefined> = Promise.resolve(undefined);
  const errors: string[] = [];

  beforeAll(async () => {
    const log = silentLogger();
    staff = openStaffStore({ path: ':memory:' });
    await staff.add('alice', PASSWORD);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
    const hold = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<RunningDashboard>((resolve, reject) => {
      replayed = replay({
        scenario: loadScenario('tests/fixtures/problems/battery-batch.yaml'), log, speed: 600, holdUntil: hold,
        onHelpdesk: (helpdesk) => void startDashboard({ helpdesk, staff, log, port: 0 }).then(resolve, reject),
      });
      replayed.catch(reject);
    });
    dashboard = await started;
    await page.goto(dashboard.url);
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#queue');
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    release();
    await replayed.catch(() => undefined);
    staff?.close();
  });

  it('shows the problem live as one row, its tickets folded away from the flat list', async () => {
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const problem = page.locator('#problems tr.problem');
    await problem.waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // the row grows live as later tickets join: five in the end
    await expect.poll(() => problem.locator('.problem-toggle').textContent(), { timeout: 60_000 }).toBe('▸ 5 tickets');
    expect(await problem.count()).toBe(1);
    const text = await problem.textContent();
    expect(text).toContain("5 battery-discharge tickets on cars with batteries 'VARTA-60' within");
    // opened at the third ticket, on the customers' clock (CET), not the browser's (New York)
    expect(await problem.locator('time').first().textContent()).toMatch(/17:20:01 CET$/);
    // every ticket row of the flat list belongs to the problem: none is shown
    const rows = page.locator('#queue tbody tr[data-id]');
    await expect.poll(() => rows.count()).toBe(5);
    for (const tr of await rows.all()) expect(await tr.isVisible()).toBe(false);
    // the queue's keys skip folded rows: with every ticket in the problem, j selects none
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.locator('#queue tbody tr.selected').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/problems-01-row.png` });
  });

  it('expands to its tickets on a click, each a link to the ticket; resolved once all are', async () => {
    const problem = page.locator('#problems tr.problem');
    await problem.locator('.problem-toggle').click();
    const tickets = page.locator('#problems tr.problem-ticket');
    await expect.poll(() => tickets.count()).toBe(5);
    expect(await problem.locator('.problem-toggle').getAttribute('aria-expanded')).toBe('true');
    expect(await tickets.first().textContent()).toContain('Battery discharge');
    await expect.poll(() => problem.getAttribute('data-state'), { timeout: 60_000 }).toBe('resolved');
    expect(await problem.textContent()).toContain('0 of 5 open');
    await page.screenshot({ path: `${SCREENSHOTS}/problems-02-expanded.png` });
    const first = await tickets.first().getAttribute('data-ticket');
    await tickets.first().locator('a').click();
    await page.waitForSelector('#timeline li');
    expect(page.url()).toContain(`#/tickets/${first}`);
    // back in the queue: the problem row again, folded until clicked
    await page.keyboard.press('Escape');
    await page.locator('#problems tr.problem').waitFor();
    expect(await tickets.count()).toBe(0);
    await problem.locator('.problem-toggle').click();
    await expect.poll(() => tickets.count()).toBe(5);
    expect(errors).toEqual([]);
  });
});
