/**
 * Next-best offers end to end with real parts: a helpdesk stack on a SQLite file, its embedded broker
 * on port 0, the customers' apps as mqtt.js clients, staff on the dashboard's API over real HTTP. At
 * 08:30 local the customers who opted in get their offer (or have it held back by their quiet hours or
 * cap); one who did not opt in gets nothing; an answer through the app is recorded once; an offer not
 * answered in 12 hours expires.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { Contact, encode, serviceTopic, stamp } from '../../../contracts/index.js';
import type { CustomerExport } from '../../../helpdesk/customers/export.js';
import type { Directory, DirectoryCustomer } from '../../../helpdesk/directory.js';
import type { UsageDay } from '../../../helpdesk/offers/usage.js';
import { silentLogger } from '../../../log/logger.js';
import { startHelpdeskStack, type HelpdeskStack } from '../../../stack/helpdesk-stack.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const AT = Date.parse('2020-11-02T08:30:00+01:00');
const MIN = 60_000;
const PASSWORD = 'correct horse battery';
const NAMES = ['maria', 'jonas', 'lena', 'ben', 'paul'] as const;
const customer = (id: string): DirectoryCustomer => ({
  id, name: id[0]!.toUpperCase() + id.slice(1), home: { lat: 50.9413, lon: 6.9583 },
  preferences: { channels: ['app-push', 'sms', 'email'], email: `${id}@example.org`, timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' } },
  devices: [{ id: 'car', kind: 'car-battery', customerId: id, name: 'car' }],
});
const DIRECTORY: Directory = { customers: NAMES.map(customer), stores: [], workshops: [] };
// every one of them drove 286 km on 6 of the 7 days before, commuting on 5
const HISTORY: UsageDay[] = NAMES.flatMap((c) =>
  [52, 48, 55, 47, 61, 23].map((km, i) => ({ customerId: c, deviceId: 'car', day: `2020-10-${26 + i}`, km, trips: i < 5 ? 2 : 1 })),
);
const optIn = (id: string) => ({ type: 'consent' as const, requestId: `seed-${id}`, purpose: 'offers', granted: true });
const CONSENT = [
  { customerId: 'maria', requests: [optIn('m')] },
  { customerId: 'jonas', requests: [optIn('j')] },
  // her own quiet hours cover 08:30
  { customerId: 'lena', requests: [optIn('l'), { type: 'preferences' as const, requestId: 'seed-l2', quietHours: { from: '08:00', to: '09:00' } }] },
  // no contact a day
  { customerId: 'ben', requests: [optIn('b'), { type: 'preferences' as const, requestId: 'seed-b2', maxContactsPerDay: 0 }] },
  // paul never opted in
];

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

describe('next-best offers through the helpdesk', { timeout: 60_000 }, () => {
  let dir: string;
  let stack: HelpdeskStack;
  const clock = new VirtualClock(T0);
  const apps = new Map<string, MqttClient>();
  const received: Received[] = [];
  let sent = 0;
  const seqs = new Map<string, number>();
  let cookie = '';

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
  /** the app of `who` sends a reply and the helpdesk processes it at `ts` */
  async function reply(who: string, body: Record<string, unknown>, ts: number): Promise<Record<string, unknown>> {
    const topic = serviceTopic(who, 'request');
    clock.set(ts);
    await apps.get(who)!.publishAsync(topic, encode(topic, stamp({ type: 'reply', ...body }, ts, seqs.set(who, (seqs.get(who) ?? 0) + 1).get(who)!)), { qos: 1 });
    await stack.helpdesk.received(++sent);
    step(ts);
    return until(() => received.find((m) => m.topic === serviceTopic(who, 'answer') && m.payload.requestId === body.requestId)?.payload, `the answer to ${String(body.requestId)}`);
  }
  const contacts = (who: string) => received.filter((m) => m.topic === serviceTopic(who, 'contact'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evernet-offers-'));
    stack = await startHelpdeskStack({
      directory: DIRECTORY, clock, log: silentLogger(), db: join(dir, 'helpdesk.db'), dashboard: { port: 0 },
      helpdesk: { cleanSession: true, clientId: 'evernet-helpdesk-offers-test', consent: CONSENT, offers: { history: HISTORY } },
    });
    await stack.staff.add('alice', PASSWORD);
    for (const who of NAMES) {
      const app = await mqtt.connectAsync(stack.brokerUrl, { clientId: `${who}-app` });
      app.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
      await app.subscribeAsync([serviceTopic(who, 'answer'), serviceTopic(who, 'contact')], { qos: 1 });
      apps.set(who, app);
    }
    const login = await fetch(`${stack.dashboard!.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: PASSWORD }) });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  });

  afterAll(async () => {
    for (const app of apps.values()) await app.endAsync();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let offerId = '';

  it('sends nothing before the moment, then at 08:30 the upgrade on the first channel, with the rule and the data in its reason', async () => {
    for (let t = T0; t < AT; t += 10_000) step(t);
    expect(stack.helpdesk.offers()).toEqual([]);
    step(AT);
    const msg = await until(() => contacts('maria')[0], "Maria's offer");
    expect(Contact.safeParse(msg.payload).success).toBe(true);
    expect(msg.payload).toMatchObject({ ts: AT, ticketId: '', deviceId: 'car', channel: 'app-push', text: expect.stringContaining('you drove 286 km on 6 of the last 7 days') });
    offerId = String(msg.payload.offerId);
    expect(offerId).toMatch(/^o-[0-9a-f]{12}$/);
    const [o] = stack.helpdesk.customers.offers('maria');
    expect(o).toMatchObject({ id: offerId, rule: 'mobility-flatrate-upgrade', state: 'offered', channel: 'app-push', expiresAt: AT + 12 * 60 * MIN });
    expect(o!.reason).toContain('km driven in the 7 days before today: 286 km >= 150 km');
  });

  it('sends nothing to a customer who did not opt in, nor in quiet hours or over the cap: those are held with their code', async () => {
    await until(() => contacts('jonas')[0], "Jonas's offer");
    await new Promise((r) => setTimeout(r, 200));
    expect(contacts('paul')).toEqual([]);
    expect(contacts('lena')).toEqual([]);
    expect(contacts('ben')).toEqual([]);
    expect(stack.helpdesk.customers.offers('paul')).toEqual([]);
    expect(stack.helpdesk.customers.offers('lena')).toMatchObject([{ state: 'held', channel: null, code: 'EVN_ERR_OFFER_QUIET_HOURS' }]);
    expect(stack.helpdesk.customers.offers('ben')).toMatchObject([{ state: 'held', channel: null, code: 'EVN_ERR_OFFER_CAP' }]);
    // nothing more the same day, however far the watermark moves
    step(AT + 60 * MIN);
    expect(stack.helpdesk.offers()).toHaveLength(4);
  });

  it('records the answer once: accepted; a second answer, an unknown offer and a slot are coded errors that change nothing', async () => {
    expect(await reply('maria', { requestId: 'r-1', offerId, answer: 'call-me' }, AT + 70 * MIN)).toMatchObject({ type: 'reply', ok: true, offer: { offerId, state: 'accepted' } });
    expect(await reply('maria', { requestId: 'r-2', offerId, answer: 'decline' }, AT + 71 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_OFFER_ANSWERED' } });
    expect(await reply('maria', { requestId: 'r-3', offerId: 'o-000000000000', answer: 'decline' }, AT + 72 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REPLY_UNKNOWN_OFFER' } });
    // another customer's offer is unknown to her
    const jonas = stack.helpdesk.customers.offers('jonas')[0]!.id;
    expect(await reply('maria', { requestId: 'r-4', offerId: jonas, answer: 'accept-fix' }, AT + 73 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_REPLY_UNKNOWN_OFFER' } });
    expect(await reply('jonas', { requestId: 'r-5', offerId: jonas, answer: 'pick-slot', slotId: 'x-1' }, AT + 74 * MIN)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_OFFER_ANSWER' } });
    expect(stack.helpdesk.customers.offers('maria')[0]).toMatchObject({ state: 'accepted', closedAt: AT + 70 * MIN });
    expect(stack.helpdesk.customers.offers('jonas')[0]).toMatchObject({ state: 'offered', closedAt: null });
  });

  it('expires an offer not answered within 12 hours; an answer after that is refused', async () => {
    step(AT + 12 * 60 * MIN - 1000);
    expect(stack.helpdesk.customers.offers('jonas')[0]!.state).toBe('offered');
    step(AT + 12 * 60 * MIN);
    const jonas = stack.helpdesk.customers.offers('jonas')[0]!;
    expect(jonas).toMatchObject({ state: 'expired', closedAt: AT + 12 * 60 * MIN });
    expect(await reply('jonas', { requestId: 'r-6', offerId: jonas.id, answer: 'accept-fix' }, AT + 12 * 60 * MIN + 1000)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_OFFER_EXPIRED' } });
  });

  it('shows staff the offers with reasons and outcomes, audited; the export holds the text and the offer', async () => {
    const res = await fetch(`${stack.dashboard!.url}/api/v1/customers/maria/offers`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { offers: Array<Record<string, unknown>> };
    expect(body.offers).toMatchObject([{ id: offerId, state: 'accepted', reason: expect.stringContaining('Rule mobility-flatrate-upgrade') }]);
    const unknown = await fetch(`${stack.dashboard!.url}/api/v1/customers/nobody/offers`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    expect(stack.helpdesk.customers.auditOf('maria').map((e) => [e.by, e.action])).toContainEqual(['alice', 'GET /api/v1/customers/:id/offers']);
    const doc = stack.helpdesk.customers.export('maria', 'alice', 'test export');
    if (!doc.ok) throw new Error(doc.error.message);
    const x = doc.value as CustomerExport & { activity: { offers: Array<Record<string, unknown>>; usage: unknown[] } };
    expect(x.contacts).toMatchObject([{ purpose: 'offers', channel: 'app-push', offerId, sent: true, text: expect.stringContaining('286 km') }]);
    expect(x.activity.offers).toMatchObject([{ id: offerId, state: 'accepted' }]);
    expect(x.activity.usage).toHaveLength(6);
    const lena = stack.helpdesk.customers.export('lena', 'alice', 'test export');
    expect(lena.ok && lena.value.contacts).toMatchObject([{ purpose: 'offers', channel: null, sent: false, reason: expect.stringContaining('EVN_ERR_OFFER_QUIET_HOURS') }]);
  });

  it('forgets offers and usage on erasure', () => {
    const r = stack.helpdesk.customers.erase('ben', 'alice', 'test erase');
    expect(r.ok).toBe(true);
    expect(stack.helpdesk.customers.offers('ben')).toEqual([]);
    expect(stack.helpdesk.offers().some((o) => o.customerId === 'ben')).toBe(false);
  });
});
