/**
 * The customer side end to end, with real parts: a helpdesk stack on a SQLite file, its embedded
 * broker on port 0, the customer's app and devices as mqtt.js clients, staff on the dashboard's API
 * over real HTTP. The customer opts out of a channel and of service contacts; staff view their data;
 * the app and staff export it; it is erased; a second export holds no personal data.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { deviceTopic, encode, serviceTopic, stamp } from '../../../contracts/index.js';
import type { Directory } from '../../../helpdesk/directory.js';
import type { CustomerExport } from '../../../helpdesk/customers/export.js';
import { silentLogger } from '../../../log/logger.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';

const T0 = Date.parse('2020-11-02T12:00:00+01:00');
const MIN = 60_000;
const PASSWORD = 'correct horse battery';
const DIRECTORY: Directory = {
  customers: [
    {
      id: 'maria',
      name: 'Maria Schmidt',
      home: { lat: 50.9413, lon: 6.9583 },
      // no phone: sms is skipped, so without app-push the contact goes by email
      preferences: { channels: ['app-push', 'sms', 'email'], email: 'maria@example.org', timeZone: 'Europe/Berlin' },
      devices: [
        { id: 'fridge', kind: 'fridge', customerId: 'maria', name: "Maria's fridge" },
        { id: 'car', kind: 'car-battery', customerId: 'maria', name: "Maria's car" },
        { id: 'washer', kind: 'washer', customerId: 'maria', name: "Maria's washer" },
      ],
    },
  ],
  stores: [],
  workshops: [],
};
const FRIDGE = { kind: 'fridge', readings: { cabinetTempC: 4.2, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 2 } };
const CAR = { kind: 'car-battery', readings: { voltageV: 12.6, currentA: -0.03, loadA: 0.03, temperatureC: 10, engineRunning: false, speedKmh: 0, batterySaver: false } };

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

describe('the customer side, end to end', { timeout: 60_000 }, () => {
  let dir: string;
  let stack: HelpdeskStack;
  const clock = new VirtualClock(T0);
  let app: MqttClient;
  let devices: MqttClient;
  const received: Received[] = [];
  const seqs = new Map<string, number>();
  let sent = 0;
  let cookie = '';
  let csrf = '';

  /** publishes a stamped message and waits until the helpdesk has it */
  async function send(topic: string, body: object, ts: number): Promise<void> {
    const sender = topic.split('/').slice(0, 4).join('/');
    const seq = (seqs.get(sender) ?? 0) + 1;
    seqs.set(sender, seq);
    await (topic.includes('/_app/') ? app : devices).publishAsync(topic, encode(topic, stamp(body, ts, seq)), { qos: 1 });
    await stack.helpdesk.received(++sent);
  }
  const request = (body: object, ts: number) => send(serviceTopic('maria', 'request'), body, ts);

  /** moves event time and the watermark to t */
  function step(t: number): void {
    clock.set(t);
    stack.helpdesk.advance(t);
  }

  async function until<T>(find: () => T | undefined, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const x = find();
      if (x !== undefined) return x;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const answers = (requestId: string) => received.filter((m) => m.topic.endsWith('/_helpdesk/answer') && m.payload.requestId === requestId);
  const answer = (requestId: string) => until(() => answers(requestId)[0]?.payload, `the answer to ${requestId}`);
  const contactsOf = (ticketId: string) => received.filter((m) => m.topic.endsWith('/_helpdesk/contact') && m.payload.ticketId === ticketId);
  const openTicket = (deviceId: string) => until(() => stack.helpdesk.tickets().find((t) => t.deviceId === deviceId && t.kind === 'device-offline'), `a ticket for ${deviceId}`);

  async function api(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${stack.dashboard!.url}/api/v1${path}`, {
      method,
      headers: { cookie, ...(method === 'POST' ? { 'x-csrf-token': csrf, 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evernet-customers-'));
    stack = await startHelpdeskStack({
      directory: DIRECTORY, clock, log: silentLogger(), db: join(dir, 'helpdesk.db'), dashboard: { port: 0 },
      helpdesk: { cleanSession: true, clientId: 'evernet-helpdesk-customers-test' },
    });
    await stack.staff.add('alice', PASSWORD);
    app = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'maria-app' });
    app.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await app.subscribeAsync([serviceTopic('maria', 'answer'), serviceTopic('maria', 'contact')], { qos: 1 });
    devices = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'maria-devices' });
    const login = await fetch(`${stack.dashboard!.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    csrf = ((await login.json()) as { csrf: string }).csrf;
  });

  afterAll(async () => {
    await app?.endAsync();
    await devices?.endAsync();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let fridgeTicket = '';
  let carTicket = '';

  it('answers a consent change with an unknown purpose with a coded error and changes nothing', async () => {
    await request({ type: 'consent', requestId: 'r-bad', purpose: 'marketing', granted: true }, T0);
    step(T0);
    expect(await answer('r-bad')).toMatchObject({ type: 'consent', ok: false, error: { code: 'EVN_ERR_CONSENT_PURPOSE' } });
    const view = stack.helpdesk.customers.consent('maria');
    expect(view.ok && view.value.history).toEqual([]);
    expect(view.ok && view.value.consent.updatedAt).toBeNull();
  });

  it('sends a service contact only on a channel the customer allows: app-push refused, so email', async () => {
    await request({ type: 'consent', requestId: 'r-no-push', purpose: 'service', channel: 'app-push', granted: false }, T0 + 1000);
    await send(deviceTopic('maria', 'fridge', 'telemetry'), FRIDGE, T0 + 2000);
    await send(deviceTopic('maria', 'fridge', 'availability'), { state: 'offline', kind: 'fridge', reason: 'will' }, T0 + 3000);
    step(T0 + 3000);
    expect(await answer('r-no-push')).toMatchObject({ ok: true, consent: { purposes: { service: { granted: true, channels: { 'app-push': false } } } } });
    // offline for ten minutes: the silence watch opens a ticket and the customer is told
    step(T0 + 14 * MIN);
    const t = await openTicket('fridge');
    fridgeTicket = t.id;
    const contacts = await until(() => (contactsOf(t.id).length ? contactsOf(t.id) : undefined), 'the contact');
    expect(contacts.map((c) => c.payload.channel)).toEqual(['email']);
    const entry = t.timeline.find((e) => e.step === 'contacted')!;
    expect(entry.detail).toMatchObject({ channel: 'email' });
    expect(String(entry.detail.reason)).toContain('app-push (refused by the customer)');
  });

  it('sends nothing when the customer refuses service contacts, and notes why on the ticket', async () => {
    await request({ type: 'consent', requestId: 'r-no-service', purpose: 'service', granted: false }, T0 + 15 * MIN);
    await send(deviceTopic('maria', 'car', 'telemetry'), CAR, T0 + 15 * MIN + 1000);
    await send(deviceTopic('maria', 'car', 'availability'), { state: 'offline', kind: 'car-battery', reason: 'will' }, T0 + 15 * MIN + 2000);
    step(T0 + 15 * MIN + 2000);
    await answer('r-no-service');
    step(T0 + 27 * MIN);
    const t = await openTicket('car');
    carTicket = t.id;
    await new Promise((r) => setTimeout(r, 200));
    expect(contactsOf(t.id)).toEqual([]);
    expect(t.state).toBe('opened');
    const note = t.timeline.find((e) => e.step === 'note' && e.detail.kind === 'not-sent')!;
    expect(note.detail).toMatchObject({ code: 'EVN_ERR_CONSENT_NO_CHANNEL', purpose: 'service' });
    expect(String(note.detail.reason)).toMatch(/^Not sent/);
  });

  it('shows staff the consent read-only and its history, and answers an unknown customer with a code', async () => {
    const r = await api('GET', '/customers/maria/consent');
    expect(r.status).toBe(200);
    expect((r.body.history as Array<{ at: number; by: string }>).map((h) => [h.at, h.by])).toEqual([[T0 + 1000, 'customer'], [T0 + 15 * MIN, 'customer']]);
    expect(r.body.consent).toMatchObject({ purposes: { service: { granted: false } } });
    const unknown = await api('GET', '/customers/nobody/consent');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'EVN_ERR_UNKNOWN_CUSTOMER' } } });
    expect(await api('GET', '/customers/nobody/export')).toMatchObject({ status: 404, body: { error: { code: 'EVN_ERR_UNKNOWN_CUSTOMER' } } });
  });

  it("exports every contact's text and every staff view, through the API and through the app", async () => {
    // what else the helpdesk holds: a washer's load, a recipe answer and the fridge's inventory
    const offer = { type: 'flex-offer', offerId: 'wash-1', programme: 'cotton-40', earliestStart: T0 + 27 * MIN, latestEnd: T0 + 600 * MIN, slots: [{ durationS: 3600, powerW: 500 }] };
    await send(deviceTopic('maria', 'washer', 'event'), offer, T0 + 27 * MIN + 500);
    await send(deviceTopic('maria', 'fridge', 'event'), { type: 'inventory', items: [{ name: 'milk', quantity: 1, unit: 'l' }] }, T0 + 27 * MIN + 1000);
    await request({ type: 'recipe', requestId: 'r-soup', recipe: { name: 'leek soup', ingredients: [{ name: 'leek', quantity: 2, unit: 'pc' }] }, location: { lat: 50.94, lon: 6.96 } }, T0 + 27 * MIN + 2000);
    step(T0 + 27 * MIN + 2000);
    await answer('r-soup');
    expect((await api('GET', `/tickets/${fridgeTicket}`)).status).toBe(200);
    expect((await api('GET', '/devices/maria/fridge')).status).toBe(200);
    const { status, body } = await api('GET', '/customers/maria/export');
    expect(status).toBe(200);
    const doc = body as unknown as CustomerExport;
    const mqttText = contactsOf(fridgeTicket)[0]!.payload.text;
    expect(doc.contactTexts).toEqual([expect.objectContaining({ ticketId: fridgeTicket, channel: 'email', text: mqttText })]);
    expect(doc.tickets.map((t) => t.id).sort()).toEqual([fridgeTicket, carTicket].sort());
    expect(doc.contacts.map((c) => [c.ticketId, c.sent, c.channel])).toEqual([[fridgeTicket, true, 'email'], [carTicket, false, null]]);
    expect(doc.profile).toMatchObject({ name: 'Maria Schmidt', preferences: { email: 'maria@example.org' } });
    expect(doc.telemetry.find((d) => d.deviceId === 'fridge')!.raw).toHaveLength(1);
    expect(doc.consent.history).toHaveLength(2);
    expect(doc.activity).toMatchObject({ shopping: [{ recipe: 'leek soup' }], inventory: [{ deviceId: 'fridge', items: [{ name: 'milk' }] }], loads: [{ deviceId: 'washer', offerId: 'wash-1' }] });
    const views = doc.audit.map((a) => [a.by, a.action]);
    expect(views).toEqual([
      ['alice', 'GET /api/v1/customers/:id/consent'],
      ['alice', 'GET /api/v1/tickets/:id'],
      ['alice', 'GET /api/v1/devices/:customerId/:deviceId'],
      ['alice', 'GET /api/v1/customers/:id/export'],
    ]);

    await request({ type: 'export', requestId: 'r-export' }, T0 + 28 * MIN);
    step(T0 + 28 * MIN);
    const first = (await answer('r-export')).export as { parts: number };
    const parts = await until(() => (answers('r-export').length === first.parts ? answers('r-export') : undefined), 'every part');
    const p = parts.map((m) => m.payload.export as { part: number; sha256: string; bytes: number; chunk: string }).sort((a, b) => a.part - b.part);
    const bytes = gunzipSync(Buffer.concat(p.map((x) => Buffer.from(x.chunk, 'base64'))));
    expect(bytes.length).toBe(p[0]!.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(p[0]!.sha256);
    const own = JSON.parse(bytes.toString('utf8')) as CustomerExport;
    expect(own.contactTexts.map((c) => c.text)).toEqual([mqttText]);
    expect(own.audit.at(-1)).toMatchObject({ by: 'customer', action: 'app export' });
  });

  it('refuses an erasure while a device is online, and one through the app that does not confirm', async () => {
    await send(deviceTopic('maria', 'car', 'availability'), { state: 'online', kind: 'car-battery', reason: 'connected' }, T0 + 29 * MIN);
    await request({ type: 'erase', requestId: 'r-erase-1', confirm: 'mario' }, T0 + 29 * MIN);
    step(T0 + 29 * MIN);
    expect(await answer('r-erase-1')).toMatchObject({ ok: false, error: { code: 'EVN_ERR_ERASE_CONFIRM' } });
    expect(await api('POST', '/customers/maria/erase')).toMatchObject({ status: 409, body: { error: { code: 'EVN_ERR_ERASE_ONLINE' } } });
    expect(stack.registry.customer('maria')).toBeDefined();
  });

  it('erases: telemetry, contacts and registry gone, tickets pseudonymised, a second export without personal data', async () => {
    await send(deviceTopic('maria', 'car', 'availability'), { state: 'offline', kind: 'car-battery', reason: 'will' }, T0 + 30 * MIN);
    await request({ type: 'erase', requestId: 'r-erase-2', confirm: 'maria' }, T0 + 30 * MIN + 1000);
    step(T0 + 30 * MIN + 1000);
    const erased = await answer('r-erase-2');
    expect(erased.error).toBeUndefined();
    expect(erased).toMatchObject({ ok: true, erased: { ticketsPseudonymised: 2, telemetryRaw: 2, contacts: 2, consentChanges: 2 } });

    expect(erased).toMatchObject({ erased: { shopping: 1, inventories: 1, loads: 1, devices: 3 } });
    expect(stack.loads.page({ customerId: 'maria' }).total).toBe(0);
    expect(stack.registry.customer('maria')).toBeUndefined();
    expect(stack.helpdesk.shopping()).toEqual([]);
    expect(stack.telemetry.raw('maria/fridge', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    const tickets = stack.helpdesk.tickets();
    expect(tickets).toHaveLength(2);
    for (const t of tickets) {
      expect(t.customerId).toMatch(/^p-[0-9a-f]{20}$/);
      expect(t.deviceId).toMatch(/^d-[0-9a-f]{12}$/);
      expect(t.kind).toBe('device-offline');
      expect(JSON.stringify(t)).not.toMatch(/maria|fridge|car|text|reason/i);
    }
    // the same customer, the same pseudonym: their tickets still count together
    expect(new Set(tickets.map((t) => t.customerId)).size).toBe(1);

    const { status, body } = await api('GET', '/customers/maria/export');
    expect(status).toBe(200);
    const doc = body as unknown as CustomerExport;
    expect(doc).toMatchObject({ profile: null, devices: [], contacts: [], contactTexts: [], notifications: [], tickets: [], telemetry: [], audit: [], activity: { shopping: [], inventory: [], loads: [] } });
    expect(doc.consent.history).toEqual([]);
    expect(doc.erasure).toMatchObject({ by: 'customer', counts: { ticketsPseudonymised: 2 } });
    const text = JSON.stringify({ ...doc, customerId: undefined });
    for (const personal of ['maria', 'Schmidt', 'example.org', 'fridge', 'washer', 'leek', 'milk', 'p-']) expect(text).not.toContain(personal);
    // the view is audited under the pseudonym, not under the erased id
    expect(stack.customers.auditOf('maria')).toEqual([]);
    expect(stack.customers.auditOf(tickets[0]!.customerId).map((a) => a.action)).toContain('GET /api/v1/customers/:id/export');
  });
});
