/**
 * What a device costs in memory in a device host and in a broker shard, without replaying a day:
 * `npx tsx bench/fleet-memory.ts [--devices 2000,6000] [--windows 0,60,360] [--snapshot DIR] [--flags="--max-semi-space-size=64 ..."]` (the host's V8 flags; with `=`, as the value starts with `--`)
 *
 * For each fleet size (the bench fleet, bench/fleet-scenario.ts, with as many homes as give about
 * that many devices) it starts one broker shard (shard-main.ts) and one device host (host-main.ts)
 * with all the devices, as the replay does, plus a subscriber standing in for the helpdesk (QoS 1 on
 * the devices' tree, so the shard forwards every message as it does in a replay), then advances the
 * host window by window (one minute each; no commands). At each checkpoint (windows advanced) both
 * processes report their memory through bench/memory-probe.ts: before and after a full collection.
 * Prints one JSON object: each size's figures, and the marginal cost of a device between the smallest
 * and the largest size (bytes a device), by process and measure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { hostTopics, HostAnswer, type HostStart } from '../scenarios/engine/control.js';
import { hostNodeFlags, shardNodeFlags } from '../scenarios/engine/node-flags.js';
import { loadScenario } from '../scenarios/load.js';
import { scratchDir } from '../storage/scratch-dir.js';
import { writeFleetScenario } from './fleet-scenario.js';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const SHARD_MAIN = here('../scenarios/engine/shard-main.ts');
const HOST_MAIN = here('../scenarios/engine/host-main.ts');
const PROBE = new URL('./memory-probe.ts', import.meta.url).href;
const DEVICES_PER_HOME = 27_002 / 10_000;

interface Memory { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }
interface Probe { pid: number; before: Memory; after: Memory; spaces: Record<string, { size: number; used: number }> }

/** CPU seconds the process has used so far (user + system) */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function probe(child: ChildProcess, file: string): Promise<Probe & { rssProc: number; cpuS: number }> {
  const seen = (): string[] => { try { return readFileSync(file, 'utf8').split('\n').filter(Boolean); } catch { return []; } };
  const n = seen().length;
  const rssProc = rssOf(child.pid!);
  const cpuS = cpuOf(child.pid!);
  child.kill('SIGUSR2');
  for (let i = 0; i < 600; i++) {
    const lines = seen();
    if (lines.length > n) return { ...(JSON.parse(lines[n]!) as Probe), rssProc, cpuS };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no memory probe answer from ${child.pid}`);
}

function node(script: string, args: string[], flags: string[], probeFile: string, snapshot: string | undefined): ChildProcess {
  return spawn(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', '--import', PROBE, script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, EVERNET_MEMPROBE: probeFile, ...(snapshot ? { EVERNET_MEMPROBE_SNAPSHOT: snapshot } : {}) },
  });
}

const pick = (p: Probe & { rssProc: number; cpuS: number }) => ({
  rss: p.rssProc, cpuS: p.cpuS, heapUsed: p.before.heapUsed, heapTotal: p.before.heapTotal, external: p.before.external, arrayBuffers: p.before.arrayBuffers,
  rssAfterGc: p.after.rss, heapUsedAfterGc: p.after.heapUsed, heapTotalAfterGc: p.after.heapTotal, externalAfterGc: p.after.external,
  newSpace: p.spaces['new_space']?.size ?? 0, oldSpace: p.spaces['old_space']?.size ?? 0,
});
type Figures = ReturnType<typeof pick> & { peakRss: number };

async function measure(devicesAsked: number, checkpoints: number[], o: { flags?: string[]; snapshot?: string }): Promise<Record<string, { host: Figures; shard: Figures }>> {
  const homes = Math.max(1, Math.round(devicesAsked / DEVICES_PER_HOME));
  const written = writeFleetScenario({ homes });
  const file = written.file;
  const loaded = loadScenario(file);
  const devices = loaded.devices.length;
  const probes = scratchDir('evernet-memprobe-');
  const dir = probes.path;
  // `flags` are the host's: the shard keeps its own, as in a replay
  const shard = node(SHARD_MAIN, ['warn'], shardNodeFlags({ devices }), join(dir, 'shard'), o.snapshot);
  const children: ChildProcess[] = [shard];
  const clients: MqttClient[] = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: shard.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
      shard.once('exit', (c) => reject(new Error(`shard exited (${c})`)));
    });
    // the helpdesk's stand-in: every device message forwarded to it at QoS 1, as in a replay
    const sink = await mqtt.connectAsync(url, { clientId: 'memprobe-helpdesk', clean: true });
    clients.push(sink);
    let received = 0;
    sink.on('message', () => void received++);
    await sink.subscribeAsync('evernet/v1/#', { qos: 1 });
    const run = `memprobe${process.pid}`;
    const control = await mqtt.connectAsync(url, { clientId: `evernet-engine-${run}`, clean: true });
    clients.push(control);
    const topics = hostTopics(run, 0);
    const answers: HostAnswer[] = [];
    let wake: (() => void) | null = null;
    control.on('message', (_t, p) => { answers.push(HostAnswer.parse(JSON.parse(p.toString()))); wake?.(); });
    await control.subscribeAsync(topics.out, { qos: 1 });
    const next = async (): Promise<HostAnswer> => {
      while (!answers.length) await new Promise<void>((r) => (wake = r));
      const a = answers.shift()!;
      if (a.op === 'error') throw new Error(`${a.code}: ${a.message}`);
      return a;
    };
    const start: HostStart = { file, seed: 7, index: 0, count: 1, brokerUrls: [url], controlUrl: url, run, logLevel: 'warn' };
    const host = node(HOST_MAIN, [JSON.stringify(start)], o.flags ?? hostNodeFlags({ devices, scenarioDevices: devices }), join(dir, 'host'), o.snapshot);
    children.push(host);
    // each process's peak resident memory, sampled every 200 ms (a checkpoint's own reading misses the peaks between)
    const peaks = new Map<ChildProcess, number>();
    const sampler = setInterval(() => {
      for (const c of [host, shard]) if (c.exitCode === null) peaks.set(c, Math.max(peaks.get(c) ?? 0, rssOf(c.pid!)));
    }, 200);
    const t0 = performance.now();
    await next(); // ready
    const connectS = (performance.now() - t0) / 1000;
    const out: Record<string, { host: Figures; shard: Figures }> = {};
    let w = 0;
    let id = 1;
    let toHelpdesk = 0;
    const windowMs = loaded.scenario.windowS * 1000;
    let advanceS = 0;
    for (const cp of checkpoints) {
      const t1 = performance.now();
      for (; w < cp; w++) {
        control.publish(topics.in, JSON.stringify({ op: 'advance', id: id++, from: loaded.startMs + w * windowMs, to: loaded.startMs + (w + 1) * windowMs, sent: [] }), { qos: 1 });
        const a = await next();
        if (a.op === 'done') toHelpdesk = a.toHelpdesk;
        while (received < toHelpdesk) await new Promise((r) => setTimeout(r, 2));
      }
      advanceS += (performance.now() - t1) / 1000;
      out[`w${cp}`] = {
        host: { ...pick(await probe(host, join(dir, 'host'))), peakRss: peaks.get(host) ?? 0 },
        shard: { ...pick(await probe(shard, join(dir, 'shard'))), peakRss: peaks.get(shard) ?? 0 },
      };
      process.stderr.write(`fleet-memory: ${devices} devices, ${cp} windows: host ${Math.round(out[`w${cp}`]!.host.rss / 2 ** 20)} MB, shard ${Math.round(out[`w${cp}`]!.shard.rss / 2 ** 20)} MB\n`);
    }
    clearInterval(sampler);
    return { ...out, info: { devices, connectS, advanceS, messages: toHelpdesk } as never };
  } finally {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    for (const c of children) c.stdin?.end();
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => { c.once('exit', r); setTimeout(() => { c.kill('SIGKILL'); }, 10_000).unref(); }) : null)));
    // the probes' files have been read, and the hosts have loaded the scenario: neither is left behind
    probes.remove();
    written.remove();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '2000,6000' }, windows: { type: 'string', default: '0,60,360' }, snapshot: { type: 'string' }, flags: { type: 'string' } } });
  const sizes = values.devices.split(',').map(Number);
  const checkpoints = values.windows.split(',').map(Number);
  const flags = values.flags === undefined ? undefined : values.flags.split(' ').filter(Boolean);
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const n of sizes) results[n] = await measure(n, checkpoints, { ...(flags ? { flags } : {}), ...(values.snapshot ? { snapshot: values.snapshot } : {}) });
  const [lo, hi] = [sizes[0]!, sizes[sizes.length - 1]!];
  const marginal: Record<string, Record<string, number>> = {};
  if (lo !== hi) {
    const dn = (results[hi]!['info'] as unknown as { devices: number }).devices - (results[lo]!['info'] as unknown as { devices: number }).devices;
    for (const cp of checkpoints) {
      for (const proc of ['host', 'shard'] as const) {
        const a = results[lo]![`w${cp}`]![proc];
        const b = results[hi]![`w${cp}`]![proc];
        marginal[`w${cp}.${proc}`] = Object.fromEntries(Object.keys(a).map((k) => [k, Math.round((b[k as keyof Figures] - a[k as keyof Figures]) / dn)]));
      }
    }
  }
  process.stdout.write(JSON.stringify({ results, marginalBytesPerDevice: marginal }, null, 2) + '\n');
}

await main();
