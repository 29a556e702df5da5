/**
 * The bare-broker side of bench `fleet` (bench/fleet-raw-host.ts) against a real broker on port 0: its
 * clients hold what a device's connection holds (docs/fleet-engine-log.md#the-bare-pattern-holds-the-same-connections), so the bench
 * compares the replay with the same connections. Each has a command subscription the broker granted,
 * a last will the broker publishes when the process dies, and publishes QoS 1 telemetry as a replay host's
 * message trace says (scenarios/engine/message-trace.ts), a window when asked on stdin.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { observedBroker } from '../helpers/observed-broker.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';

const RAW_HOST = fileURLToPath(new URL('../../bench/fleet-raw-host.ts', import.meta.url));

describe('the fleet bench bare host', () => {
  const b = observedBroker('evernet/v1/#');
  const tmp = tempDirPerTest('evernet-raw-host-');
  const started: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it("holds a device's connection for each client: a granted command subscription and a last will; publishes a window of its trace when asked", async () => {
    // a host of four devices; window 0: the car twice and the fridge once, window 1: nothing, window 2: the washer
    const devices = [['home-0', 'car'], ['home-0', 'fridge'], ['home-2', 'washer'], ['home-4', 'car']];
    writeFileSync(tmp.join('host-0.trace'), `${JSON.stringify({ devices })}\n0 1 0\n\n2\n`);
    const start = { urls: [b.url], trace: tmp.join('host-0.trace'), payloadBytes: 40 };
    const c = spawn(process.execPath, ['--import', 'tsx', RAW_HOST, JSON.stringify(start)], { stdio: ['pipe', 'pipe', 'inherit'] });
    started.push(c);
    const lines = createInterface({ input: c.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready 4 3');

    const telemetry = (): string[] => b.seen.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic);
    c.stdin!.write('0\n');
    expect((await lines.next()).value).toBe('sent 3');
    await until(() => telemetry().length === 3, 5000, "window 0's three messages");
    c.stdin!.write('1\n');
    expect((await lines.next()).value).toBe('sent 0');
    c.stdin!.write('2\n');
    expect((await lines.next()).value).toBe('sent 1');
    await until(() => telemetry().length === 4, 5000, "window 2's message");
    // each device's messages on its own topic (its own connection: no order between them), as many as the trace says,
    // the payload of the size asked
    expect(telemetry().slice(0, 3).sort()).toEqual(['evernet/v1/home-0/car/telemetry', 'evernet/v1/home-0/car/telemetry', 'evernet/v1/home-0/fridge/telemetry']);
    expect(telemetry()[3]).toBe('evernet/v1/home-2/washer/telemetry');
    expect(b.seen.filter((m) => m.topic.endsWith('/telemetry')).every((m) => m.payload.length === 40)).toBe(true);
    expect(b.seen.some((m) => m.topic.endsWith('/availability'))).toBe(false);

    // killed outright: the broker publishes every client's will
    c.kill('SIGKILL');
    await until(() => b.seen.filter((m) => m.topic.endsWith('/availability')).length === 4, 5000, 'four last wills');
    expect(b.seen.filter((m) => m.topic.endsWith('/availability')).map((m) => `${m.topic} ${m.payload}`).sort()).toEqual(
      devices.map(([h, d]) => `evernet/v1/${h}/${d}/availability offline`).sort(),
    );
  }, 30_000);
});
