/**
 * A device host process (started by remote-host.ts with one JSON argument, HostStart): loads the
 * scenario, takes its slice of the devices, connects them to their broker shards, then does what the
 * runner asks on its inbox topic, one call at a time, answering on its outbox topic. It ends when the
 * runner says stop or when its parent goes away (stdin closes), so no host outlives its replay.
 */
import { noDelay } from './control.js';
import mqtt from 'mqtt';
import { partitionOf, VirtualClock } from '../../contracts/index.js';
import { createLogger } from '../../log/logger.js';
import { loadScenario } from '../load.js';
import { HostCall, HostStart, hostTopics, type HostAnswer } from './control.js';
import { serversOf } from '../../devices/agent-options.js';
import { clusterDeviceOptions } from './cluster-devices.js';
import { createDeviceHost } from './device-host.js';
import { hostSlice } from './layout.js';

async function main(): Promise<void> {
  const start = HostStart.parse(JSON.parse(process.argv[2] ?? '{}'));
  const loaded = loadScenario(start.file);
  const clock = new VirtualClock(loaded.startMs);
  const log = createLogger({ clock, level: start.logLevel });
  const topics = hostTopics(start.run, start.index);
  const control = await mqtt.connectAsync(start.controlUrl, {
    clientId: `evernet-engine-${start.run}-host-${start.index}`, clean: true, ...(start.cluster ? { servers: serversOf(start.brokerUrls) } : {}),
  });
  noDelay(control);
  const answer = (a: HostAnswer): void => void control.publish(topics.out, JSON.stringify(a), { qos: 1 });
  // reading the resident size costs about 0.7 ms here (measured: 4 % of a host's time at one reading a
  // window): read at most once a second of wall time, and the last reading answered in between
  let rssAt = -Infinity;
  let rssBytes = 0;
  const rss = (): number => {
    const now = performance.now();
    if (now - rssAt >= 1000) {
      rssAt = now;
      rssBytes = process.memoryUsage.rss();
    }
    return rssBytes;
  };
  const devices = hostSlice(loaded, start.index, start.count);
  const host = createDeviceHost({
    scenario: loaded, seed: start.seed, devices, log,
    brokerUrlOf: (c) => start.brokerUrls[partitionOf(c, start.brokerUrls.length)]!,
    ...(start.cluster ? clusterDeviceOptions(start.brokerUrls) : {}),
    ...(start.traceFile ? { traceFile: start.traceFile } : {}),
  });
  /** a cluster's partitions each hear how many messages they were sent (scenarios/cluster/cluster-side.ts) */
  const byPartition = (): Pick<HostAnswer & { op: 'done' }, 'toHelpdeskBy'> => (start.cluster ? { toHelpdeskBy: host.toHelpdeskBy!(start.cluster.partitions) } : {});
  let queue = Promise.resolve();
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await host.stop().catch(() => undefined);
    await control.endAsync().catch(() => undefined);
    process.exit(code);
  };
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
  control.on('message', (_topic, payload) => {
    queue = queue.then(async () => {
      let call: HostCall;
      try {
        call = HostCall.parse(JSON.parse(payload.toString()));
      } catch (e) {
        answer({ op: 'error', id: null, code: 'EVN_ERR_ENGINE_CALL', message: `not a host call: ${(e as Error).message}` });
        return;
      }
      try {
        if (call.op === 'stop') {
          answer({ op: 'done', id: call.id, ...host.progress(), ...byPartition(), rssBytes: rss() });
          await stop(0);
          return;
        }
        clock.set(call.op === 'advance' ? call.to : clock.now());
        const p = call.op === 'advance' ? await host.advance(call.from, call.to, call.sent) : await host.settle(call.sent);
        answer({ op: 'done', id: call.id, ...p, ...byPartition(), rssBytes: rss() });
      } catch (e) {
        answer({ op: 'error', id: call.id, code: (e as { code?: string }).code ?? 'EVN_ERR_ENGINE_HOST', message: (e as Error).message });
      }
    });
  });
  await control.subscribeAsync(topics.in, { qos: 1 });
  await host.start();
  answer({ op: 'ready', devices: devices.length, rssBytes: rss() });
}

main().catch((e: Error) => {
  process.stderr.write(`evernet device host: ${e.message}\n`);
  process.exit(1);
});
