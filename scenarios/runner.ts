/**
 * Replays a scenario: the embedded broker (or any broker by URL), one agent per device, the
 * helpdesk and the customers' apps, all on one virtual clock. Every message really crosses the
 * broker. Time moves in windows: devices run to the window's end, the runner waits until the
 * helpdesk has received everything they sent (sequence numbers make that exact), the helpdesk
 * decides at the window's end, and its commands reach the devices before they move on. So the
 * same scenario and seed always produce the same report.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { customerOfTopic, encode, HELPDESK_FILTERS, saidByConnection, serviceTopic, stamp, topicMatches } from '../contracts/index.js';
import { createDiscovery } from '../devices/discovery/publisher.js';
import { KINDS } from '../devices/kinds/index.js';
import { serversOf } from '../devices/agent.js';
import type { Helpdesk } from '../helpdesk/service.js';
import { partitionOf } from '../contracts/index.js';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import { startHelpdeskStack, type HelpdeskStack } from '../stack/helpdesk-stack.js';
import { directoryOf } from './directory.js';
import { atMost, createPacer, within } from './clock/pacer.js';
import { VirtualClock } from '../contracts/clock.js';
import { createCommandLog } from './command-log.js';
import { faultTruth } from './ground-truth.js';
import { addCount, noCounts, type HostProgress, type PartitionCounts } from './engine/device-host.js';
import { startEngine, startShards } from './engine/engine.js';
import { chooseLayout, type Machine } from './engine/layout.js';
import { thisMachine } from './engine/machine.js';
import type { BrokerShards, ShardBroker } from './engine/shards.js';
import { deviceSeed } from './engine/seed.js';
import type { LoadedScenario } from './load.js';
import { buildReport, type Report } from './report.js';
import { replyBody } from './replies.js';
import { collectSeries, type ReportSeries } from './report-html/collect.js';
import { createPipeline, embeddedSide, type ReplaySide } from './replay-side.js';
import { drawn, embeddedHelpdeskOptions, scratchDb, scratchTelemetryDb, type ScratchDb } from './replay-helpdesk.js';
export { EMBEDDED_TELEMETRY, replayHelpdeskOptions, scratchTelemetryDb } from './replay-helpdesk.js';
import { startClusterSide, type ClusterReplayOptions } from './cluster/cluster-side.js';
import { createClusterView } from '../cluster/view.js';
import type { DashboardHelpdesk } from '../helpdesk/web/deps.js';

export interface ReplayOptions {
  scenario: LoadedScenario;
  log: Logger;
  /** overrides the scenario's seed */
  seed?: number;
  /** any MQTT broker; default: an embedded aedes on 127.0.0.1, free port */
  brokerUrl?: string;
  /**
   * the helpdesk's database (tickets, telemetry, ...); default: in memory for a replay in one process,
   * a temporary file (removed after the replay) for a fleet spread over device hosts: a day of 10,000
   * homes' telemetry is about 150 bytes a message, 0.9 GB the process need not hold
   */
  dbPath?: string;
  /** simulated seconds per wall second; undefined runs as fast as the machine allows */
  speed?: number;
  /** hears each window's end (ms of event time done, of total); a returned promise pauses the replay until it settles */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** the replay's clock (give it to the logger too, so log lines carry event time); default: a new one */
  clock?: VirtualClock;
  /** announce every device to Home Assistant (MQTT discovery, retained configs) */
  homeAssistant?: boolean;
  /** wall ms to wait for messages before giving up with EVN_ERR_REPLAY_STALLED */
  stallTimeoutMs?: number;
  /** called right after the helpdesk has started, e.g. to serve the dashboard on it (`replay --dashboard`) */
  onHelpdesk?: (h: Helpdesk) => void;
  /**
   * called with what a dashboard shows once the helpdesk has started (`replay --dashboard`): the
   * embedded helpdesk, or on a cluster a view of every partition (cluster/view.ts), which the
   * replay's workers answer under the run's group
   */
  onView?: (view: DashboardHelpdesk) => void;
  /** awaited after the last window, before everything stops: keeps the helpdesk, devices and broker up (a dashboard still in use) */
  holdUntil?: Promise<unknown>;
  /** read the telemetry, incident windows and load prices the HTML report draws (ReplayResult.series) */
  collectSeries?: boolean;
  /** called with the result as soon as the replay is done, before holdUntil is awaited */
  onReplayed?: (result: ReplayResult) => void;
  /**
   * each device host writes which of its devices published how many messages in each window to
   * host-INDEX.trace in this directory (engine/message-trace.ts): bench `fleet` sends the same pattern
   * through the bare broker
   */
  traceDir?: string;
  /** device host processes (0: in this process); default: by the fleet's size (engine/layout.ts) */
  hosts?: number;
  /** broker shard processes (0: one embedded broker); default: by the fleet's size */
  shards?: number;
  /** what the shards run: aedes processes of ours or mosquitto; default 'auto': mosquitto where installed (engine/shards.ts) */
  shardBroker?: ShardBroker;
  /** the machine's figures the layout is checked against; default: this machine's */
  machine?: Machine;
  /** with collectSeries: only these customers' series (the customers a report lists); default all */
  seriesCustomers?: ReadonlySet<string>;
  /**
   * replay over a NATS cluster: helpdesk workers serve the partitions, devices speak MQTT to the
   * cluster's nodes (docs/scale.md); the devices run in this process or in device hosts (`hosts`), as
   * on one machine. Not with brokerUrl, dbPath, shards or onHelpdesk (onView shows every partition)
   */
  cluster?: ClusterReplayOptions;
}

export interface ReplayResult {
  report: Report;
  /** what the HTML report draws, with collectSeries */
  series?: ReportSeries;
  /** not part of the report: wall-clock figures */
  wall: { seconds: number; messagesPerSecond: number; phases: ReplayPhases };
}

/**
 * Where a replay's wall time went, in seconds: `start` until the first window (helpdesk, broker,
 * devices connected), then per window `devices` (the commands in, every device to the window's end:
 * their hosts' answers), `helpdesk` (until it has received what was sent, and decided: the side's
 * window call), and `end` (the last commands, the report)
 */
export interface ReplayPhases {
  start: number;
  devices: number;
  helpdesk: number;
  /** of `helpdesk`: deciding, once everything had arrived (the embedded helpdesk) */
  deciding?: number;
  end: number;
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { scenario: loaded, log } = options;
  const s = loaded.scenario;
  const seed = options.seed ?? s.seed;
  const clock = options.clock ?? new VirtualClock(loaded.startMs);
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const wallStart = performance.now();

  // a fleet the machine cannot carry is refused here, before anything starts
  const cluster = options.cluster;
  // on a cluster its nodes hold the connections (no shards); the devices run here or in hosts, as on one machine
  const layout = chooseLayout(loaded.devices.length, cluster ? { hosts: options.hosts, external: true } : { hosts: options.hosts, shards: options.shards, external: !!options.brokerUrl }, options.machine ?? thisMachine());
  const clients: MqttClient[] = [];
  let stack: HelpdeskStack | null = null;
  let shards: BrokerShards | null = null;
  const stoppers: Array<{ what: string; stop: () => Promise<void> }> = [];
  let scratch: ScratchDb | null = null;
  try {
    let side: ReplaySide;
    let helpdesk: Helpdesk | null = null;
    let brokerUrls: readonly string[];
    let brokerUrl: string;
    if (cluster) {
      if (s.pipeline) throw Object.assign(new Error('EVN_ERR_SCENARIO: a pipelined scenario (pipeline: true) does not replay on a cluster yet'), { code: 'EVN_ERR_SCENARIO' });
      const started = await startClusterSide({ ...cluster, file: loaded.file, seed, log, logLevel: log.level, ...(options.onView ? { view: true } : {}) });
      stoppers.push({ what: 'the helpdesk workers', stop: () => started.stop() });
      if (options.onView) {
        const view = createClusterView({ partitions: cluster.partitions, group: started.group, clock, log });
        await view.start({ nc: started.nc, local: () => undefined });
        stoppers.unshift({ what: 'the cluster view', stop: async () => view.stop() });
        options.onView(view);
      }
      side = started.side;
      brokerUrls = cluster.mqttUrls;
      brokerUrl = cluster.mqttUrls[0]!;
    } else {
      shards = await startShards(layout as Parameters<typeof startShards>[0], log.level, options.shardBroker);
      if (!options.dbPath && layout.hosts > 0) scratch = scratchDb();
      stack = await startHelpdeskStack({
        directory: directoryOf(loaded), clock, log, tariff: loadTariff(loaded.tariffPath), db: options.dbPath ?? scratch?.file,
        ...(scratch ? { telemetryDb: scratchTelemetryDb(loaded.devices.length) } : {}),
        ...(options.brokerUrl ? { brokerUrl: options.brokerUrl } : {}),
        ...(shards ? { brokerUrls: shards.urls } : {}),
        ...embeddedHelpdeskOptions(loaded, scratch ? drawn(options) : null),
      });
      helpdesk = stack.helpdesk;
      side = embeddedSide(stack.helpdesk, stack.store);
      brokerUrl = stack.brokerUrl;
      brokerUrls = shards?.urls ?? [brokerUrl];
      options.onHelpdesk?.(helpdesk);
      options.onView?.(helpdesk);
    }
    // the helpdesk's commands as they crossed the broker: the counterfactuals get those sent before each fault
    // (on a NATS cluster a connection on every node, each hearing every command: one node down loses none)
    // pipelined, a device carries a command out as the window after next begins: a window after its time stamp
    const commandLog = createCommandLog({ brokerUrls, clientId: `evernet-commands-${s.name}`, log, ...(cluster ? { cluster: true } : {}), ...(s.pipeline ? { appliedAfterMs: s.windowS * 1000 } : {}) });
    await within(commandLog.start(), stallMs, () => 'the command log did not connect to the broker');
    stoppers.push({ what: 'the command log', stop: () => commandLog.stop() });

    // every device connected (a fleet's hosts started): four stall timeouts at most, a coded error rather than a hang
    const engine = await within(
      startEngine({ loaded, seed, log, layout: layout as Parameters<typeof startEngine>[0]['layout'], brokerUrls, shards, logLevel: log.level, ...(cluster ? { cluster: { partitions: cluster.partitions } } : {}), ...(options.traceDir ? { traceDir: options.traceDir } : {}) }),
      4 * stallMs,
      () => `the devices did not all connect within ${(4 * stallMs) / 1000} s`,
    );
    stoppers.unshift({ what: 'the devices', stop: () => engine.stop() });
    const host = engine.devices;
    if (options.homeAssistant) {
      const discovery = createDiscovery({ brokerUrl, log, clientId: `evernet-discovery-${s.name}` });
      await discovery.start();
      await Promise.all(loaded.devices.map((d) => discovery.add({ customerId: d.customerId, deviceId: d.id, kind: d.kind, name: d.name, model: 'simulated' })));
      stoppers.push({ what: 'the discovery publisher', stop: () => discovery.stop() });
    }
    // the customers' apps and the bad-input drill each have a connection of their own
    const apps = new Map<string, { client: MqttClient; seq: number }>();
    for (const c of new Set([...s.requests.map((r) => r.customer), ...s.replies.map((r) => r.customer)])) {
      const url = engine.urlOf(c);
      // on a cluster the app fails over to another node, as the devices do
      const connecting = mqtt.connectAsync(url, { clientId: `evernet-app-${c}`, ...(cluster ? { servers: serversOf([url, ...brokerUrls.filter((u) => u !== url)]) } : {}) });
      // ended with the others even when it connects too late
      void connecting.then((client) => clients.push(client), () => undefined);
      const client = await within(connecting, stallMs, () => `customer ${c}'s app did not connect to the broker`);
      apps.set(c, { client, seq: 0 });
    }
    // the bad-input drill: on the shard of the customer its topic names (the first for a topic that names none)
    const injectors = new Map<string, MqttClient>();
    for (const m of s.inject) {
      const url = engine.urlOf(customerOfTopic(m.topic) ?? '');
      if (injectors.has(url)) continue;
      const client = await mqtt.connectAsync(url, { clientId: `evernet-drill-${s.name}${injectors.size ? `-${injectors.size}` : ''}` });
      clients.push(client);
      injectors.set(url, client);
    }

    const phases: ReplayPhases = { start: (performance.now() - wallStart) / 1000, devices: 0, helpdesk: 0, end: 0 };
    let sentToHelpdesk = 0;
    /** what the runner itself sent the helpdesk (requests, replies, the drill), by customer: all, and of them what a connection would say */
    const sentBy = new Map<string, [number, number]>();
    const sentFrom = (customerId: string, said = false): void => {
      const n = sentBy.get(customerId) ?? [0, 0];
      sentBy.set(customerId, [n[0] + 1, n[1] + (said ? 1 : 0)]);
    };
    let published = 0;
    let devices: HostProgress = host.progress();
    const windowMs = s.windowS * 1000;
    const pacer = createPacer(options.speed);
    const total = loaded.endMs - loaded.startMs;
    // pipelined (docs/fleets.md#pipelined-windows): the helpdesk decides a window, on its clock at the window's end,
    // while the devices move through the next; they carry out its commands as the window after that begins
    const pipe = createPipeline(s.pipeline);
    for (let from = loaded.startMs; from < loaded.endMs; from += windowMs) {
      const to = Math.min(from + windowMs, loaded.endMs);
      await pacer.until(to);
      if (!s.pipeline) clock.set(to);
      // the commands of the last window's end (pipelined: of the one before) reach the devices; then they move
      // to this window's end (unless an outage drill has one down; its last will reaches the helpdesk too)
      const sent = s.pipeline ? pipe.next : side.takeCommanded();
      const t0 = performance.now();
      devices = await within(host.advance(from, to, sent), stallMs, () => `devices did not receive their commands or move to ${new Date(to).toISOString()}`);
      if (s.pipeline) {
        await pipe.decided();
        pipe.next = side.takeCommanded();
        clock.set(to);
      }
      phases.devices += (performance.now() - t0) / 1000;
      const t1 = performance.now();
      for (const r of s.requests) {
        const at = Date.parse(r.at);
        if (at <= from || at > to) continue;
        const app = apps.get(r.customer)!;
        app.seq++;
        const topic = serviceTopic(r.customer, 'request');
        // unchecked: the app sends what the scenario says; the helpdesk's ingest is the check that counts a bad one
        const body = { type: 'recipe', requestId: `r-${r.customer}-${app.seq}`, recipe: r.recipe, location: r.location };
        app.client.publish(topic, encode(topic, stamp(body, at, app.seq), { check: false }), { qos: 1 });
        sentToHelpdesk++;
        sentFrom(r.customer);
        published++;
      }
      // the customers' answers (scenario `replies:`), published like requests
      for (const r of s.replies) {
        const at = Date.parse(r.at);
        if (at <= from || at > to) continue;
        const app = apps.get(r.customer)!;
        app.seq++;
        const topic = serviceTopic(r.customer, 'request');
        const body = replyBody(r, `r-${r.customer}-${app.seq}`, await side.lookups(r.customer));
        app.client.publish(topic, encode(topic, stamp(body, at, app.seq), { check: false }), { qos: 1 });
        sentToHelpdesk++;
        sentFrom(r.customer);
        published++;
      }
      for (const m of s.inject) {
        const at = Date.parse(m.at);
        if (at <= from || at > to) continue;
        injectors.get(engine.urlOf(customerOfTopic(m.topic) ?? ''))!.publish(m.topic, m.payload, { qos: 1 });
        published++;
        if (HELPDESK_FILTERS.some((f) => topicMatches(f, m.topic))) {
          sentToHelpdesk++;
          sentFrom(customerOfTopic(m.topic) ?? '', saidByConnection(m.topic));
        }
      }
      const sentTotal = sentToHelpdesk + devices.toHelpdesk;
      const by = (n: number): PartitionCounts => {
        const hosts = host.toHelpdeskBy?.(n) ?? noCounts(n);
        const out = { all: [...hosts.all], said: [...hosts.said] };
        for (const [c, [all, said]] of sentBy) addCount(out, partitionOf(c, n), all, said);
        return out;
      };
      await pipe.deciding(() => side.window(to, { total: sentTotal, by }, stallMs));
      phases.helpdesk += (performance.now() - t1) / 1000;
      await options.onProgress?.(to - loaded.startMs, total);
    }
    const t2 = performance.now();
    await pipe.decided();
    phases.helpdesk += (performance.now() - t2) / 1000;
    const ending = performance.now();
    devices = await within(host.settle(pipe.last(side.takeCommanded())), stallMs, () => 'devices did not receive their last commands');

    const hs = side.stats();
    const messages = {
      published: published + hs.published + devices.toHelpdesk,
      delivered: hs.received + devices.commandsReceived,
      rejected: hs.rejected,
      duplicates: hs.duplicates,
      gaps: hs.gaps,
      rejectedByCode: Object.fromEntries(Object.entries(hs.byCode).filter(([k]) => k !== 'EVN_ERR_DUPLICATE').sort()),
    };
    const commandsSent = side.commandCount();
    await within(commandLog.received(commandsSent), stallMs, () => `the command log did not receive the helpdesk's ${commandsSent} commands`);
    const faults = loaded.devices.flatMap((d) =>
      faultTruth({
        customerId: d.customerId, deviceId: d.id, model: KINDS[d.kind], params: d.params, seed: deviceSeed(seed, d.customerId, d.id),
        startMs: loaded.startMs, horizonMs: loaded.endMs + 24 * 3600_000, commands: commandLog.of(d.customerId, d.id),
        // on the device's own step: the same trajectory it lived (a long step draws its randomness per step), and a
        // fleet's counterfactuals cost a 60th of one-second steps
        stepS: s.sampleEveryS,
      }),
    );
    const outcome = await side.outcome();
    const report = buildReport({
      scenario: s.name, seed, startMs: loaded.startMs, endMs: loaded.endMs, offsetMinutes: loaded.utcOffsetMinutes,
      messages, faults, devices: loaded.devices, ...outcome,
    });
    const seconds = (performance.now() - wallStart) / 1000;
    phases.end = (performance.now() - ending) / 1000;
    const deciding = side.decidingSeconds?.();
    if (deciding !== undefined) phases.deciding = deciding;
    const customers = options.seriesCustomers ? { customers: options.seriesCustomers } : {};
    const series = !options.collectSeries
      ? undefined
      : helpdesk
        ? collectSeries({ helpdesk, devices: loaded.devices, startMs: loaded.startMs, endMs: loaded.endMs, tariff: loadTariff(loaded.tariffPath), ...customers })
        : await side.series?.({ ...customers, order: { devices: loaded.devices, tickets: outcome.tickets, loads: outcome.loads } });
    const result = { report, ...(series ? { series } : {}), wall: { seconds, messagesPerSecond: messages.published / seconds, phases } };
    options.onReplayed?.(result);
    await options.holdUntil?.catch(() => undefined);
    return result;
  } finally {
    // every message the apps and the drill sent was received (or the replay failed): nothing in flight to wait for
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    // each part stops within the stall timeout, or is let go with a warning: a replay never hangs in its teardown
    const teardown = (what: string, step: (() => Promise<unknown>) | undefined) =>
      step ? atMost(step, stallMs, () => log.warn({ code: 'EVN_ERR_REPLAY_STALLED', part: what, ms: stallMs }, 'a part of the replay did not stop within the stall timeout: let go')) : Promise.resolve();
    for (const { what, stop } of stoppers) await teardown(what, stop);
    await teardown('the helpdesk', stack ? () => stack!.stop() : undefined);
    await teardown('the broker shards', shards ? () => shards!.stop() : undefined);
    scratch?.remove();
  }
}
