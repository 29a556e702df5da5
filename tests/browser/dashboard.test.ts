/**
 * The dashboard in real Chromium during a real replay: the day in 2020 sliced to 18:30-19:00 at
 * speed 100 (18 s of wall time), with the fridge door left open at 18:37. Staff log in, watch
 * tickets arrive live, open them, send a remote command the device confirms, resolve and reopen,
 * and see field errors for bad input. The replay is held open at its end (holdUntil) until the
 * test is done, so the dashboard keeps its helpdesk.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { openStaffStore, type StaffStore } from '../../helpdesk/staff/store.js';
import { startDashboard, type RunningDashboard } from '../../helpdesk/web/server.js';
import { replay } from '../../scenarios/runner.js';
import { slicedDay } from '../helpdesk/web/fixture.js';
import { hasChromium, launchChromium, SCREENSHOTS, SKIP_REASON } from './chromium.js';

const PASSWORD = 'correct horse battery';
const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });

// Chromium shares two cores with the rest of the suite: give each step room (no figures are asserted)
describe.skipIf(!hasChromium)(hasChromium ? 'the dashboard in Chromium, during a replay' : `the dashboard in Chromium (${SKIP_REASON})`, { timeout: 90_000 }, () => {
  let browser: Browser;
  let page: Page;
  let staff: StaffStore;
  let dashboard: RunningDashboard | null = null;
  let release: () => void = () => undefined;
  let replayed: Promise<unknown> = Promise.resolve();
  const errors: string[] = [];

  beforeAll(async () => {
    const log = silentLogger();
    staff = openStaffStore({ path: ':memory:' });
    await staff.add('alice', PASSWORD);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
    const hold = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<RunningDashboard>((resolve, reject) => {
      replayed = replay({
        scenario: slicedDay('18:30', '19:00'), log, speed: 100, holdUntil: hold,
        onHelpdesk: (helpdesk) => void startDashboard({ helpdesk, staff, tariff: loadTariff('data/de-day-ahead-2020.csv'), log, port: 0 }).then(resolve, reject),
      });
      replayed.catch(reject);
    });
    dashboard = await started;
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    release();
    await replayed.catch(() => undefined);
    staff?.close();
  });

  it('logs in, with a field error for a missing name first', async () => {
    await page.goto(dashboard!.url);
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await expect.poll(() => page.textContent('#login-name-err')).toBe('enter your name');
    expect(await page.getAttribute('#login-name', 'aria-invalid')).toBe('true');
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#queue');
    expect(await page.textContent('#who')).toBe('alice');
  });

  it('shows the battery ticket as it opens, without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const empty = await page.locator('.empty h2').textContent();
    await shot(page, '01-queue-waiting');
    await page.waitForSelector('tr[data-kind="battery-discharge"]', { timeout: 30_000 });
    expect(empty).toBe('No tickets yet');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    const row = page.locator('tr[data-kind="battery-discharge"]');
    await expect.poll(() => row.locator('td').nth(2).textContent()).toContain('proactive');
    expect(await row.locator('td').nth(1).textContent()).toContain("Maria's car");
    await page.waitForSelector('tr[data-kind="fridge-door-open"]');
    await shot(page, '02-queue-live');
  });

  it('sends a remote command to the fridge: a bad value shows a field error, a good one is confirmed by the device', async () => {
    await page.click('tr[data-kind="fridge-door-open"] a');
    await page.waitForSelector('#timeline li');
    await page.click('details[data-action="command"] summary');
    await page.selectOption('details[data-action="command"] select[data-field="command.action"]', 'set-setpoint');
    const celsius = page.locator('[data-field="command.celsius"]');
    await celsius.fill('99');
    await page.click('form[data-action="command"] button[type=submit]');
    const err = page.locator('form[data-action="command"] .field-error:not([hidden])');
    await expect.poll(() => err.textContent()).toMatch(/20/);
    expect(await celsius.getAttribute('aria-invalid')).toBe('true');
    await shot(page, '03-command-field-error');
    await celsius.fill('3');
    await page.click('form[data-action="command"] button[type=submit]');
    await page.waitForSelector('#timeline li[data-step="action-sent"][data-by="alice"]');
    await page.waitForSelector('#timeline li[data-step="action-confirmed"][data-by="fridge"]', { timeout: 20_000 });
    expect(await page.textContent('#ticket-state')).toBe('Action sent');
  });

  it('opens the battery ticket: evidence, the chart with the detection point, and the ticket reaching "resolved"', async () => {
    await page.keyboard.press('Escape');
    await page.waitForSelector('#queue');
    await page.click('tr[data-kind="battery-discharge"] a');
    await page.waitForSelector('#evidence');
    expect(await page.textContent('#evidence')).toContain('discharging at 28 A');
    await page.waitForSelector('#ticket-chart canvas');
    await expect.poll(async () => Number(await page.getAttribute('#ticket-chart', 'data-points'))).toBeGreaterThan(100);
    await expect.poll(() => page.textContent('#ticket-state'), { timeout: 20_000 }).toBe('Resolved');
    await page.waitForTimeout(1200); // the chart reloads with the resolution marked
    const steps = await page.locator('#timeline li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.step));
    expect(steps).toEqual(['opened', 'contacted', 'action-sent', 'action-confirmed', 'resolved']);
    // the customer's consent, read-only: the defaults, but for offers, which Maria opted in to in her app (the scenario's consent:)
    await page.waitForSelector('#consent dl');
    expect(await page.locator('#consent dd').allTextContents()).toEqual(['yes', 'yes', 'no', 'none', 'as registered', 'no cap']);
    // her offers (the day's comes at 08:30, before this slice of the evening)
    await expect.poll(() => page.textContent('#offers')).toContain('No offers made.');
    await expect.poll(() => page.textContent('#toast'), { timeout: 6000 }).toBe('');
    // the README's picture: refreshed on purpose only, so a test run leaves the work tree clean
    if (process.env.EVERNET_UPDATE_DOCS) await page.screenshot({ path: 'docs/ticket-detail.png', fullPage: true });
    await shot(page, '04-ticket-detail', true);
  });

  it('sends a message to the car on the live ticket and sees it on the timeline with who sent it', async () => {
    await page.click('details[data-action="command"] summary');
    await page.selectOption('details[data-action="command"] select[data-field="command.action"]', 'display-message');
    await page.fill('[data-field="command.text"]', 'Please book the workshop check.');
    await page.click('form[data-action="command"] button[type=submit]');
    const sent = page.locator('#timeline li[data-step="note"][data-by="alice"]');
    await expect.poll(() => sent.textContent()).toContain('display-message');
  });

  it('resolves another ticket with a note (an empty note is a field error), then reopens it', async () => {
    await page.goto(`${dashboard!.url}/#/queue`);
    await page.click('tr[data-kind="fridge-door-open"] a');
    await page.waitForSelector('details[data-action="resolve"]');
    await page.click('details[data-action="resolve"] summary');
    await page.click('form[data-action="resolve"] button[type=submit]');
    await expect.poll(() => page.locator('form[data-action="resolve"] .field-error:not([hidden])').textContent()).toBe('write a note');
    await page.fill('form[data-action="resolve"] [data-field="note"]', 'Maria closed the door; set point back to normal.');
    await page.click('form[data-action="resolve"] button[type=submit]');
    await expect.poll(() => page.textContent('#ticket-state')).toBe('Resolved');
    expect(await page.isHidden('details[data-action="resolve"]')).toBe(true);
    await page.click('details[data-action="reopen"] summary');
    await page.fill('form[data-action="reopen"] [data-field="note"]', 'The door alarm is back.');
    await page.click('form[data-action="reopen"] button[type=submit]');
    await expect.poll(() => page.textContent('#ticket-state')).toBe('Opened');
    const last = page.locator('#timeline li').last();
    expect(await last.getAttribute('data-by')).toBe('alice');
    expect(await last.textContent()).toContain('The door alarm is back.');
  });

  it('is keyboard friendly: j/k move in the queue, Enter opens, Esc comes back; every ticket shows once', async () => {
    await page.goto(`${dashboard!.url}/#/queue?state=all&severity=all&sort=opened&order=asc`);
    await page.waitForSelector('tr[data-kind="fridge-warm"]', { timeout: 30_000 });
    await page.click('#queue-count');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await page.getAttribute('tr.selected', 'data-kind')).toBe('fridge-door-open');
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.kind)).toBe('fridge-door-open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('article.ticket #timeline li');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#queue');
    const ids = await page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('filters by state and severity', async () => {
    await page.selectOption('#filter-state', 'resolved');
    await expect.poll(() => page.locator('#queue tbody tr').count()).toBe(1);
    expect(await page.getAttribute('#queue tbody tr', 'data-kind')).toBe('battery-discharge');
    await page.selectOption('#filter-state', 'all');
    await page.selectOption('#filter-severity', 'low');
    await expect.poll(() => page.locator('.empty h2').textContent()).toBe('No tickets match these filters');
    await page.selectOption('#filter-severity', 'all');
  });

  it('shows the devices, a device with its live chart, and the washer plan on the tariff', async () => {
    await page.click('nav a[data-section="devices"]');
    await expect.poll(() => page.locator('#devices tbody tr').count()).toBe(3);
    await shot(page, '05-devices');
    await page.click('tr[data-device="maria/fridge"] a');
    await page.waitForSelector('#device-chart canvas');
    expect(await page.textContent('#readings')).toContain('Setpoint (°C)3');
    await shot(page, '06-device-detail');
    await page.click('nav a[data-section="loads"]');
    await page.waitForSelector('section.load svg.tariff rect.bar-run');
    expect(await page.textContent('[data-figure="optimum"] b')).toMatch(/^€0\.\d{4}$/);
    expect(await page.textContent('[data-figure="planned"] b')).toBe('02:52:30 CET');
    expect(await page.textContent('section.load [data-basis="prices"]')).toBe('Planned on day-ahead prices (de-day-ahead-2020.csv)');
    await shot(page, '07-loads');
  });

  it('works in a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.click('nav a[data-section="queue"]');
    await page.waitForSelector('#queue tbody tr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '08-queue-narrow', true);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });
});
