/**
 * A helpdesk worker of a cluster replay (started by cluster-side.ts with one JSON argument,
 * WorkerStart): loads the scenario, serves its share of the partitions (cluster/worker.ts) with the
 * helpdesk options an embedded replay has, each partition seeing only its own customers, and answers
 * the runner. It ends when its parent goes away (stdin closes) or on SIGTERM.
 */
import { partitionOf, VirtualClock } from '../../contracts/index.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { createLogger } from '../../log/logger.js';
import { servePartitionView } from '../../cluster/view-serve.js';
import { startWorker } from '../../cluster/worker.js';
import { directoryOf } from '../directory.js';
import { loadScenario } from '../load.js';
import { replayHelpdeskOptions } from '../runner.js';
import { replaySubjects, WorkerStart, type MarkDone } from './protocol.js';
import { DEFAULT_MAX_SKEW_MS } from '../../helpdesk/service.js';
import { partitionOutcome } from './outcome.js';
import { collectSeries, type ReportSeries } from '../report-html/collect.js';
import { seriesPage, type SeriesQuery } from './series.js';

/** a page of series stays well below NATS's default max_payload (1 MiB) */
const SERIES_PAGE_BYTES = 512 * 1024;

async function main(): Promise<void> {
  const start = WorkerStart.parse(JSON.parse(process.argv[2] ?? '{}'));
  const loaded = loadScenario(start.file);
  const P = start.partitions;
  const log = createLogger({ clock: { now: () => Date.now() }, level: start.logLevel }).child({ worker: start.id });
  const world = directoryOf(loaded);
  const tariff = loadTariff(loaded.tariffPath);
  const base = replayHelpdeskOptions(loaded);
  const clocks = new Map<number, VirtualClock>();
  const worker = await startWorker({
    id: start.id, group: start.run, run: start.run, startAfterSeq: start.startAfterSeq, natsUrls: start.natsUrls, mqttUrls: start.mqttUrls, db: start.db, partitions: P, mode: 'replay', log,
    clock: new VirtualClock(loaded.startMs),
    deadAfterMs: start.deadAfterMs, checkpointEveryMs: start.checkpointEveryMs,
    stackOptions: (p) => {
      const clock = new VirtualClock(loaded.startMs);
      clocks.set(p, clock);
      return {
        ...base,
        clock, log, tariff,
        directory: { ...world, customers: world.customers.filter((c) => partitionOf(c.id, P) === p) },
        // each partition numbers its own commands: the ids say which (the same decisions, other ids than embedded)
        // its clock reaches a window's end only at the window's mark, after the window's messages: they may
        // be a window ahead of it (embedded, the clock is at the window's end when they arrive)
        helpdesk: { ...base.helpdesk, clientId: `${base.helpdesk.clientId}-p${p}`, commandIdSuffix: `-p${p}`, maxClockSkewMs: DEFAULT_MAX_SKEW_MS + loaded.scenario.windowS * 1000 },
      };
    },
    // forward only: a checkpoint written before the first window has no time of its own yet
    setClock: (p, t) => {
      const clock = clocks.get(p);
      if (clock && t > clock.now()) clock.set(t);
    },
    // a dashboard's view of the replay (replay --cluster --dashboard) asks the partitions' owners, under the run's group
    ...(start.view ? { onPartition: (part, nc) => servePartitionView({ nc, partition: part.partition, helpdesk: part.helpdesk, worker: start.id, log, group: start.run }) } : {}),
    onMark: (p, mark, h) => {
      const done: MarkDone = { p, w: mark.w, commanded: h.takeCommanded(), stats: h.stats(), commandCount: h.commandCount() };
      worker.nc.publish(replaySubjects(mark.run).done, JSON.stringify(done));
    },
  });
  const series = new Map<number, ReportSeries>();
  // the runner's questions to a partition, answered by whoever serves it now
  const sub = worker.nc.subscribe('evernet._replay.*.*.*', {
    callback: (err, m) => {
      if (err) return;
      const [, , , what, part] = m.subject.split('.');
      const p = Number(part);
      const h = worker.partition(p)?.helpdesk;
      if (!h) return; // not ours (now): the owner answers
      if (what === 'outcome') m.respond(JSON.stringify(partitionOutcome(h)));
      else if (what === 'series') {
        const q = m.json<SeriesQuery>();
        // collected once, when the first page is asked for (the replay is over: the helpdesk no longer changes)
        let all = series.get(p);
        if (!all || (q.part === 'devices' && q.offset === 0)) {
          const mine = loaded.devices.filter((d) => partitionOf(d.customerId, P) === p);
          all = collectSeries({ helpdesk: h, devices: mine, startMs: loaded.startMs, endMs: loaded.endMs, tariff, ...(q.customers ? { customers: new Set(q.customers) } : {}) });
          series.set(p, all);
        }
        m.respond(JSON.stringify(seriesPage(all, q, SERIES_PAGE_BYTES)));
      }
      else if (what === 'lookup') {
        const { customerId } = m.json<{ customerId: string }>();
        const tickets = h.tickets().filter((t) => t.customerId === customerId);
        m.respond(JSON.stringify({ tickets, bookings: tickets.map((t) => [t.id, h.bookingOf(t.id)]) }));
      }
    },
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    sub.unsubscribe();
    await worker.stop().catch((e: Error) => log.error({ err: e.message }, 'worker stop failed'));
    process.exit(code);
  };
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
  process.on('SIGTERM', () => void stop(0));
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
}

main().catch((e: Error & { code?: string }) => {
  process.stdout.write(JSON.stringify({ error: { code: e.code ?? 'EVN_ERR_INTERNAL', message: e.message } }) + '\n');
  process.exit(1);
});
