import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { createDispatcher } from '../../../helpdesk/notify/dispatcher.js';
import { createEmailAdapter } from '../../../helpdesk/notify/email.js';
import { createWebhookAdapter, signWebhook } from '../../../helpdesk/notify/webhook.js';
import type { Notification } from '../../../helpdesk/notify/adapter.js';

const SECRET = 'hook-secret';
const contact: Notification = { kind: 'contact', customerId: 'maria', ticketId: 't-1', deviceId: 'car-1', channel: 'email', text: 'Your battery is weak: a remote fix is on its way.', at: 1_577_865_600_000 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

/** a real receiver on loopback answering with the given statuses in turn (the last one repeats) */
async function receiver(statuses: number[]): Promise<{ url: string; got: { body: string; verified: boolean }[] }> {
  const got: { body: string; verified: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const ts = String(req.headers['x-evernet-timestamp']);
      const sig = Buffer.from(String(req.headers['x-evernet-signature']));
      const want = Buffer.from(`sha256=${signWebhook(SECRET, ts, body)}`);
      got.push({ body, verified: sig.length === want.length && timingSafeEqual(sig, want) });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

async function smtp(): Promise<{ port: number; mails: { to: string[]; data: string }[] }> {
  const mails: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

/** a loopback port nothing listens on: bound, then closed */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('notifications that leave evernet', () => {
  it('a webhook arrives at a real receiver, signed over timestamp and body', async () => {
    const r = await receiver([200]);
    const clock = new VirtualClock(contact.at);
    const d = createDispatcher({ adapters: [createWebhookAdapter({ url: r.url, secret: SECRET })], clock });
    d.enqueue(contact);
    await d.run();
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.verified).toBe(true);
    expect(JSON.parse(r.got[0]!.body)).toEqual(contact);
    expect(d.attempts().map((a) => [a.adapter, a.attempt, a.outcome])).toEqual([['webhook', 1, 'delivered']]);
    expect(d.pending()).toBe(0);
  });

  it('a signature made with another secret does not verify', async () => {
    const r = await receiver([200]);
    const d = createDispatcher({ adapters: [createWebhookAdapter({ url: r.url, secret: 'not-the-secret' })], clock: new VirtualClock(0) });
    d.enqueue(contact);
    await d.run();
    expect(r.got[0]!.verified).toBe(false);
  });

  it('a receiver answering 500 then 200: retried after the backoff and each attempt recorded', async () => {
    const r = await receiver([500, 200]);
    const clock = new VirtualClock(contact.at);
    const seen: string[] = [];
    const d = createDispatcher({ adapters: [createWebhookAdapter({ url: r.url, secret: SECRET })], clock, baseBackoffMs: 1000, onAttempt: (a) => seen.push(`${a.attempt}:${a.outcome}:${a.code ?? ''}`) });
    d.enqueue(contact);
    await d.run();
    expect(d.pending()).toBe(1);
    expect(d.nextDueAt()).toBe(contact.at + 1000);
    await d.run(); // not due yet: nothing sent
    expect(r.got).toHaveLength(1);
    clock.set(contact.at + 1000);
    await d.run();
    expect(r.got).toHaveLength(2);
    expect(r.got.every((g) => g.verified)).toBe(true);
    expect(seen).toEqual(['1:failed:EVN_ERR_NOTIFY_HTTP_STATUS', '2:delivered:']);
    expect(d.pending()).toBe(0);
  });

  it('an e-mail with the contact text arrives at a real SMTP server', async () => {
    const s = await smtp();
    const d = createDispatcher({ adapters: [createEmailAdapter({ host: '127.0.0.1', port: s.port, from: 'helpdesk@evernet.test', addressOf: (c) => (c === 'maria' ? 'maria@example.test' : undefined) })], clock: new VirtualClock(0) });
    d.enqueue(contact);
    d.enqueue({ ...contact, channel: 'car-display', ticketId: 't-2' }); // not for e-mail
    await d.run();
    d.close();
    expect(s.mails).toHaveLength(1);
    expect(s.mails[0]!.to).toEqual(['maria@example.test']);
    expect(s.mails[0]!.data).toContain('Your battery is weak');
    expect(s.mails[0]!.data).toContain('t-1');
    expect(d.attempts().map((a) => a.outcome)).toEqual(['delivered']);
  });

  it('no address for the customer: a coded failure, not retried', async () => {
    const s = await smtp();
    const d = createDispatcher({ adapters: [createEmailAdapter({ host: '127.0.0.1', port: s.port, from: 'helpdesk@evernet.test' })], clock: new VirtualClock(0) });
    d.enqueue(contact);
    await d.run();
    d.close();
    expect(s.mails).toHaveLength(0);
    expect(d.attempts().map((a) => [a.outcome, a.code])).toEqual([['failed', 'EVN_ERR_NOTIFY_NO_ADDRESS']]);
    expect(d.pending()).toBe(0);
  });

  it('unreachable webhook and SMTP: every failure recorded with its code, then given up; nothing throws', async () => {
    const port = await deadPort();
    const clock = new VirtualClock(0);
    const d = createDispatcher({
      adapters: [createWebhookAdapter({ url: `http://127.0.0.1:${port}/`, secret: SECRET }), createEmailAdapter({ host: '127.0.0.1', port, from: 'a@evernet.test', to: 'team@evernet.test' })],
      clock,
      maxAttempts: 3,
      baseBackoffMs: 100,
    });
    d.enqueue(contact);
    for (let i = 0; i < 10 && d.pending() > 0; i++) {
      await d.run();
      const next = d.nextDueAt();
      if (next !== null) clock.set(next);
    }
    d.close();
    const byAdapter = (name: string) => d.attempts().filter((a) => a.adapter === name).map((a) => [a.attempt, a.outcome, a.code]);
    expect(byAdapter('webhook')).toEqual([
      [1, 'failed', 'EVN_ERR_NOTIFY_UNREACHABLE'],
      [2, 'failed', 'EVN_ERR_NOTIFY_UNREACHABLE'],
      [3, 'failed', 'EVN_ERR_NOTIFY_UNREACHABLE'],
      [3, 'gave-up', 'EVN_ERR_NOTIFY_GAVE_UP'],
    ]);
    expect(byAdapter('email').map((a) => a[2])).toEqual(['EVN_ERR_NOTIFY_UNREACHABLE', 'EVN_ERR_NOTIFY_UNREACHABLE', 'EVN_ERR_NOTIFY_UNREACHABLE', 'EVN_ERR_NOTIFY_GAVE_UP']);
    // backoff doubles: 100 then 200 ms after each failure
    expect(d.attempts().filter((a) => a.adapter === 'webhook' && a.retryAt !== undefined).map((a) => a.retryAt! - a.at)).toEqual([100, 200]);
  });

  it('a full queue records the refused notification instead of dropping it silently', async () => {
    const d = createDispatcher({ adapters: [createWebhookAdapter({ url: 'http://127.0.0.1:9/', secret: SECRET })], clock: new VirtualClock(0), queueCap: 1 });
    d.enqueue(contact);
    d.enqueue({ ...contact, ticketId: 't-2' });
    expect(d.pending()).toBe(1);
    expect(d.attempts().map((a) => [a.ticketId, a.outcome, a.code])).toEqual([['t-2', 'failed', 'EVN_ERR_NOTIFY_QUEUE_FULL']]);
  });
});
