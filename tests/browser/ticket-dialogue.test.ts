/**
 * The ticket page in real Chromium shows the customer's side: a weak battery's ticket whose booking the
 * customer confirmed through the app (mqtt.js), then asked for a call. The page shows the booking
 * (workshop, slot, replacement car), the call flag, and the answers on the timeline in words.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../contracts/clock.js';
import { deviceTopic, encode, serviceTopic, stamp } from '../../contracts/index.js';
import type { Directory } from '../../helpdesk/directory.js';
import { silentLogger } from '../../log/logger.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../stack/helpdesk-stack.js';
import { hasChromium, launchChromium, SKIP_REASON } from './chromium.js';

const T0 = Date.parse('2020-11-02T12:00:00+01:00');
const PASSWORD = 'correct horse battery';
const DIRECTORY: Directory = {
  customers: [{ id: 'maria', name: 'Maria', home: { lat: 50.9413, lon: 6.9583 }, preferences: { channels: ['app-push'], timeZone: 'Europe/Berlin' }, devices: [{ id: 'car', kind: 'car-battery', customerId: 'maria', name: "Maria's car" }] }],
  stores: [],
  workshops: [{ id: 'autohaus-becker', name: 'Autohaus Becker', location: { lat: 50.952, lon: 6.979 }, services: ['car-battery'], replacementCar: true }],
};

describe.skipIf(!hasChromium)(hasChromium ? "the ticket page shows the customer's side" : `the ticket page (${SKIP_REASON})`, { timeout: 90_000 }, () => {
  let stack: HelpdeskStack;
  let app: MqttClient;
  let browser: Browser;
  let page: Page;
  const clock = new VirtualClock(T0);
  const errors: string[] = [];
  let ticketId = '';
  let seq = 0;
  let sent = 0;

  async function send(client: MqttClient, topic: string, body: object, ts: number): Promise<void> {
    clock.set(ts);
    await client.publishAsync(topic, encode(topic, stamp(body, ts, ++seq)), { qos: 1 });
    await stack.helpdesk.received(++sent);
    stack.helpdesk.advance(ts);
  }

  beforeAll(async () => {
    stack = await startHelpdeskStack({ directory: DIRECTORY, clock, log: silentLogger(), dashboard: { port: 0 }, helpdesk: { cleanSession: true, clientId: 'evernet-helpdesk-ticket-dialogue' } });
    await stack.staff.add('alice', PASSWORD);
    app = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'maria-app' });
    await send(app, deviceTopic('maria', 'car', 'event'), { type: 'crank', minVoltageV: 8.9, restVoltageV: 12.4, currentA: -320, temperatureC: 8, durationMs: 1400 }, T0);
    ticketId = stack.helpdesk.tickets().find((t) => t.kind === 'battery-weak')!.id;
    await send(app, serviceTopic('maria', 'request'), { type: 'reply', requestId: 'r-1', ticketId, answer: 'pick-slot', slotId: 'autohaus-becker-202011030800' }, T0 + 60_000);
    await send(app, serviceTopic('maria', 'request'), { type: 'reply', requestId: 'r-2', ticketId, answer: 'call-me' }, T0 + 120_000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.endAsync();
    await stack?.stop();
  });

  it('shows the booking, the call the customer asked for and their answers', async () => {
    await page.goto(stack.dashboard!.url);
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#queue');
    // the queue flags the call the customer asked for
    await page.waitForSelector(`tr[data-id="${ticketId}"]`);
    expect(await page.locator(`tr[data-id="${ticketId}"] .c-state`).textContent()).toContain('call requested');
    await page.goto(`${stack.dashboard!.url}/#/tickets/${ticketId}`);
    await page.waitForSelector('#booking');
    expect(await page.getAttribute('#booking', 'data-state')).toBe('confirmed');
    expect(await page.locator('#booking dd').allTextContents()).toEqual(['Autohaus Becker', 'Confirmed', expect.stringMatching(/08:00.*10:00/), 'autohaus-becker-car-1']);
    expect(await page.textContent('#call-requested')).toContain('The customer asks for a call.');
    const steps = await page.locator('#timeline li[data-by="customer"] .what').allTextContents();
    expect(steps).toEqual(['The customer picked a slot', 'The customer asks for a call']);
    expect(errors).toEqual([]);
  });
});
