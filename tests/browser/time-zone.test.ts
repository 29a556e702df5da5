/**
 * Times on the dashboard are the customer's, whatever zone the browser is in. Chromium runs in New
 * York (the zone overridden through CDP, Emulation.setTimezoneOverride, which playwright's timezoneId
 * sets) with an American locale, and looks at Maria's tickets of the day in 2020 in Köln: every time
 * reads CET with the zone named, none is in the browser's zone, and the ticket's timeline shows the
 * text each contact sent. The helpdesk is the web tests' fixture (a real stack and a real replay).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../helpdesk/web/public/js/time.js';
import { startDashboard, type RunningDashboard } from '../../helpdesk/web/server.js';
import { PASSWORD, startFixture, type Fixture } from '../helpdesk/web/fixture.js';
import { hasChromium, launchChromium, SCREENSHOTS, SKIP_REASON } from './chromium.js';

const BROWSER_ZONE = 'America/New_York';
/** a time written in the browser's zone would carry one of these */
const NEW_YORK = /\b(EST|EDT|GMT-5|GMT-4|UTC-05:00)\b/;

describe.skipIf(!hasChromium)(hasChromium ? "the dashboard in Chromium in another zone: the customer's times" : `the dashboard in another zone (${SKIP_REASON})`, { timeout: 90_000 }, () => {
  let f: Fixture;
  let browser: Browser;
  let page: Page;
  let dashboard: RunningDashboard;
  const errors: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    f = await startFixture();
    for (const t of f.helpdesk.tickets()) ids[t.kind] = t.id;
    dashboard = await startDashboard({ helpdesk: f.helpdesk, staff: f.staff, tariff: f.tariff, log: f.log, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: BROWSER_ZONE, locale: 'en-US' });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(dashboard.url);
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#queue tbody tr');
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await f?.close();
  });

  it('runs in New York: the browser itself would write these times five hours earlier', async () => {
    const own = await page.evaluate((at) => ({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone, hour: new Date(at).getHours() }), f.helpdesk.ticket(ids['battery-discharge']!)!.openedAt);
    expect(own).toEqual({ zone: BROWSER_ZONE, hour: 12 });
  });

  it("shows the queue's times and the event-time clock in CET", async () => {
    const battery = f.helpdesk.ticket(ids['battery-discharge']!)!;
    const row = page.locator(`tr[data-id="${battery.id}"]`);
    expect(await row.locator('time').first().textContent()).toBe(formatTime(battery.openedAt, 'Europe/Berlin', { date: true }));
    expect(await row.locator('time').first().textContent()).toMatch(/^2 Nov 2020 18:4\d:\d\d CET$/);
    await expect.poll(() => page.textContent('#clock')).toMatch(/^event time 2 Nov 2020 \d\d:\d\d:\d\d CET$/);
    expect(await page.textContent('#main')).not.toMatch(NEW_YORK);
  });

  it("shows the ticket in the customer's zone, named, with the text of every contact on its timeline", async () => {
    const battery = f.helpdesk.ticket(ids['battery-discharge']!)!;
    await page.click(`tr[data-id="${battery.id}"] a`);
    await page.waitForSelector('#timeline li[data-step="contacted"]');
    expect(await page.textContent('#ticket-zone')).toBe("customer's time: CET (Europe/Berlin)");
    expect(await page.locator('.head .meta time').first().textContent()).toBe(formatTime(battery.openedAt, 'Europe/Berlin', { date: true }));
    // each timeline entry at its own time, in CET
    const whens = await page.locator('#timeline li .when time').allTextContents();
    expect(whens).toEqual(battery.timeline.map((e, i) => formatTime(e.at, 'Europe/Berlin', { date: i === 0 })));
    expect(whens.every((w) => / CET$/.test(w))).toBe(true);
    // what the car's display said to Maria, word for word
    const contacted = page.locator('#timeline li[data-step="contacted"]');
    const sent = battery.timeline.find((e) => e.step === 'contacted')!.detail.contact as { text: string };
    expect(await contacted.locator('blockquote.message').textContent()).toBe(sent.text);
    expect(sent.text).toMatch(/^Hello Maria, we noticed that your car battery/);
    expect(await contacted.textContent()).toContain('via car-display, shown on car');
    // the chart's note and the resolution, in the same clock
    await page.waitForSelector('#ticket-chart canvas');
    await expect.poll(() => page.textContent('.legend-note')).toMatch(/detected at 18:4\d:\d\d CET/);
    expect(await page.textContent('#main')).not.toMatch(NEW_YORK);
    await page.screenshot({ path: `${SCREENSHOTS}/tz-ticket-new-york.png`, fullPage: true });
  });

  it('shows a contact staff make, with its text, at once', async () => {
    await page.goto(`${dashboard.url}/#/tickets/${ids['fridge-door-open']}`);
    await page.waitForSelector('details[data-action="contact"]');
    await page.click('details[data-action="contact"] summary');
    const text = 'Hello Maria, your fridge door seems to be open. Could you check it?';
    await page.fill('form[data-action="contact"] [data-field="text"]', text);
    await page.click('form[data-action="contact"] button[type=submit]');
    const mine = page.locator('#timeline li[data-by="alice"]').last();
    await expect.poll(() => mine.locator('blockquote.message').textContent()).toBe(text);
    expect(await mine.locator('.when time').textContent()).toMatch(/^\d\d:\d\d:\d\d CET$/);
  });

  it("shows the devices and the washer's plan in CET too", async () => {
    await page.goto(`${dashboard.url}/#/devices/maria/fridge`);
    await page.waitForSelector('#readings time');
    expect(await page.textContent('#readings time')).toMatch(/^\d\d:\d\d:\d\d CET$/);
    expect(await page.locator('#device-tickets time').first().textContent()).toMatch(/^2 Nov 2020 \d\d:\d\d:\d\d CET$/);
    await page.goto(`${dashboard.url}/#/loads`);
    await page.waitForSelector('section.load svg.tariff');
    expect(await page.textContent('[data-figure="planned"] b')).toMatch(/^\d\d:\d\d:\d\d CET$/);
    expect(await page.textContent('section.load svg.tariff')).toContain('time: CET (Europe/Berlin)');
    expect(await page.textContent('#main')).not.toMatch(NEW_YORK);
    expect(errors).toEqual([]);
  });
});
