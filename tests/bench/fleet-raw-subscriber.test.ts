/**
 * The bare-broker side of bench `fleet`, the helpdesk's part (bench/fleet-raw-subscriber.ts), against a real
 * broker on port 0: a process of its own subscribed to the fleet's telemetry as the replay's helpdesk is,
 * which answers the bench's "how many so far" only once that many telemetry messages have arrived — the
 * bench's window waits on it — and counts nothing else.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { observedBroker } from '../helpers/observed-broker.js';

const RAW_SUBSCRIBER = fileURLToPath(new URL('../../bench/fleet-raw-subscriber.ts', import.meta.url));

describe('the fleet bench bare subscriber', () => {
  const b = observedBroker('evernet/v1/#');
  const started: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('answers a count only once that many telemetry messages have arrived, and ends when its input does', async () => {
    const c = spawn(process.execPath, ['--import', 'tsx', RAW_SUBSCRIBER, JSON.stringify({ urls: [b.url] })], { stdio: ['pipe', 'pipe', 'inherit'] });
    started.push(c);
    const lines = createInterface({ input: c.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');

    // asked for 3 before any arrived: no answer while 2 telemetry messages and an event have come
    c.stdin!.write('3\n');
    let answered: string | null = null;
    const pending = lines.next().then((r) => (answered = r.value as string));
    for (const topic of ['evernet/v1/home-0/dev/telemetry', 'evernet/v1/home-1/dev/event', 'evernet/v1/home-1/dev/telemetry']) {
      await b.observer.publishAsync(topic, 'x', { qos: 1 });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBeNull();
    await b.observer.publishAsync('evernet/v1/home-2/dev/telemetry', 'x', { qos: 1 });
    await pending;
    expect(answered).toBe('got 3');

    // a count already reached is answered at once
    c.stdin!.write('2\n');
    expect((await lines.next()).value).toBe('got 3');

    c.stdin!.end();
    const code = await new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(c.exitCode)));
    expect(code).toBe(0);
  }, 30_000);
});
