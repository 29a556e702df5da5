/**
 * Group `fleet` (`npm run bench -- fleet [--homes N]`, default 10,000): a day of a fleet of homes
 * (bench/fleet-scenario.ts: scenarios/fleet-100.yaml with N homes, a car, a fridge and a washer in each, the
 * fleet its goals are set for (10,000 homes, 30,000 devices), reporting by exception with a
 * 15-minute heartbeat, sampled every minute, in pipelined one-minute windows) through the whole engine
 * with the layout the replay chooses for it, then the same connections and message pattern through the bare broker shards in
 * the same run: each replay host writes its message trace (scenarios/engine/message-trace.ts: which device published
 * how many messages in each window) and a bare host replays it (bench/fleet-raw-host.ts: a client a device, each
 * device's messages on its own client in the window it sent them, of the replay's mean size, fleet.rawPayloadBytes),
 * each window waited for; bench/fleet-raw-subscriber.ts: the helpdesk's subscription, in a process of its own
 * started as the runner is. The trace is sent twice, each time in fresh processes and shards, and the bare
 * pattern's figures are the cheaper send's (fleet.rawSends: each send's messages a second).
 *
 *   fleet.messagesPerSecond / fleet.rawBrokerMessagesPerSecond = fleet.ratio, both the messages of the windows
 *     (fleet.windowMessages: the replay's without what its devices said connecting) over the same span: from the
 *     clients connected to the last message (the bare pattern is timed from its clients connected, so the replay's
 *     rate leaves out its start, fleet.startSeconds: helpdesk, hosts and devices connected; fleet.wallSeconds is all of it)
 *   fleet.cpuRatio                  the bare pattern's CPU seconds / the replay's, every process of each (Linux /proc; null
 *     elsewhere): what fleet.ratio would be were both to keep every core busy; it moves less with the machine's load
 *   fleet.rssMBPerThousandDevices   the peak resident memory of the replay's process tree / devices x 1000
 *   fleet.peakVsBaseline, fleet.savingsVsSelfish   the replay's own washer offers (programme, requested, deadline)
 *     coordinated under 1.1 x the no-flex peak (helpdesk/schedule/fleet/coordinate.ts, as bench `coordination`)
 *   fleet.falseTicketsPer10kDeviceDays  from the report's byKind
 * With BENCH_FLEET_OFFERS=FILE the washer offers are written to FILE (JSON), for coordinating them again without a replay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { round } from '../contracts/round.js';
import { PROGRAMMES, powerSequence } from '../devices/kinds/washer.js';
import type { FleetOffer } from '../helpdesk/schedule/fleet/coordinate.js';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import { silentLogger } from '../log/logger.js';
import { profilingFlags } from '../scenarios/engine/control.js';
import { chooseLayout } from '../scenarios/engine/layout.js';
import { thisMachine } from '../scenarios/engine/machine.js';
import { RUNNER_START_FLAGS } from '../scenarios/engine/node-flags.js';
import { resolveShardBroker, startBrokerShards, type ShardBroker } from '../scenarios/engine/shards.js';
import { loadScenario, type LoadedScenario } from '../scenarios/load.js';
import { replay } from '../scenarios/runner.js';
import { offerFigures } from './coordination.js';
import { meanPayloadBytes } from './helpdesk.js';
import { FLEET_BENCH_FLEET, writeFleetScenario } from './fleet-scenario.js';
import { ownCpuSeconds, peakRss } from './process-tree.js';
import { finds, NOT_A_FAULT_TICKET } from '../scenarios/report-by-kind.js';
import type { Report } from '../scenarios/report.js';

const RAW_HOST = fileURLToPath(new URL('./fleet-raw-host.ts', import.meta.url));
const RAW_SUBSCRIBER = fileURLToPath(new URL('./fleet-raw-subscriber.ts', import.meta.url));
/** the homes whose day gives the bare pattern's payload size (a fleet's homes are drawn alike: a sample of them is enough) */
const PAYLOAD_SAMPLE_HOMES = 200;
/** how many times the bare pattern is sent; its figures are the cheapest send's (the first send after a long replay has been the dearer) */
const RAW_SENDS = 2;

export async function benchFleet(homes = 10_000, shardBroker: ShardBroker = 'auto'): Promise<Record<string, number | string | null>> {
  // pipelined, as a fleet is best replayed (docs/fleets.md#pipelined-windows): the helpdesk decides while the devices move on
  const written = writeFleetScenario({ homes, ...FLEET_BENCH_FLEET });
  // the replay's hosts write their message traces here, which the bare pattern replays
  const traceDir = mkdtempSync(join(tmpdir(), 'evernet-fleet-trace-'));
  try {
    return await fleetFigures(homes, loadScenario(written.file), resolveShardBroker(shardBroker), traceDir);
  } finally {
    written.remove(); // the replay's hosts have loaded it
    rmSync(traceDir, { recursive: true, force: true });
  }
}

async function fleetFigures(homes: number, scenario: LoadedScenario, broker: 'aedes' | 'mosquitto', traceDir: string): Promise<Record<string, number | string | null>> {
  const devices = scenario.devices.length;
  const layout = chooseLayout(devices, {}, thisMachine());
  const memory = peakRss({ everyMs: 500 });
  const ownCpu = process.cpuUsage();
  // a line on stderr every tenth of the day: a long run shows how it goes (stdout stays the one JSON object)
  const t0 = performance.now();
  let shown = 0;
  const onProgress = (done: number, total: number): void => {
    if (done / total < (shown + 1) / 10) return;
    shown = Math.floor((done / total) * 10);
    process.stderr.write(`bench fleet: ${shown * 10} % of the day after ${Math.round((performance.now() - t0) / 1000)} s\n`);
  };
  const { report, wall } = await replay({ scenario, log: silentLogger(), stallTimeoutMs: 300_000, onProgress, shardBroker: broker, traceDir });
  const peak = memory.stop();
  const replayOwnCpu = ownCpuSeconds(ownCpu);
  // what a long run leaves to look into, on stderr: where the time went, each process's own peak, and every false ticket
  process.stderr.write(`bench fleet: wall seconds by phase: ${Object.entries(wall.phases).map(([k, v]) => `${k} ${round(v, 1)}`).join(', ')}\n`);
  process.stderr.write(`bench fleet: peak resident memory by process: ${memory.byProcess().map(([p, b]) => `${p} ${Math.round(b / 1024 / 1024)} MB`).join(', ')}\n`);
  const replayCpu = cpuRows(memory.cpuByProcess(), replayOwnCpu);
  process.stderr.write(`bench fleet: CPU seconds by process, replay: ${cpuLine(replayCpu)}\n`);
  for (const t of falseTicketsOf(report)) process.stderr.write(`bench fleet: false ticket ${JSON.stringify(t)}\n`);
  // the replay's messages' mean size, from the day of its first homes (bench/helpdesk.ts): the bare pattern's payload
  // (before the bare pattern's CPU is counted: the sample is the bench's work, not the bare pattern's)
  const payloadBytes = Math.round(meanPayloadBytes(scenario, PAYLOAD_SAMPLE_HOMES));
  const traces = readdirSync(traceDir).sort().map((f) => join(traceDir, f));
  // the trace is sent RAW_SENDS times, each in fresh processes and shards, and the bare pattern's figures are its
  // cheapest: a send the machine slowed down does not flatter the ratio
  const sends: Array<{ messages: number; perSecond: number; cpu: Array<[string, number]> }> = [];
  for (let i = 0; i < RAW_SENDS; i++) {
    const rawMemory = peakRss({ everyMs: 500 });
    const rawOwnCpu = process.cpuUsage();
    const raw = await rawBroker({ broker, traces, shards: Math.max(1, layout.shards), payloadBytes });
    rawMemory.stop();
    const cpu = cpuRows(rawMemory.cpuByProcess(), ownCpuSeconds(rawOwnCpu));
    process.stderr.write(`bench fleet: bare broker pattern, send ${i + 1}: ${Math.round(raw.perSecond)} messages a second; CPU seconds by process: ${cpuLine(cpu)}\n`);
    sends.push({ ...raw, cpu });
  }
  const raw = sends.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const rawCpu = sends.map((s) => s.cpu).reduce((a, b) => (cpuSum(b) < cpuSum(a) ? b : a));

  // the span the bare pattern is timed over too: after the start, its clients connected
  const perSecond = raw.messages / (wall.seconds - wall.phases.start);
  const tariff = loadTariff(scenario.tariffPath);
  const offers: FleetOffer[] = (report.loads ?? []).map((l, i) => ({
    id: `${l.customerId}/${l.deviceId}/${i}`,
    slots: powerSequence(PROGRAMMES[l.programme]!),
    earliestStart: Date.parse(l.requestedAt!),
    latestEnd: Date.parse(l.deadline!),
  }));
  // BENCH_FLEET_OFFERS=FILE keeps the offers (JSON): their coordination can be studied again without a replay
  if (process.env.BENCH_FLEET_OFFERS) writeFileSync(process.env.BENCH_FLEET_OFFERS, JSON.stringify(offers));
  const coordination = offers.length ? offerFigures(offers, tariff, 1.1, 'fleet.coordination') : {};
  const kinds = Object.values(report.byKind ?? {});
  const deviceDays = kinds.reduce((n, k) => n + k.deviceDays, 0);
  const falseTickets = kinds.reduce((n, k) => n + k.tickets.false, 0);
  return {
    'fleet.homes': homes,
    'fleet.devices': devices,
    'fleet.hosts': layout.hosts,
    'fleet.shards': layout.shards,
    'fleet.shardBroker': broker,
    'fleet.messages': report.messages.published,
    'fleet.wallSeconds': round(wall.seconds, 1),
    'fleet.startSeconds': round(wall.phases.start, 1),
    'fleet.messagesPerSecond': Math.round(perSecond),
    'fleet.windowMessages': raw.messages,
    'fleet.rawBrokerMessagesPerSecond': Math.round(raw.perSecond),
    'fleet.rawSends': sends.map((x) => Math.round(x.perSecond)).join(' '),
    'fleet.ratio': round(perSecond / raw.perSecond, 3),
    'fleet.rawPayloadBytes': payloadBytes,
    // the same comparison in CPU time, all processes of each (both with their start): it moves less with the machine's load
    'fleet.cpuRatio': cpuSum(replayCpu) > 0 && cpuSum(rawCpu) > 0 ? round(cpuSum(rawCpu) / cpuSum(replayCpu), 3) : null,
    'fleet.rssMBPerThousandDevices': peak === null ? null : round(peak / 1024 / 1024 / (devices / 1000), 1),
    'fleet.peakVsBaseline': coordination['fleet.coordination.peakVsBaseline'] ?? null,
    'fleet.savingsVsSelfish': coordination['fleet.coordination.savingsVsSelfish'] ?? null,
    'fleet.savingsUpperBound': coordination['fleet.coordination.savingsUpperBound'] ?? null,
    'fleet.washerOffers': offers.length,
    'fleet.falseTicketsPer10kDeviceDays': deviceDays ? round((falseTickets / deviceDays) * 10_000, 2) : null,
    'fleet.tickets': report.tickets?.length ?? null,
  };
}

/** each process's CPU seconds; this process counted by its own measure over the phase (`own`), not since it started */
function cpuRows(each: Array<[string, number]>, own: number): Array<[string, number]> {
  return each.map(([p, s]): [string, number] => (p.startsWith(`${process.pid} `) ? [`${process.pid} bench (runner)`, own] : [p, s]));
}

const cpuSum = (rows: Array<[string, number]>): number => rows.reduce((a, [, s]) => a + s, 0);

/** `pid role s, ...` and their sum */
function cpuLine(rows: Array<[string, number]>): string {
  return `${rows.map(([p, s]) => `${p} ${round(s, 1)}`).join(', ')}; sum ${round(cpuSum(rows), 1)}`;
}

/** the report's tickets on a device without a fault they find injected at or before they opened (report-by-kind.ts's rule) */
function falseTicketsOf(report: Report): Array<{ id: string; customerId: string; deviceId: string; kind: string; openedAt: string | null }> {
  return (report.tickets ?? [])
    .filter((t) => !NOT_A_FAULT_TICKET.has(t.kind))
    .filter((t) => !report.faults.some((f) => f.customerId === t.customerId && f.deviceId === t.deviceId && finds(f.kind, t.kind) && f.injectedAt !== null && (t.openedAt === null || f.injectedAt <= t.openedAt)))
    .map((t) => ({ id: t.id, customerId: t.customerId, deviceId: t.deviceId, kind: t.kind, openedAt: t.openedAt }));
}

interface RawOptions {
  /** what the shards run: the replay's */
  broker: 'aedes' | 'mosquitto';
  /** the replay hosts' message traces: a bare host each */
  traces: string[];
  shards: number;
  payloadBytes: number;
}

/** a child's next line on stdout; a child that ended is an error, not a window passed */
async function next(lines: AsyncIterator<string>, who: string): Promise<string> {
  const r = await lines.next();
  if (r.done) throw new Error(`bench fleet: the bare pattern's ${who} ended before it answered`);
  return r.value;
}

/** the same connections and message pattern through the bare broker shards: the messages sent, and how many a second */
async function rawBroker(o: RawOptions): Promise<{ messages: number; perSecond: number }> {
  const shards = await startBrokerShards(o.shards, 'warn', o.broker);
  const hosts: ChildProcess[] = [];
  // the helpdesk's part in a fresh process with the runner's flags, as the replay's runner starts (bench/fleet-raw-subscriber.ts)
  const subscriber = spawn(process.execPath, [...RUNNER_START_FLAGS, ...profilingFlags(), '--import', 'tsx', RAW_SUBSCRIBER, JSON.stringify({ urls: shards.urls })], { stdio: ['pipe', 'pipe', 'inherit'] });
  // a child that died is reported by `next`, clearly, not by a write to its closed input
  subscriber.stdin!.on('error', () => undefined);
  try {
    const answers = createInterface({ input: subscriber.stdout! })[Symbol.asyncIterator]();
    await next(answers, 'subscriber'); // ready
    const lines: Array<AsyncIterator<string>> = [];
    for (const trace of o.traces) {
      const c = spawn(process.execPath, [...profilingFlags(), '--import', 'tsx', RAW_HOST, JSON.stringify({ urls: shards.urls, trace, payloadBytes: o.payloadBytes })], { stdio: ['pipe', 'pipe', 'inherit'] });
      c.stdin!.on('error', () => undefined);
      hosts.push(c);
      lines.push(createInterface({ input: c.stdout! })[Symbol.asyncIterator]());
    }
    // ready GRANTED WINDOWS: every host's trace has the same windows (the replay called its hosts together)
    const counts = new Set<number>();
    for (const l of lines) counts.add(Number((await next(l, 'host')).split(' ')[2]));
    if (counts.size !== 1) throw new Error(`bench fleet: the replay hosts' traces have different windows (${[...counts].join(', ')})`);
    const [windows] = counts;
    const t0 = performance.now();
    let sent = 0;
    for (let w = 0; w < windows!; w++) {
      for (const h of hosts) h.stdin!.write(`${w}\n`);
      for (const l of lines) sent += Number((await next(l, 'host')).split(' ')[1]); // sent N
      subscriber.stdin!.write(`${sent}\n`);
      await next(answers, 'subscriber'); // got at least what was sent
    }
    return { messages: sent, perSecond: sent / ((performance.now() - t0) / 1000) };
  } finally {
    for (const h of hosts) h.stdin?.end();
    await Promise.all(hosts.map((h) => (h.exitCode === null ? new Promise((r) => h.once('exit', r)) : null)));
    subscriber.stdin?.end();
    if (subscriber.exitCode === null) await new Promise((r) => subscriber.once('exit', r));
    await shards.stop();
  }
}
