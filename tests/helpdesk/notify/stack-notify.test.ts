/**
 * End to end: a helpdesk stack with notify on picks up a ticket it opened before a restart, contacts
 * the customer on MQTT as always, and the same contact arrives at a real webhook receiver (signature
 * verified) and a real SMTP server on loopback; both deliveries are noted on the ticket.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { serviceTopic } from '../../../contracts/index.js';
import * as life from '../../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { signWebhook } from '../../../helpdesk/notify/webhook.js';
import { silentLogger } from '../../../log/logger.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/until.js';
import { evening } from '../../reliability/devices.js';

const at = (hhmmss: string) => Date.parse(`2020-11-02T${hhmmss}+01:00`);
const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('a helpdesk stack with notify on', () => {
  const tmp = tempDirPerTest('evernet-notify-');

  it('sends the contact on MQTT and to the webhook and SMTP server, and notes both deliveries on the ticket', async () => {
    const hooks: { body: string; verified: boolean }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const ts = String(req.headers['x-evernet-timestamp']);
        hooks.push({ body, verified: req.headers['x-evernet-signature'] === `sha256=${signWebhook('k', ts, body)}` });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => receiver.close(r)));
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          mails.push(data);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => smtp.close(() => r())));

    const db = tmp.join('helpdesk.db');
    const before = openSqliteStore({ path: db });
    const opened = life.ticketOf(
      life.open({
        incidentKey: `maria/car/battery-discharge/${at('18:40:30')}`, deviceId: 'car', customerId: 'maria', kind: 'battery-discharge',
        severity: 'high', at: at('18:41:01'), evidence: { observed: 'battery current -31 A while driving', since: at('18:40:30') }, proactive: true, by: 'helpdesk',
      }),
    );
    before.openIdempotent(opened);
    before.close();

    const scenario = evening('18:35', '18:50');
    const stack = await startHelpdeskStack({
      directory: directoryOf(scenario), db, clock: new VirtualClock(scenario.startMs), log: silentLogger(), connect: false,
      notify: {
        webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: 'k' },
        email: { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, from: 'helpdesk@evernet.test', to: 'maria@example.test', accepts: () => true },
        tickMs: 20,
      },
    });
    closers.push(() => stack.stop());
    const observer = await mqtt.connectAsync(stack.brokerUrl, { clientId: 'observer' });
    closers.push(() => observer.endAsync());
    const heard: string[] = [];
    observer.on('message', (topic) => heard.push(topic));
    await observer.subscribeAsync(serviceTopic('maria', 'contact'), { qos: 1 });
    await stack.helpdesk.start();

    await until(() => hooks.length >= 1 && mails.length >= 1 && heard.length >= 1, 10_000, () => `hooks ${hooks.length}, mails ${mails.length}, mqtt ${heard.length}`);
    const hook = JSON.parse(hooks[0]!.body) as { ticketId: string; text: string };
    expect(hooks[0]!.verified).toBe(true);
    expect(hook.ticketId).toBe(opened.id);
    expect(hook.text.length).toBeGreaterThan(20);
    expect(mails[0]).toContain(hook.text.slice(0, 20));
    await until(() => stack.helpdesk.notifications().length >= 2, 5_000, () => JSON.stringify(stack.helpdesk.notifications()));
    const t = stack.store.get(opened.id)!;
    const notes = t.timeline.filter((e) => e.step === 'note' && e.by === 'notify').map((e) => e.detail.text).sort();
    expect(notes).toEqual(['email: delivered (attempt 1)', 'webhook: delivered (attempt 1)']);
    expect(t.timeline.map((e) => e.step).filter((s) => s !== 'note')).toEqual(['opened', 'contacted', 'action-sent']);
  }, 30_000);
});
