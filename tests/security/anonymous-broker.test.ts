/**
 * Finding 7 of the hardening issue: `evernet broker --allow-anonymous` switches off authentication and
 * the ACL (and the publish rate limit, whose buckets belong to identities), and nothing else: the
 * packet guard, the size, topic and keep-alive limits and the contract checks stay on. A real
 * broker process from the CLI, real mqtt.js clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/topics.js';
import { closed, pause, validPayload } from '../broker/fixture.js';

function startCli(args: string[]): { child: ChildProcess; url: Promise<string>; stderr: () => string } {
  const module = new URL('../../cli/broker-command.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(module)}).then((m) => m.brokerCommand(${JSON.stringify(args)})).then((c) => process.exit(c))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
      const m = /listening on (mqtt:\/\/[^,\s]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`broker exited: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe('evernet broker --allow-anonymous', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = null;
  });

  it('keeps the packet guard, payload limit and contract checks on, and its warning names exactly what is off: authentication, the ACL and the per-identity rate limit', async () => {
    const cli = startCli(['--allow-anonymous', '--port', '0', '--log-level', 'info']);
    child = cli.child;
    const url = await cli.url;
    const topic = deviceTopic('anna', 'fridge', 'telemetry');
    const seen: string[] = [];
    const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    sub.on('message', (_t, p) => seen.push(p.length > 10_000 ? `big:${p.length}` : p.toString()));
    await sub.subscribeAsync('evernet/v1/+/+/telemetry', { qos: 1 });

    // a packet far over the limit is cut at the guard before it is buffered
    const big = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    big.publish(topic, Buffer.alloc(2 * 1024 * 1024, 0x41), { qos: 0 });
    expect(await closed(big, 5000)).toBe(true);

    // a payload that is not JSON is not forwarded; a valid one is
    const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await pub.publishAsync(topic, 'not json', { qos: 1 });
    await pub.publishAsync(topic, validPayload(topic, 1), { qos: 1 });
    for (let i = 0; i < 200 && seen.length === 0; i++) await pause(10);
    await pause(100);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toMatchObject({ seq: 1 });
    await pub.endAsync();
    await sub.endAsync();

    const warning = cli.stderr().split('\n').find((l) => l.includes('EVN_ERR_BROKER_ANONYMOUS'));
    expect(warning).toBeDefined();
    expect(warning).toMatch(/authentication, ACL and the per-identity publish rate limit off/);
    expect(warning).toMatch(/packet, payload, topic and keep-alive limits and contract validation on/);
    expect(cli.stderr()).toContain('EVN_ERR_PACKET_TOO_LARGE');
    expect(cli.stderr()).toContain('EVN_ERR_JSON');
  }, 30_000);
});
