/**
 * Group `helpdesk` (`npm run bench -- helpdesk [--homes N]`, default 1,000): what a fleet replay's helpdesk
 * costs a message, without the network and without the devices. The day of N homes of the fleet bench's
 * fleet (bench/fleet-scenario.ts: a car, a fridge and a washer in every home, sampled every minute,
 * reporting by exception with a 15-minute heartbeat, one-minute windows) is made first: every device's
 * announce and "online", then what its agent publishes window by window, encoded as on the wire. Then a helpdesk set up as a fleet replay's own (its options,
 * its scratch database, the scenario's world and tariff) takes that day through a transport of the bench's:
 * each window's messages handed to it as the broker hands them (topic, payload bytes), then the window
 * decided at its end, as the runner does. The commands it sends go nowhere: the devices of the day are
 * made beforehand, so a remote fix does not change what they send afterwards.
 *
 *   helpdesk.usPerMessage           the helpdesk's CPU µs a message: ingest (the contract check, the
 *     registry's admission, ordering) and deciding (detectors, silence, incidents, loads, offers, telemetry)
 *   helpdesk.gcMsPerThousandMessages  the garbage collector's pauses in that time, per 1,000 messages
 *   helpdesk.messages, helpdesk.rejected, helpdesk.tickets   what it took, refused (0: every message passes the
 *     contract and the registry) and opened: a check that it did the replay's work
 * Each the median of five days, every one on a new helpdesk: the machine is shared. The fleet bench's
 * runner does this work besides mqtt.js' (docs/fleet-engine-log.md#the-runner-at-10000-homes-profiled-whole).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { VirtualClock } from '../contracts/clock.js';
import { round } from '../contracts/round.js';
import { deviceTopic } from '../contracts/topics.js';
import { createAgent } from '../devices/agent.js';
import { KINDS } from '../devices/kinds/index.js';
import type { OutboxEntry, OutboxStore } from '../devices/outbox/store.js';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import type { HelpdeskTransport } from '../helpdesk/transport/transport.js';
import { silentLogger } from '../log/logger.js';
import { directoryOf } from '../scenarios/directory.js';
import { deviceSeed } from '../scenarios/engine/seed.js';
import type { LoadedScenario } from '../scenarios/load.js';
import { drawn, embeddedHelpdeskOptions, scratchDb, scratchTelemetryDb } from '../scenarios/replay-helpdesk.js';
import { agentTelemetryOptions } from '../scenarios/telemetry-options.js';
import { startHelpdeskStack } from '../stack/helpdesk-stack.js';
import { FLEET_BENCH_FLEET, loadFleetScenario } from './fleet-scenario.js';
import { ownCpuSeconds } from './process-tree.js';

/** a window's messages: their topics, and their payloads end to end in one buffer (`bounds[i]` ends the i-th) */
export interface DayWindow {
  topics: string[];
  payloads: Buffer;
  bounds: Uint32Array;
  /** the window's end (event time) */
  end: number;
}

/** the day as a broker hands it over: each message a topic and a new view of its bytes, as mqtt.js gives them */
export function* messagesOf(w: DayWindow): Generator<[string, Buffer]> {
  let from = 0;
  for (let i = 0; i < w.topics.length; i++) {
    yield [w.topics[i]!, w.payloads.subarray(from, w.bounds[i]!)];
    from = w.bounds[i]!;
  }
}

function packed(messages: Array<readonly [string, string]>, end: number): DayWindow {
  const bytes = messages.map(([, p]) => Buffer.from(p));
  const bounds = new Uint32Array(bytes.length);
  let n = 0;
  bytes.forEach((b, i) => (bounds[i] = n += b.length));
  return { topics: messages.map(([t]) => t), payloads: Buffer.concat(bytes, n), bounds, end };
}

/** an outbox that keeps nothing and hands what is appended to the day being made */
class CapturingStore implements OutboxStore {
  private last = 0;
  constructor(private readonly into: { window: Array<readonly [string, string]> }) {}
  append(e: OutboxEntry): void {
    this.last = e.seq;
    this.into.window.push([e.topic, e.payload]);
  }
  after(): OutboxEntry[] {
    return [];
  }
  remove(): boolean {
    return false;
  }
  removeThrough(): number {
    return 0;
  }
  dropOldest(): OutboxEntry | null {
    return null;
  }
  size(): number {
    return 0;
  }
  lastSeq(): number {
    return this.last;
  }
  dropped(): number {
    return 0;
  }
  close(): void {}
}

/** the day's messages to the helpdesk, window by window (the first also holds every device's hello) */
export function makeDay(loaded: LoadedScenario): DayWindow[] {
  const log = silentLogger();
  const into = { window: [] as Array<readonly [string, string]> };
  const agents = loaded.devices.map((d) =>
    createAgent({
      customerId: d.customerId, deviceId: d.id, model: KINDS[d.kind], params: d.params, seed: deviceSeed(loaded.scenario.seed, d.customerId, d.id),
      brokerUrl: 'mqtt://127.0.0.1:1', startAt: loaded.startMs, log, ...agentTelemetryOptions(loaded), announce: { name: d.name }, lookAhead: true,
      outbox: new CapturingStore(into),
    }),
  );
  for (const a of agents) {
    const h = a.greeting();
    if (h.announce !== null) into.window.push([deviceTopic(a.customerId, a.deviceId, 'announce'), h.announce]);
    into.window.push([deviceTopic(a.customerId, a.deviceId, 'availability'), h.online]);
  }
  const day: DayWindow[] = [];
  const windowMs = loaded.scenario.windowS * 1000;
  for (let from = loaded.startMs; from < loaded.endMs; from += windowMs) {
    const to = Math.min(from + windowMs, loaded.endMs);
    for (const a of agents) a.tick(to);
    day.push(packed(into.window, to));
    into.window = [];
  }
  return day;
}

/**
 * The mean payload, in bytes, of what the first `homes` homes of `loaded` publish in its day (their hellos,
 * telemetry and events, made as makeDay makes them): each device's day follows from its own seed, so these
 * are the bytes those homes send in a replay of the whole fleet too. Bench `fleet`'s bare pattern sends messages of this size.
 */
export function meanPayloadBytes(loaded: LoadedScenario, homes: number): number {
  const first = new Set([...new Set(loaded.devices.map((d) => d.customerId))].slice(0, homes));
  const devices = loaded.devices.filter((d) => first.has(d.customerId));
  const day = makeDay({ ...loaded, devices });
  const messages = day.reduce((n, w) => n + w.topics.length, 0);
  return day.reduce((n, w) => n + w.payloads.length, 0) / messages;
}

/** one day through a new helpdesk: its CPU seconds, GC pause ms, messages received and rejected, tickets */
export async function helpdeskDay(loaded: LoadedScenario, day: readonly DayWindow[]) {
  let deliver: ((topic: string, payload: Uint8Array) => void) | null = null;
  let sent = 0;
  const transport: HelpdeskTransport = {
    start: async (onMessage) => void (deliver = onMessage),
    publish: () => void sent++,
    stop: async () => {},
    abort: () => {},
  };
  const clock = new VirtualClock(loaded.startMs);
  const db = scratchDb();
  const o = embeddedHelpdeskOptions(loaded, drawn({}));
  const stack = await startHelpdeskStack({
    directory: directoryOf(loaded), clock, log: silentLogger(), tariff: loadTariff(loaded.tariffPath), db: db.file, telemetryDb: scratchTelemetryDb(loaded.devices.length),
    ...o, helpdesk: { ...o.helpdesk, transport },
  });
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  try {
    const h = stack.helpdesk;
    gc.observe({ entryTypes: ['gc'] });
    const cpu = process.cpuUsage();
    let delivered = 0;
    for (const w of day) {
      clock.set(w.end);
      let from = 0;
      for (let i = 0; i < w.topics.length; i++) {
        deliver!(w.topics[i]!, w.payloads.subarray(from, w.bounds[i]!));
        from = w.bounds[i]!;
      }
      // as the runner: the window's messages counted in (the barrier), then decided at its end
      delivered += w.topics.length;
      await h.received(delivered, w.end);
      h.advance(w.end);
    }
    const seconds = ownCpuSeconds(cpu);
    // the observer hears of the collections a turn of the event loop later
    await new Promise((resolve) => setTimeout(resolve, 100));
    gc.disconnect();
    const stats = h.stats();
    return { seconds, gcMs, received: stats.received, rejected: stats.rejected, tickets: stack.store.list().length, sent };
  } finally {
    gc.disconnect();
    await stack.stop();
    db.remove();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchHelpdesk(homes = 1000): Promise<Record<string, number>> {
  const loaded = loadFleetScenario({ homes, ...FLEET_BENCH_FLEET });
  const day = makeDay(loaded);
  const messages = day.reduce((n, w) => n + w.topics.length, 0);
  await helpdeskDay(loaded, day); // warm up
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await helpdeskDay(loaded, day));
  const us = runs.map((r) => (r.seconds * 1e6) / messages);
  const gcMs = runs.map((r) => (r.gcMs * 1000) / messages);
  return {
    'helpdesk.homes': homes,
    'helpdesk.devices': loaded.devices.length,
    'helpdesk.messages': messages,
    'helpdesk.usPerMessage': round(median(us), 2),
    'helpdesk.gcMsPerThousandMessages': round(median(gcMs), 2),
    'helpdesk.rejected': runs[0]!.rejected,
    'helpdesk.tickets': runs[0]!.tickets,
  };
}
