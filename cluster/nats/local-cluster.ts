/**
 * A NATS cluster of child processes on loopback, for tests, the bench and `evernet cluster up`
 * (docs/scale.md, "The NATS cluster"): N nats-server nodes on free ports, each with JetStream, an
 * MQTT listener and the partition mapping (config.ts). start waits until every node is healthy,
 * routed to every other and JetStream has a meta leader. stop kills every node and removes the
 * folder it made; a node is also killed when this process exits (a test that failed, an uncaught
 * error), so none is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { findExecutable } from '../../stack/executables.js';
import { freePorts } from '../../stack/free-ports.js';
import { nodeConfig } from './config.js';
import { CLUSTER_ERR, ClusterError } from './errors.js';

export interface LocalClusterOptions {
  /** default 3 */
  nodes?: number;
  /** the mapping's partition count; default 4 */
  partitions?: number;
  /** a folder for the nodes' configs, logs and JetStream stores (kept at stop); default a new temp folder, removed at stop */
  dir?: string;
  /** default 127.0.0.1 */
  host?: string;
  log?: Logger;
  /** the nats-server binary; default the one findNatsServer() finds */
  binary?: string;
  /** how long start (and restart) waits for a formed cluster; default 30 s */
  readyTimeoutMs?: number;
}

export interface LocalNode {
  name: string;
  natsUrl: string;
  mqttUrl: string;
  /** the monitoring endpoint (/healthz, /jsz, /routez) */
  httpUrl: string;
  /** the node's folder (config, log, JetStream store) */
  dir: string;
  /** the process id while it runs, else null */
  pid: number | null;
}

export interface LocalCluster {
  natsUrls: string[];
  mqttUrls: string[];
  nodes: LocalNode[];
  partitions: number;
  /** kills node i (default SIGKILL) and waits until its process is gone */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** starts node i again (same ports and store) and waits until the cluster is whole again */
  restart(i: number): Promise<void>;
  /** kills every node (SIGTERM, then SIGKILL after 5 s) and removes the temp folder it made */
  stop(): Promise<void>;
}

/** the nats-server binary (PATH, then Debian's /usr/sbin), or null where it is not installed */
export const findNatsServer = (): string | null => findExecutable('nats-server');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok && res.status !== 503) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

/** every child started by any cluster of this process, and the temp folders they made: killed and removed when the process exits */
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHook = false;
function onExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  });
}
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  onExit();
}

interface NodeState {
  info: LocalNode;
  ports: { client: number; cluster: number; mqtt: number; http: number };
  config: string;
  log: string;
  child: ChildProcess | null;
  /** why the node exited on its own (not killed by us), for the start error */
  exited: string | null;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const count = options.nodes ?? 3;
  const partitions = options.partitions ?? 4;
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const log = options.log;
  if (!Number.isInteger(count) || count < 1) throw new ClusterError(CLUSTER_ERR.START, `a cluster needs at least 1 node, not ${count}`);
  const binary = options.binary ?? findNatsServer();
  if (!binary) throw new ClusterError(CLUSTER_ERR.START, 'nats-server is not installed (Debian: apt-get install nats-server)');
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-nats-'));
  fs.mkdirSync(dir, { recursive: true });
  if (ownDir) {
    tempDirs.add(dir);
    onExit();
  }

  const ports = await freePorts(count * 4, host);
  const nodes: NodeState[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i + 1}`;
    const nodeDir = path.join(dir, name);
    fs.mkdirSync(nodeDir, { recursive: true });
    const [client, cluster, mqtt, http] = ports.slice(i * 4, i * 4 + 4) as [number, number, number, number];
    nodes.push({
      info: { name, natsUrl: `nats://${host}:${client}`, mqttUrl: `mqtt://${host}:${mqtt}`, httpUrl: `http://${host}:${http}`, dir: nodeDir, pid: null },
      ports: { client, cluster, mqtt, http },
      config: path.join(nodeDir, 'nats.conf'),
      log: path.join(nodeDir, 'nats.log'),
      child: null,
      exited: null,
    });
  }
  const routes = count > 1 ? nodes.map((n) => `${host}:${n.ports.cluster}`) : [];
  for (const n of nodes) {
    const text = nodeConfig({
      name: n.info.name, host, port: n.ports.client, clusterPort: n.ports.cluster, routes, mqttPort: n.ports.mqtt,
      storeDir: n.info.dir, partitions, httpPort: n.ports.http,
    });
    fs.writeFileSync(n.config, text);
  }

  const spawnNode = (n: NodeState): void => {
    const out = fs.openSync(n.log, 'a');
    const child = spawn(binary, ['-c', n.config], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    n.child = child;
    n.exited = null;
    n.info.pid = child.pid ?? null;
    track(child);
    child.once('error', (e) => (n.exited = e.message));
    child.once('exit', (code, signal) => {
      if (n.child === child) {
        n.child = null;
        n.info.pid = null;
        n.exited ??= `exited (${signal ?? `code ${code}`})`;
      }
    });
  };

  const logTail = (n: NodeState): string => {
    try {
      return fs.readFileSync(n.log, 'utf8').trim().split('\n').slice(-5).join(' | ');
    } catch {
      return '(no log)';
    }
  };

  /**
   * one node's view: healthy, routed to every other running node, a meta leader known. A restarted
   * node is only asked whether JetStream is on (`js-enabled-only`): nats-server 2.9.10's full health
   * check stays failing after a kill -9 (its MQTT retained-messages consumer "is not current").
   */
  const ready = async (n: NodeState, running: number, full: boolean): Promise<boolean> => {
    try {
      const health = (await getJson(`${n.info.httpUrl}/healthz${full ? '' : '?js-enabled-only=true'}`)) as { status?: string };
      if (health.status !== 'ok') return false;
      if (running > 1) {
        const routez = (await getJson(`${n.info.httpUrl}/routez`)) as { num_routes?: number };
        if ((routez.num_routes ?? 0) < running - 1) return false;
      }
      const jsz = (await getJson(`${n.info.httpUrl}/jsz`)) as { meta_cluster?: { leader?: string } };
      return running === 1 || Boolean(jsz.meta_cluster?.leader);
    } catch {
      return false;
    }
  };

  const waitReady = async (what: string, full: boolean): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const up = nodes.filter((n) => n.child);
      const dead = nodes.find((n) => n.exited && !n.child && n.exited !== 'killed');
      if (dead) throw new ClusterError(CLUSTER_ERR.START, `${what}: node ${dead.info.name} ${dead.exited}: ${logTail(dead)}`);
      const states = await Promise.all(up.map((n) => ready(n, up.length, full)));
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) {
        const late = up.filter((_, i) => !states[i]).map((n) => `${n.info.name} (${logTail(n)})`);
        throw new ClusterError(CLUSTER_ERR.START, `${what}: not ready within ${timeoutMs} ms: ${late.join('; ')}`);
      }
      await sleep(100);
    }
  };

  const killNode = async (n: NodeState, signal: NodeJS.Signals): Promise<void> => {
    const child = n.child;
    if (!child) return;
    n.exited = 'killed';
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };

  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => killNode(n, 'SIGTERM')));
    if (ownDir) {
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    }
    log?.info({ dir }, 'nats cluster stopped');
  };

  const started = Date.now();
  try {
    for (const n of nodes) spawnNode(n);
    await waitReady(`the NATS cluster (${count} nodes)`, true);
  } catch (e) {
    await stop();
    throw e;
  }
  log?.info({ nodes: count, partitions, ms: Date.now() - started, natsUrls: nodes.map((n) => n.info.natsUrl) }, 'nats cluster ready');

  const at = (i: number): NodeState => {
    const n = nodes[i];
    if (!n) throw new RangeError(`no node ${i} (the cluster has ${count})`);
    return n;
  };
  return {
    natsUrls: nodes.map((n) => n.info.natsUrl),
    mqttUrls: nodes.map((n) => n.info.mqttUrl),
    nodes: nodes.map((n) => n.info),
    partitions,
    kill: async (i, signal = 'SIGKILL') => {
      await killNode(at(i), signal);
      log?.info({ node: at(i).info.name, signal }, 'nats node killed');
    },
    restart: async (i) => {
      const n = at(i);
      if (n.child) await killNode(n, 'SIGTERM');
      spawnNode(n);
      await waitReady(`node ${n.info.name} restarted`, false);
      log?.info({ node: n.info.name }, 'nats node restarted');
    },
    stop,
  };
}
