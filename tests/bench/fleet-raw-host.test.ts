/**
 * The bare-broker side of bench `fleet` (bench/fleet-raw-host.ts) against a real broker on port 0: its
 * clients hold what a device's connection holds (docs/fleet-engine-log.md#the-bare-pattern-holds-the-same-connections), so the bench
 * compares the replay with the same connections. Each has a command subscription the broker granted,
 * a last will the broker publishes when the process dies, and publishes QoS 1 telemetry, dealt over its
 * clients, when asked on stdin.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

const RAW_HOST = fileURLToPath(new URL('../../bench/fleet-raw-host.ts', import.meta.url));

describe('the fleet bench bare host', () => {
  const b = observedBroker('evernet/v1/#');
  const started: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it("holds a device's connection for each client: a granted command subscription and a last will; publishes what it is asked", async () => {
    // devices 0..6 dealt over 2 hosts: this one (index 0) has devices 0, 2, 4, 6
    const start = { urls: [b.url], devices: 7, index: 0, hosts: 2, payloadBytes: 40 };
    const c = spawn(process.execPath, ['--import', 'tsx', RAW_HOST, JSON.stringify(start)], { stdio: ['pipe', 'pipe', 'inherit'] });
    started.push(c);
    const lines = createInterface({ input: c.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready 4');

    c.stdin!.write('10\n');
    expect((await lines.next()).value).toBe('sent');
    const telemetry = (): string[] => b.seen.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic);
    await until(() => telemetry().length === 10, 5000, 'ten telemetry messages');
    // round-robin over its four clients, each on its own customer's topic
    const byTopic = new Map<string, number>();
    for (const t of telemetry()) byTopic.set(t, (byTopic.get(t) ?? 0) + 1);
    expect([...byTopic.entries()].sort()).toEqual([
      ['evernet/v1/home-0/dev/telemetry', 3],
      ['evernet/v1/home-2/dev/telemetry', 3],
      ['evernet/v1/home-4/dev/telemetry', 2],
      ['evernet/v1/home-6/dev/telemetry', 2],
    ]);
    expect(b.seen.some((m) => m.topic.endsWith('/availability'))).toBe(false);

    // killed outright: the broker publishes every client's will
    c.kill('SIGKILL');
    await until(() => b.seen.filter((m) => m.topic.endsWith('/availability')).length === 4, 5000, 'four last wills');
    expect(b.seen.filter((m) => m.topic.endsWith('/availability')).map((m) => `${m.topic} ${m.payload}`).sort()).toEqual(
      [0, 2, 4, 6].map((i) => `evernet/v1/home-${i}/dev/availability offline`),
    );
  }, 30_000);
});
