/**
 * The helpdesk a replay runs in its own process (embedded), and what it shares with a cluster's partitions:
 * its options, and the scratch database a fleet's replay writes to and removes afterwards.
 */
import { join } from 'node:path';
import { DEFAULT_MAX_SKEW_MS } from '../helpdesk/service.js';
import { scratchDir } from '../storage/scratch-dir.js';
import { customerSideOf } from './customer-side.js';
import type { LoadedScenario } from './load.js';

/** a scratch database: its file, and `remove()` for its folder */
export interface ScratchDb {
  file: string;
  remove(): void;
}

/**
 * a database file in a new temporary folder: `remove()` takes the folder away once the helpdesk has stopped, and a
 * replay that ends otherwise (Ctrl-C, a stop) does not leave it behind either (storage/scratch-dir.ts)
 */
export function scratchDb(): ScratchDb {
  const dir = scratchDir('evernet-replay-');
  return { file: join(dir.path, 'helpdesk.db'), remove: dir.remove };
}

/**
 * the scratch database's telemetry connection: nothing synced (the file goes with the replay), and a page cache
 * that holds the last page of each device's raw rows (4 KB a device, 16 to 512 MB): a batch from many
 * devices then writes those pages without reading them back, where the default 16 MB made most rows a read and a
 * rewritten page (bench/telemetry-store.ts)
 */
export function scratchTelemetryDb(devices: number): { sync: 'off'; cacheMB: number } {
  return { sync: 'off', cacheMB: Math.min(512, Math.max(16, Math.ceil((devices * 4) / 1024))) };
}

/**
 * the customers whose telemetry a replay on a scratch database (removed afterwards) records: those whose
 * charts it collects (ReplayResult.series); null: everyone's, also when a dashboard watches (onHelpdesk)
 */
export function drawn(o: { collectSeries?: boolean; seriesCustomers?: ReadonlySet<string>; onHelpdesk?: unknown; onView?: unknown }): ReadonlySet<string> | null {
  if (o.onHelpdesk || o.onView) return null;
  if (!o.collectSeries) return new Set();
  return o.seriesCustomers ?? null;
}

/**
 * The QoS of the embedded helpdesk's subscriptions: 0, on the replay's own broker or shards, so no
 * acknowledgement per message (docs/fleets.md#engine). The fleet bench's bare pattern subscribes so too.
 */
export const EMBEDDED_SUBSCRIBE_QOS: 0 | 1 = 0;

/**
 * the embedded helpdesk's: writes its telemetry after deciding (helpdesk/telemetry/deferred.ts), while the
 * devices move through the next window; not a cluster partition's, whose checkpoints carry the buffer
 */
export function embeddedHelpdeskOptions(loaded: LoadedScenario, record: ReadonlySet<string> | null) {
  const o = replayHelpdeskOptions(loaded);
  const only = record ? { recordTelemetryOf: (c: string) => record.has(c) } : {};
  // pipelined, the next window's messages arrive while its clock is at the end of the window it decides
  // and its barrier counts a window's messages by their event time
  const skew = loaded.scenario.pipeline ? { maxClockSkewMs: DEFAULT_MAX_SKEW_MS + loaded.scenario.windowS * 1000, countReceivedThrough: true } : {};
  return { ...o, helpdesk: { ...o.helpdesk, deferTelemetryWrites: true, subscribeQos: EMBEDDED_SUBSCRIBE_QOS, ...only, ...skew }, telemetry: { ...o.telemetry, ...EMBEDDED_TELEMETRY } };
}

/**
 * the embedded replay's telemetry batches: 15 simulated minutes, up to 200,000 readings (15 minutes of 10,000 homes:
 * about 60,000), so a fleet's batch holds several rows for each device's page; the buffer's bound above the batch,
 * so nothing is dropped while it fills
 */
export const EMBEDDED_TELEMETRY = { flushEveryMs: 15 * 60_000, batchRows: 200_000, maxBufferedRows: 400_000 } as const;

/** the helpdesk options a replay of `loaded` runs with, embedded or on each partition of a cluster */
export function replayHelpdeskOptions(loaded: LoadedScenario) {
  const s = loaded.scenario;
  return {
    // a replay is self-contained: a clean session, so no queue of an earlier run on the same broker reaches it
    // the customers' consent and their usage before the day (next-best offers read them)
    helpdesk: { clientId: `evernet-helpdesk-${s.name}`, cleanSession: true, ...customerSideOf(s.customers, loaded.startMs) },
    // telemetry in batches of 5 simulated minutes (live: 10 s): a replay that stops is run again, and
    // fewer, larger transactions save a day's replay about half a second (a chart read still flushes first)
    telemetry: { flushEveryMs: 5 * 60_000 },
  };
}
