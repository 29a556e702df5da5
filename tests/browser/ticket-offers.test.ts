/**
 * The ticket page in real Chromium shows the customer's next-best offers with their reasons and
 * outcomes: Maria (opted in to offers, a commuter's week behind her) gets the 08:30 upgrade offer, then a
 * weak crank opens a battery ticket; its page lists the offer, and after her answer through the app
 * (mqtt.js) it shows it accepted.
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

const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const AT = Date.parse('2020-11-02T08:30:00+01:00');
const PASSWORD = 'correct horse battery';
const DIRECTORY: Directory = {
  customers: [{ id: 'maria', name: 'Maria', home: { lat: 50.9413, lon: 6.9583 }, preferences: { channels: ['app-push'], timeZone: 'Europe/Berlin' }, devices: [{ id: 'car', kind: 'car-battery', customerId: 'maria', name: "Maria's car" }] }],
  stores: [],
  workshops: [],
};
const HISTORY = [52, 48, 55, 47, 61, 23].map((km, i) => ({ customerId: 'maria', deviceId: 'car', day: `2020-10-${26 + i}`, km, trips: i < 5 ? 2 : 1 }));

describe.skipIf(!hasChromium)(hasChromium ? "the ticket page shows the customer's offers" : `the ticket page's offers (${SKIP_REASON})`, { timeout: 90_000 }, () => {
  let stack: HelpdeskStack;
  let app: MqttClient;
  let browser: Browser;
  let page: Page;
  const clock = new VirtualClock(T0);
  const errors: string[] = [];
  let ticketId = '';
  let offerId = '';
  let sent = 0;
  const seqs = new Map<string, number>();

  async function send(topic: string, body: object, ts: number): Promise<void> {
    clock.set(ts);
    const sender = topic.split('/').slice(0, 4).join('/');
    seqs.set(sender, (seqs.get(sender) ?? 0) + 1);
    await app.publishAsync(topic, encode(topic, stamp(body, ts, seqs.get(sender)!)), { qos: 1 });
    await stack.helpdesk.received(++sent);
    stack.helpdesk.advance(ts);
  }

  beforeAll(async () => {
    stack = await startHelpdeskStack({
      directory: DIRECTORY, clock, log: silentLogger(), dashboard: { port: 0 },
      helpdesk: { cleanSession: true, clientId: 'evernet-helpdesk-ticket-offers', consent: [{ customerId: 'maria', requests: [{ type: 'consent', requestId: 's-1', purpose: 'offers', granted: true }] }], offers: { history: HISTORY } },
    });
    await stack.staff.add('alice', PASSWORD);
    app = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'maria-app' });
    clock.set(AT);
    stack.helpdesk.advance(AT);
    offerId = stack.helpdesk.offers()[0]!.id;
    await send(deviceTopic('maria', 'car', 'event'), { type: 'crank', minVoltageV: 8.9, restVoltageV: 12.4, currentA: -320, temperatureC: 8, durationMs: 1400 }, AT + 60_000);
    ticketId = stack.helpdesk.tickets().find((t) => t.kind === 'battery-weak')!.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.endAsync();
    await stack?.stop();
  });

  it('lists the offer with its reason, then accepted after her answer', async () => {
    await page.goto(stack.dashboard!.url);
    await page.fill('#login-name', 'alice');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#queue');
    await page.goto(`${stack.dashboard!.url}/#/tickets/${ticketId}`);
    await page.waitForSelector(`#offers li[data-offer="${offerId}"]`);
    expect(await page.getAttribute(`#offers li[data-offer="${offerId}"]`, 'data-state')).toBe('offered');
    const text = await page.textContent('#offers');
    expect(text).toContain('Mobility flatrate upgrade');
    expect(text).toContain('08:30:00 CET, via app-push');
    expect(text).toContain('km driven in the 7 days before today: 286 km >= 150 km');
    expect(text).toContain('you drove 286 km on 6 of the last 7 days');

    await send(serviceTopic('maria', 'request'), { type: 'reply', requestId: 'r-1', offerId, answer: 'call-me' }, AT + 120_000);
    await page.reload();
    await page.waitForSelector(`#offers li[data-offer="${offerId}"][data-state="accepted"]`);
    expect(stack.helpdesk.customers.auditOf('maria').filter((e) => e.action === 'GET /api/v1/customers/:id/offers').length).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});
