/**
 * Starts a replay's moving parts as its layout says (layout.ts): the broker shards before the
 * helpdesk (it subscribes on each), the device hosts after it (their first messages must reach it):
 * in the runner's own process, or in processes of their own driven over the control broker.
 */
import { noDelay } from './control.js';
import mqtt from 'mqtt';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { partitionOf } from '../../contracts/index.js';
import type { LoadedScenario } from '../load.js';
import { serversOf } from '../../devices/agent-options.js';
import { clusterDeviceOptions } from './cluster-devices.js';
import { createDeviceHost, type DeviceHost } from './device-host.js';
import { hostGroup } from './host-group.js';
import type { Layout } from './layout.js';
import { createRemoteHost, type RemoteHost } from './remote-host.js';
import { startBrokerShards, type BrokerShards, type ShardBroker } from './shards.js';

export interface Engine {
  /** the broker a customer's devices and app use */
  urlOf(customerId: string): string;
  devices: DeviceHost;
  /** process ids of the hosts and shards (empty when all runs in the runner's process) */
  pids(): number[];
  /** resident memory of the hosts at their last answer (bytes) */
  hostRssBytes(): number;
  stop(): Promise<void>;
}


/** the broker shards a layout asks for; null: none (the stack's embedded broker, or the broker by URL) */
export async function startShards(layout: Layout, logLevel: string, broker: ShardBroker = 'auto'): Promise<BrokerShards | null> {
  return layout.shards > 0 ? startBrokerShards(layout.shards, logLevel, broker, layout.estimate.connectionsPerShard) : null;
}

export async function startEngine(o: {
  loaded: LoadedScenario;
  seed: number;
  log: Logger;
  layout: Layout;
  /** every broker the devices use: the shards, or the one broker */
  brokerUrls: readonly string[];
  shards: BrokerShards | null;
  logLevel: string;
  /**
   * brokerUrls are the MQTT listeners of a NATS cluster with this many partitions: a device whose node
   * goes fails over to another, and hosts count what they sent by partition (DeviceHost.toHelpdeskBy)
   */
  cluster?: { partitions: number };
  /** each host writes its message trace to host-INDEX.trace in this directory (ReplayOptions.traceDir) */
  traceDir?: string;
}): Promise<Engine> {
  const urls = o.brokerUrls;
  const urlOf = (c: string): string => urls[partitionOf(c, urls.length)]!;
  const trace = (index: number): { traceFile?: string } => (o.traceDir ? { traceFile: join(o.traceDir, `host-${index}.trace`) } : {});
  if (o.layout.hosts === 0) {
    const host = createDeviceHost({ scenario: o.loaded, seed: o.seed, devices: o.loaded.devices, brokerUrlOf: urlOf, log: o.log, ...(o.cluster ? clusterDeviceOptions(urls) : {}), ...trace(0) });
    await host.start();
    return { urlOf, devices: host, pids: () => o.shards?.pids.slice() ?? [], hostRssBytes: () => 0, stop: () => host.stop() };
  }
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const control = await mqtt.connectAsync(urls[0]!, { clientId: `evernet-engine-${run}`, clean: true, ...(o.cluster ? { servers: serversOf(urls) } : {}) });
  noDelay(control);
  const remotes: RemoteHost[] = Array.from({ length: o.layout.hosts }, (_, index) =>
    createRemoteHost({ file: o.loaded.file, seed: o.seed, index, count: o.layout.hosts, brokerUrls: [...urls], controlUrl: urls[0]!, run, logLevel: o.logLevel, ...(o.cluster ? { cluster: o.cluster } : {}), ...trace(index) }, control, {
      devices: o.layout.estimate.connectionsPerHost,
      scenarioDevices: o.loaded.devices.length,
    }),
  );
  const group = hostGroup(remotes);
  try {
    await group.start();
  } catch (e) {
    await group.stop().catch(() => undefined);
    await control.endAsync().catch(() => undefined);
    throw e;
  }
  return {
    urlOf,
    devices: group,
    pids: () => [...(o.shards?.pids ?? []), ...remotes.map((r) => r.pid()).filter((p): p is number => p !== null)],
    hostRssBytes: () => remotes.reduce((n, r) => n + r.rssBytes(), 0),
    async stop() {
      await group.stop();
      await control.endAsync().catch(() => undefined);
    },
  };
}
