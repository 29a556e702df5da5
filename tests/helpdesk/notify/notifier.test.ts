import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../contracts/clock.js';
import { serviceTopic, stamp } from '../../../contracts/index.js';
import { createNotifier } from '../../../helpdesk/notify/notifier.js';
import { open, ticketOf } from '../../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { memoryLog } from '../../helpers/memory-log.js';

const T0 = 1_577_865_600_000;
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('the helpdesk notifier notes every attempt on the ticket', () => {
  it('a contact: webhook 500 then 200 and an unreachable SMTP server, each attempt a note; the ticket keeps everything else', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.statusCode = hits === 1 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));

    const store = openSqliteStore({ path: ':memory:' });
    closers.push(() => store.close());
    const t = ticketOf(open({ incidentKey: 'maria/car-1/battery-weak/1', customerId: 'maria', deviceId: 'car-1', kind: 'battery-weak', severity: 'high', at: T0 }));
    store.save(t);
    const clock = new VirtualClock(T0 + 1000);
    const { log, lines } = memoryLog('warn');
    const n = createNotifier({
      config: {
        webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: 's' },
        email: { host: '127.0.0.1', port: deadPort, from: 'helpdesk@evernet.test' },
        retry: { maxAttempts: 2, baseBackoffMs: 1000 },
      },
      clock,
      store,
      log,
      addressOf: () => 'maria@example.test',
    });
    closers.push(() => n.stop());
    n.published(serviceTopic('maria', 'ticket'), stamp({ ticketId: t.id }, T0, 1)); // not a contact: ignored
    n.published(serviceTopic('maria', 'contact'), stamp({ ticketId: t.id, deviceId: 'car-1', channel: 'email', text: 'Battery weak, fix on its way.' }, T0 + 1000, 1));
    expect(n.pending()).toBe(2);
    await n.run();
    clock.set(T0 + 2000);
    await n.run();
    expect(n.pending()).toBe(0);
    expect(hits).toBe(2);

    const after = store.get(t.id)!;
    expect(after.state).toBe(t.state);
    expect(after.timeline.slice(0, t.timeline.length)).toEqual(t.timeline);
    const notes = after.timeline.slice(t.timeline.length);
    expect(notes.every((e) => e.step === 'note' && e.by === 'notify')).toBe(true);
    const got = notes.map((e) => (e.detail as { notify: { adapter: string; attempt: number; outcome: string; code?: string } }).notify).map((a) => `${a.adapter} ${a.attempt} ${a.outcome} ${a.code ?? ''}`.trim());
    expect(got.sort()).toEqual(
      [
        'webhook 1 failed EVN_ERR_NOTIFY_HTTP_STATUS',
        'webhook 2 delivered',
        'email 1 failed EVN_ERR_NOTIFY_UNREACHABLE',
        'email 2 failed EVN_ERR_NOTIFY_UNREACHABLE',
        'email 2 gave-up EVN_ERR_NOTIFY_GAVE_UP',
      ].sort(),
    );
    expect(n.attempts()).toHaveLength(5);
    expect(lines.filter((l) => String(l.code).startsWith('EVN_ERR_NOTIFY_')).length).toBe(4);
  });
});
