/**
 * A fleet's broker shards: aedes processes of their own, each carrying the devices of the customers
 * `partitionOf` gives it. One process cannot hold every connection of a large fleet (each is a file
 * descriptor, and a process has a limit: `ulimit -n`), nor route all its messages on one core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { profilingFlags } from './control.js';
import { shardNodeFlags } from './node-flags.js';
import { findMosquitto, startMosquittoShards } from './mosquitto.js';

const SHARD_MAIN = fileURLToPath(new URL('./shard-main.ts', import.meta.url));

export interface BrokerShards {
  urls: readonly string[];
  pids: readonly number[];
  stop(): Promise<void>;
}

/**
 * What routes a fleet's messages: aedes processes of our own (shard-main.ts), or Eclipse Mosquitto
 * (mosquitto.ts), which routes for a fraction of the CPU; `auto`: mosquitto where it is installed
 */
export type ShardBroker = 'aedes' | 'mosquitto' | 'auto';

/** `auto` resolved on this machine */
export const resolveShardBroker = (b: ShardBroker = 'auto'): 'aedes' | 'mosquitto' => (b === 'auto' ? (findMosquitto() ? 'mosquitto' : 'aedes') : b);

/** `devicesPerShard`: the connections each is expected to carry, to size an aedes shard's heap (node-flags.ts) */
export async function startBrokerShards(count: number, logLevel = 'warn', broker: ShardBroker = 'aedes', devicesPerShard?: number): Promise<BrokerShards> {
  if (resolveShardBroker(broker) === 'mosquitto') return startMosquittoShards(count);
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.splice(0).map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.stdin?.end();
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        return exited.finally(() => clearTimeout(timer));
      }),
    );
  };
  try {
    const urls = await Promise.all(
      Array.from({ length: count }, () => {
        const c = spawn(process.execPath, [...profilingFlags(), ...(devicesPerShard === undefined ? [] : shardNodeFlags({ devices: devicesPerShard })), '--import', 'tsx', SHARD_MAIN, logLevel], { stdio: ['pipe', 'pipe', 'inherit'] });
        children.push(c);
        return new Promise<string>((resolve, reject) => {
          createInterface({ input: c.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
          c.once('exit', (code) => reject(Object.assign(new Error(`EVN_ERR_MQTT_LISTEN: a broker shard exited before it listened (code ${code})`), { code: 'EVN_ERR_MQTT_LISTEN' })));
        });
      }),
    );
    return { urls, pids: children.map((c) => c.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
