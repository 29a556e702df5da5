/**
 * Group `telemetry-store`: the helpdesk's telemetry writes at fleet scale (helpdesk/telemetry/sqlite-store.ts on a
 * file), in the pattern of the 10,000-home fleet: 27,000 devices, 3,900 readings a one-minute window from devices
 * drawn at random, each with its one-minute aggregate. Two settings of the same store, same run:
 *
 *   sqliteDefaults   better-sqlite3's 16 MB page cache, synced WAL, a batch every 5,000 readings or 5 windows (the
 *                    replay's before; a live helpdesk's batches are smaller still)
 *   scratch          a replay's scratch file (scenarios/runner.ts scratchTelemetryDb): no syncs, 4 KB of cache a
 *                    device, a batch every 15 windows
 *
 *   telemetryStore.<setting>.msPerWindow      the mean over the run
 *   telemetryStore.<setting>.lastMsPerWindow  the mean over its last 60 windows (rows are keyed by device, so the
 *                                              cost of a window grows with the table while the cache is too small)
 *   telemetryStore.scratchVsDefaults          sqliteDefaults / scratch, total time
 * `--homes N` scales the fleet (default 10,000; 2.7 devices a home, as the fleet bench's); the windows are `BENCH_TELEMETRY_WINDOWS` (default 360, 6 hours).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round } from '../contracts/round.js';
import { openSqliteTelemetryStore } from '../helpdesk/telemetry/sqlite-store.js';
import type { MinuteRow, RawRow } from '../helpdesk/telemetry/store.js';
import { scratchTelemetryDb } from '../scenarios/runner.js';

const T0 = Date.parse('2020-11-02T00:00:00+01:00');

interface Setting {
  cacheMB: number;
  sync: 'off' | 'normal';
  /** a batch once this many readings wait */
  batchRows: number;
  /** or once this many windows passed */
  batchWindows: number;
}

function run(devices: number, windows: number, perWindow: number, setting: Setting): { msPerWindow: number; lastMsPerWindow: number } {
  const dir = mkdtempSync(join(tmpdir(), 'evernet-bench-telemetry-'));
  const store = openSqliteTelemetryStore({ path: join(dir, 'helpdesk.db'), cacheMB: setting.cacheMB, sync: setting.sync });
  let seed = 1;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let rows: RawRow[] = [];
  let minutes: MinuteRow[] = [];
  const times: number[] = [];
  try {
    for (let w = 0; w < windows; w++) {
      const t = performance.now();
      for (let i = 0; i < perWindow; i++) {
        const d = Math.floor(random() * devices);
        const device = `home-${Math.floor(d / 3)}/${['car', 'fridge', 'washer'][d % 3]}`;
        const ts = T0 + w * 60_000 + Math.floor((i * 60_000) / perWindow);
        const a = round(random() * 10, 2);
        rows.push({ device, ts, readings: { a, b: 4.5, on: true } });
        minutes.push({ device, minute: T0 + w * 60_000, n: 1, readings: { a: { min: a, max: a, sum: a, n: 1 }, b: { min: 4.5, max: 4.5, sum: 4.5, n: 1 }, on: { trues: 1, n: 1 } } });
        if (rows.length >= setting.batchRows) {
          store.write({ rows, minutes });
          rows = [];
          minutes = [];
        }
      }
      if ((w + 1) % setting.batchWindows === 0 && rows.length) {
        store.write({ rows, minutes });
        rows = [];
        minutes = [];
      }
      times.push(performance.now() - t);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { msPerWindow: round(mean(times), 1), lastMsPerWindow: round(mean(times.slice(-60)), 1) };
}

export async function benchTelemetryStore(homes = 10_000): Promise<Record<string, number>> {
  const devices = Math.round(homes * 2.7);
  const windows = Number(process.env.BENCH_TELEMETRY_WINDOWS ?? 360);
  // the 10,000-home fleet's pace: 5.6 million messages a day from 27,002 devices
  const perWindow = Math.round((devices * 3_900) / 27_000);
  const scratch = scratchTelemetryDb(devices);
  const settings: Record<string, Setting> = {
    sqliteDefaults: { cacheMB: 16, sync: 'normal', batchRows: 5_000, batchWindows: 5 },
    scratch: { cacheMB: scratch.cacheMB, sync: scratch.sync, batchRows: 200_000, batchWindows: 15 },
  };
  const out: Record<string, number> = { 'telemetryStore.devices': devices, 'telemetryStore.windows': windows, 'telemetryStore.readingsPerWindow': perWindow };
  const totals: Record<string, number> = {};
  for (const [name, setting] of Object.entries(settings)) {
    process.stderr.write(`bench telemetry-store: ${name}...\n`);
    const r = run(devices, windows, perWindow, setting);
    out[`telemetryStore.${name}.msPerWindow`] = r.msPerWindow;
    out[`telemetryStore.${name}.lastMsPerWindow`] = r.lastMsPerWindow;
    totals[name] = r.msPerWindow;
  }
  out['telemetryStore.scratchVsDefaults'] = round(totals.sqliteDefaults! / totals.scratch!, 2);
  return out;
}
