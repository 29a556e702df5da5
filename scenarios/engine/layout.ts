/**
 * How a replay is laid out over processes: devices in the runner's own process with an embedded
 * broker (a household, a small fleet), or device hosts and broker shards of their own (a large
 * fleet). Pure: the machine's figures come in as arguments, so the choice and the refusal can be
 * tested. A fleet the machine cannot carry is refused before anything starts, with what it needs.
 */
import type { LoadedDevice, LoadedScenario } from '../load.js';
import { hostYoungBytes } from './node-flags.js';

export interface Machine {
  cores: number;
  totalMemBytes: number;
  /** file descriptors a process may hold (`ulimit -n`) */
  fdLimit: number;
}

export interface LayoutAsk {
  /** device host processes; 0: the devices run in the runner's process; default: auto */
  hosts?: number;
  /** broker shard processes; 0: one broker in the runner's process; default: auto */
  shards?: number;
  /** the devices use a broker given by URL (no shards, no broker connections in the runner) */
  external?: boolean;
}

export interface Layout {
  hosts: number;
  shards: number;
  /** what the replay is expected to need */
  estimate: { memoryBytes: number; connectionsPerHost: number; connectionsPerShard: number };
}

/** up to this many devices run in the runner's process by default: processes cost more than they save */
export const IN_PROCESS_DEVICES = 1_000;
/**
 * resident memory a device costs over all processes, measured with report-by-exception telemetry:
 * in a host ≈ 23 KB (its agent, outbox and mqtt.js connection, under the heap ceiling node-flags.ts
 * gives hosts; bench/fleet-memory.ts), in a shard ≈ 6 KB (Mosquitto; an aedes shard ≈ 15 KB), the rest
 * its share of the runner and the helpdesk. `npm run bench -- fleet --homes 3000` (8,087 devices):
 * 1.22 GB at the peak of all processes, ≈ 70 KB a device after the bases below; rounded up, since
 * the helpdesk's share grows with the fleet (10,000 homes before the hosts' changes: 1.6 GB in the runner)
 */
export const BYTES_PER_DEVICE = 80 * 1024;
/** the runner and the helpdesk before any device */
const BASE_BYTES = 250 * 1024 * 1024;
/** each host or shard process before any device (Node, tsx, the scenario it loads); a host's young generation on top (node-flags.ts) */
const PROCESS_BYTES = 140 * 1024 * 1024;
/** descriptors a process keeps for itself (control, helpdesk, log, stores) */
const FD_RESERVE = 200;
/** the share of the machine's memory a replay may plan to use */
const MEMORY_SHARE = 0.8;

export class FleetTooLargeError extends Error {
  readonly code = 'EVN_ERR_FLEET_TOO_LARGE';
  constructor(message: string) {
    super(`EVN_ERR_FLEET_TOO_LARGE: ${message}`);
  }
}

const mb = (b: number): string => `${Math.ceil(b / 1024 / 1024).toLocaleString('en')} MB`;

/** the processes `devices` devices get on `machine` (what was asked, else one a core, or more for their connections) */
function processesFor(devices: number, ask: LayoutAsk, machine: Machine) {
  const perProcess = Math.max(1, machine.fdLimit - FD_RESERVE);
  const needed = Math.ceil(devices / perProcess);
  const small = devices <= IN_PROCESS_DEVICES;
  const hosts = ask.hosts ?? (small ? 0 : Math.max(machine.cores, needed));
  const shards = ask.external ? 0 : (ask.shards ?? (small ? 0 : Math.max(1, needed)));
  const connectionsPerHost = hosts === 0 ? devices : Math.ceil(devices / hosts);
  const connectionsPerShard = ask.external ? 0 : shards === 0 ? devices : Math.ceil(devices / shards);
  const memoryBytes = BASE_BYTES + (hosts + shards) * PROCESS_BYTES + hosts * hostYoungBytes(connectionsPerHost) + devices * BYTES_PER_DEVICE;
  return { perProcess, needed, hosts, shards, connectionsPerHost, connectionsPerShard, memoryBytes };
}

/** the most devices whose own layout fits in `limit` bytes (fewer devices may take fewer and smaller processes) */
function devicesFitting(limit: number, ask: LayoutAsk, machine: Machine, below: number): number {
  let lo = 0;
  let hi = below;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (processesFor(mid, ask, machine).memoryBytes <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function chooseLayout(devices: number, ask: LayoutAsk, machine: Machine): Layout {
  const { perProcess, needed, hosts, shards, connectionsPerHost, connectionsPerShard, memoryBytes } = processesFor(devices, ask, machine);
  // in the runner's process, a device holds two descriptors there: its own end and the broker's
  const inRunner = (hosts === 0 ? devices : 0) + (shards === 0 && !ask.external ? devices : 0);
  const estimate = { memoryBytes, connectionsPerHost, connectionsPerShard };
  const problems: string[] = [];
  if (inRunner > perProcess) problems.push(`${inRunner.toLocaleString('en')} connections in the runner's process, over the ${perProcess.toLocaleString('en')} it may hold (ulimit -n ${machine.fdLimit}): give --hosts and --shards of at least ${needed}`);
  if (hosts > 0 && connectionsPerHost > perProcess) problems.push(`${connectionsPerHost.toLocaleString('en')} connections a device host, over ${perProcess.toLocaleString('en')}: give --hosts ${needed} or more`);
  if (shards > 0 && connectionsPerShard > perProcess) problems.push(`${connectionsPerShard.toLocaleString('en')} connections a broker shard, over ${perProcess.toLocaleString('en')}: give --shards ${needed} or more`);
  const limit = machine.totalMemBytes * MEMORY_SHARE;
  if (memoryBytes > limit) {
    const fits = devicesFitting(limit, ask, machine, devices);
    problems.push(`about ${mb(memoryBytes)} of memory (${Math.round(BYTES_PER_DEVICE / 1024)} KB a device), over ${Math.round(MEMORY_SHARE * 100)} % of this machine's ${mb(machine.totalMemBytes)}: it carries about ${fits.toLocaleString('en')} devices`);
  }
  if (problems.length) throw new FleetTooLargeError(`${devices.toLocaleString('en')} devices need ${problems.join('; ')}`);
  return { hosts, shards, estimate };
}

/** the devices host `index` of `count` runs: whole customers, dealt round-robin in file order */
export function hostSlice(loaded: Pick<LoadedScenario, 'devices'>, index: number, count: number): LoadedDevice[] {
  const ordinal = new Map<string, number>();
  for (const d of loaded.devices) if (!ordinal.has(d.customerId)) ordinal.set(d.customerId, ordinal.size);
  return loaded.devices.filter((d) => ordinal.get(d.customerId)! % count === index);
}
