/**
 * The dashboard's pending devices in real Chromium: a device that announced itself through the open
 * broker is listed as waiting, with Accept and Reject; a staff member accepts it and it moves to the
 * device list, and the helpdesk processes its telemetry from then on.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, SCREENSHOTS, SKIP_REASON } from '../../browser/chromium.js';
import { FRIDGE_ANNOUNCE, FRIDGE_READINGS, PASSWORD, rawDevice, startDesk, T0, type Desk } from './fixture.js';

describe.skipIf(!hasChromium)(hasChromium ? 'pending devices in the dashboard, in Chromium' : `pending devices in the dashboard (${SKIP_REASON})`, { timeout: 60_000 }, () => {
  let browser: Browser;
  let page: Page;
  let d: Desk;
  let dev: Awaited<ReturnType<typeof rawDevice>>;
  const errors: string[] = [];

  beforeAll(async () => {
    d = await startDesk();
    dev = await rawDevice(d.stack.brokerUrl, 'maria', 'board-fridge');
    await dev.announce(FRIDGE_ANNOUNCE, T0);
    await d.settle(1, T0);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.close();
    await d?.stop();
  });

  it('lists the announced device as waiting, accepts it on a click, and shows it among the devices', async () => {
    await page.goto(`${d.stack.dashboard!.url}/#/devices`);
    await page.fill('#login-name', 'anna');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    const waiting = page.locator('#pending tr[data-device="maria/board-fridge"]');
    await waiting.waitFor();
    expect(await page.isVisible('#pending-devices')).toBe(true);
    expect(await waiting.textContent()).toContain('announced itself');
    // last heard: its announce, in its customer's zone (UTC for a customer the registry made up)
    expect(await waiting.locator('time').getAttribute('datetime')).toBe(new Date(T0).toISOString());
    expect(await page.locator('#devices tr[data-device="maria/board-fridge"]').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/registry-pending.png` });

    await waiting.getByRole('button', { name: 'Accept' }).click();
    await page.locator('#devices tr[data-device="maria/board-fridge"]').waitFor();
    await expect.poll(() => page.isHidden('#pending-devices')).toBe(true);
    expect(d.stack.registry.device('maria', 'board-fridge')).toMatchObject({ state: 'active', decidedBy: 'anna' });

    await dev.telemetry('fridge', FRIDGE_READINGS, T0 + 1000);
    await d.settle(2, T0 + 1000);
    expect(d.stack.helpdesk.devices().find((x) => x.deviceId === 'board-fridge')!.lastTs).toBe(T0 + 1000);
    expect(errors).toEqual([]);
  });
});
