/**
 * The runner's side of a device host in another process: starts host-main.ts with its slice, then
 * turns advance/settle into calls over the broker (control.ts) and their answers into promises. A
 * host that dies, or answers with an error, fails the call with a coded error; the replay stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { profilingFlags } from './control.js';
import { hostNodeFlags } from './node-flags.js';
import type { MqttClient } from 'mqtt';
import { codeTable } from '../../contracts/errors.js';
import { HostAnswer, hostTopics, type HostCall, type HostStart } from './control.js';
import { noCounts, type DeviceHost, type HostProgress, type PartitionCounts } from './device-host.js';

const HOST_MAIN = fileURLToPath(new URL('./host-main.ts', import.meta.url));

export const ENGINE_ERR = codeTable({
  HOST_EXITED: 'EVN_ERR_ENGINE_HOST_EXITED',
  HOST_FAILED: 'EVN_ERR_ENGINE_HOST',
});

export interface RemoteHost extends DeviceHost {
  /** devices it runs (after start) */
  devices(): number;
  /** its process's resident memory at the last answer */
  rssBytes(): number;
  pid(): number | null;
}

/**
 * `control`: the runner's connection to the control broker, shared by all its hosts (one listener each);
 * `size`: the devices it will run and the scenario's, to size its process's heap (node-flags.ts)
 */
export function createRemoteHost(start: HostStart, control: MqttClient, size?: { devices: number; scenarioDevices: number }): RemoteHost {
  const topics = hostTopics(start.run, start.index);
  let child: ChildProcess | null = null;
  let nextId = 1;
  let last: HostProgress = { toHelpdesk: 0, commandsReceived: 0 };
  /** on a cluster: last's toHelpdesk by partition */
  let lastBy: PartitionCounts | null = null;
  let devices = 0;
  let rss = 0;
  let dead: Error | null = null;
  const pending = new Map<number, { resolve: (p: HostProgress) => void; reject: (e: Error) => void }>();
  let ready: { resolve: () => void; reject: (e: Error) => void } | null = null;

  const fail = (e: Error): void => {
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    ready?.reject(e);
    ready = null;
  };

  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== topics.out) return;
    const parsed = HostAnswer.safeParse(JSON.parse(payload.toString()));
    if (!parsed.success) return fail(Object.assign(new Error(`${ENGINE_ERR.HOST_FAILED}: host ${start.index} answered what is not an answer`), { code: ENGINE_ERR.HOST_FAILED }));
    const a = parsed.data;
    if (a.op === 'ready') {
      devices = a.devices;
      rss = a.rssBytes;
      ready?.resolve();
      ready = null;
    } else if (a.op === 'done') {
      rss = a.rssBytes;
      last = { toHelpdesk: a.toHelpdesk, commandsReceived: a.commandsReceived };
      lastBy = a.toHelpdeskBy ?? null;
      pending.get(a.id)?.resolve(last);
      pending.delete(a.id);
    } else {
      const e = Object.assign(new Error(`${a.code}: device host ${start.index}: ${a.message}`), { code: a.code });
      if (a.id === null) fail(e);
      else {
        pending.get(a.id)?.reject(e);
        pending.delete(a.id);
      }
    }
  };

  function call(body: Omit<Extract<HostCall, { op: 'advance' }>, 'id'> | Omit<Extract<HostCall, { op: 'settle' }>, 'id'>): Promise<HostProgress> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      control.publish(topics.in, JSON.stringify({ ...body, id }), { qos: 1 });
    });
  }

  return {
    async start() {
      control.on('message', onMessage);
      await control.subscribeAsync(topics.out, { qos: 1 });
      const up = new Promise<void>((resolve, reject) => (ready = { resolve, reject }));
      // stdin stays open: when the runner goes away, however it ends, the host sees it close and exits
      const c = spawn(process.execPath, [...profilingFlags(), ...(size ? hostNodeFlags(size) : []), '--import', 'tsx', HOST_MAIN, JSON.stringify(start)], { stdio: ['pipe', 'ignore', 'inherit'] });
      child = c;
      c.on('exit', (code, signal) => {
        child = null;
        fail(Object.assign(new Error(`${ENGINE_ERR.HOST_EXITED}: device host ${start.index} exited (${signal ?? `code ${code}`})`), { code: ENGINE_ERR.HOST_EXITED }));
      });
      await up;
    },
    advance: (from, to, sent) => call({ op: 'advance', from, to, sent: [...sent].map(([k, n]) => [k, n] as [string, number]) }),
    settle: (sent) => call({ op: 'settle', sent: [...sent].map(([k, n]) => [k, n] as [string, number]) }),
    progress: () => last,
    ...(start.cluster
      ? {
          toHelpdeskBy: (partitions: number): PartitionCounts => {
            if (partitions !== start.cluster!.partitions) throw new RangeError(`host ${start.index} counts ${start.cluster!.partitions} partitions, not ${partitions}`);
            return lastBy ?? noCounts(partitions);
          },
        }
      : {}),
    devices: () => devices,
    rssBytes: () => rss,
    pid: () => child?.pid ?? null,
    async stop() {
      control.off('message', onMessage);
      const c = child;
      if (!c) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      control.publish(topics.in, JSON.stringify({ op: 'stop', id: nextId++ }), { qos: 1 });
      const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
