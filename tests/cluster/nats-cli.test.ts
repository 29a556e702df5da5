/**
 * `evernet cluster up` (cli/cluster-command.ts) as a real process: prints the NATS and MQTT URLs of
 * a local cluster whose stream records --partitions, takes devices on its MQTT listeners, and stops
 * every node on SIGTERM (exit 0, the ports closed). Usage mistakes are exit 2. Skipped without nats-server.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { connectCluster } from '../../cluster/nats/connect.js';
import { ensurePartitionStream } from '../../cluster/nats/stream.js';
import { evernet } from '../helpers/cli-capture.js';
import { natsAvailable, natsSkipReason, readStream } from '../helpers/nats.js';
import { until } from '../helpers/until.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = net.connect(Number(u.port), u.hostname);
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

describe('evernet cluster: usage', () => {
  it('takes only up, and counts from 1', async () => {
    expect(await evernet('cluster')).toMatchObject({ code: 2, err: expect.stringMatching(/^evernet: evernet cluster takes one subcommand, up/) });
    expect(await evernet('cluster', 'down')).toMatchObject({ code: 2, err: expect.stringMatching(/not 'down'/) });
    expect(await evernet('cluster', 'up', '--nodes', '0')).toMatchObject({ code: 2, err: expect.stringMatching(/--nodes must be a whole number from 1 to 9/) });
  });
});

describe.skipIf(!natsAvailable)(`evernet cluster up${natsSkipReason}`, () => {
  it('runs two nodes with the partition stream, prints their URLs, and stops them all on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'cluster', 'up', '--nodes', '2', '--partitions', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until(() => out.includes('Ctrl-C'), 30_000, () => `the URLs, got ${out} ${err}`);
      expect(out).toMatch(/^evernet cluster: 2 NATS nodes, 2 partitions, ready in \d+\.\d s$/m);
      const natsUrls = /^NATS: (.+)$/m.exec(out)![1]!.split(',');
      const mqttUrls = /^MQTT: (.+)$/m.exec(out)![1]!.split(',');
      expect(natsUrls).toHaveLength(2);
      expect(mqttUrls).toHaveLength(2);

      const nc = await connectCluster(natsUrls);
      // the stream was made for 2 partitions: a worker for 4 is refused
      await expect(ensurePartitionStream(nc, { partitions: 4 })).rejects.toMatchObject({ code: 'EVN_ERR_CLUSTER_PARTITIONS' });
      const device = await mqtt.connectAsync(mqttUrls[1]!, { clientId: 'cli-car', connectTimeout: 15_000 });
      await device.publishAsync('evernet/v1/maria/car/telemetry', '{}', { qos: 1 });
      await device.endAsync();
      await until(async () => (await readStream(nc)).length === 1, 5000, 'the device message in the stream');
      expect((await readStream(nc))[0]!.subject).toMatch(/^evernet\.part\.[01]\.v1\.maria\.car\.telemetry$/);
      await nc.close();

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('evernet cluster: stopped');
      for (const u of [...natsUrls, ...mqttUrls]) expect(await refused(u)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
