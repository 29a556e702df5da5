/**
 * `evernet cluster up`: a local NATS cluster for development (docs/scale.md, "The NATS cluster"):
 * N nats-server nodes on free loopback ports with JetStream, an MQTT listener each and the partition
 * mapping, and the partition stream made for --partitions. Prints the NATS and MQTT URLs on stdout
 * and runs in the foreground; SIGINT (Ctrl-C) or SIGTERM stops every node.
 */
import { parseArgs } from 'node:util';
import { realClock } from '../contracts/clock.js';
import { connectCluster } from '../cluster/nats/connect.js';
import { startLocalCluster } from '../cluster/nats/local-cluster.js';
import { ensurePartitionStream } from '../cluster/nats/stream.js';
import { createLogger } from '../log/logger.js';
import { UsageError } from './errors.js';

function count(text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got '${text}'`);
  return n;
}

export async function clusterCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      partitions: { type: 'string' },
      dir: { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  if (positionals.length !== 1 || positionals[0] !== 'up') throw new UsageError(`evernet cluster takes one subcommand, up${positionals.length ? `, not '${positionals.join(' ')}'` : ''}`);
  const nodes = count(values.nodes, '--nodes', 3, 9);
  const partitions = count(values.partitions, '--partitions', 4, 1024);
  const log = createLogger({ clock: realClock, level: values['log-level'] ?? 'warn', pretty: process.stderr.isTTY });

  // listening before the first node starts: a signal during the start still stops every node
  let interrupted = false;
  const signalled = new Promise<void>((resolve) => {
    const on = () => {
      interrupted = true;
      resolve();
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
  const started = Date.now();
  const cluster = await startLocalCluster({ nodes, partitions, dir: values.dir, host: values.host ?? '127.0.0.1', log });
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= cluster.stop());
  try {
    const nc = await connectCluster(cluster.natsUrls, { name: 'evernet cluster up', log });
    try {
      await ensurePartitionStream(nc, { partitions });
    } finally {
      await nc.close();
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const lines = [
    `evernet cluster: ${nodes} NATS node${nodes === 1 ? '' : 's'}, ${partitions} partitions, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ...cluster.nodes.map((n) => `  ${n.name}  ${n.natsUrl}  ${n.mqttUrl}  monitor ${n.httpUrl}`),
    `NATS: ${cluster.natsUrls.join(',')}`,
    `MQTT: ${cluster.mqttUrls.join(',')}`,
    values.dir ? `data: ${values.dir} (kept)` : 'data: a temp folder, removed at stop',
    'Ctrl-C stops every node.',
    '',
  ];
  if (!interrupted) process.stdout.write(lines.join('\n'));
  await signalled;
  await stop();
  process.stdout.write('evernet cluster: stopped\n');
  return 0;
}
