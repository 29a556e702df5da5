/**
 * Group `live`: the helpdesk's telemetry store (helpdesk/telemetry) on a real SQLite file (WAL).
 *
 * 1. Insert: 5 million readings of 100 car batteries at 1 Hz (about 14 h of event time) go through
 *    the recorder as the helpdesk hands them over: buffered, folded into one-minute aggregates, and
 *    written in one transaction per 10 s of event time (1,000 readings). Figure: readings/s, all
 *    included. Baseline in the same run: plain better-sqlite3 inserting the first million of the same
 *    readings as JSON text into a (device text, ts) table, 1,000 per transaction; and our own rate
 *    over those first million, for the ratio.
 * 2. Charts: 2-hour windows of one device (what a ticket's chart reads: 7,200 readings, thinned to
 *    1,500 points) from that full store, at random devices and times; p50/p99 in ms. And 24-hour
 *    windows, which read the one-minute aggregates.
 * 3. Size: the file after a checkpoint, in MB per million readings (raw rows and minutes together).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round } from '../contracts/round.js';
import { silentLogger } from '../log/logger.js';
import { createRecorder } from '../helpdesk/telemetry/recorder.js';
import { openSqliteTelemetryStore } from '../helpdesk/telemetry/sqlite-store.js';
import type { Readings } from '../helpdesk/telemetry/store.js';
import { openSqlite } from '../storage/sqlite.js';

const DEVICES = 100;
const READINGS = 5_000_000;
const BASELINE_READINGS = 1_000_000;
const QUERIES = 300;
const START = Date.UTC(2020, 10, 2, 0, 0, 0);
const S = 1000;
const HOUR = 3600 * S;

const say = (m: string): void => void process.stderr.write(`bench: live: ${m}\n`);

/** a seeded stream of plausible car-battery readings: reading k of device d is the same in every run */
function reading(d: number, k: number): Readings {
  const x = Math.sin(d * 12.9898 + k * 0.0131) * 43758.5453;
  const noise = x - Math.floor(x);
  const running = Math.floor(k / 1800 + d) % 3 === 0;
  return {
    voltageV: round((running ? 14.1 : 12.5) + noise * 0.2, 3),
    currentA: round(running ? 20 - noise * 5 : -1.5 - noise, 2),
    loadA: round(3 + noise * 4, 2),
    temperatureC: round(15 + noise, 1),
    engineRunning: running,
    speedKmh: running ? round(50 + noise * 30, 1) : 0,
    batterySaver: false,
  };
}
const deviceKey = (d: number): string => `c${d}/car`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** plain better-sqlite3: the same readings as JSON text, the same batch size; readings/s */
function baseline(file: string): number {
  const db = openSqlite({ path: file });
  db.exec('CREATE TABLE readings (device TEXT NOT NULL, ts INTEGER NOT NULL, readings TEXT NOT NULL, PRIMARY KEY (device, ts))');
  const insert = db.prepare<[string, number, string]>('INSERT INTO readings (device, ts, readings) VALUES (?, ?, ?)');
  const batch = db.transaction((k0: number, k1: number) => {
    for (let k = k0; k < k1; k++) for (let d = 0; d < DEVICES; d++) insert.run(deviceKey(d), START + k * S, JSON.stringify(reading(d, k)));
  });
  const t0 = performance.now();
  for (let k = 0; k < BASELINE_READINGS / DEVICES; k += 10) batch(k, k + 10);
  const rate = BASELINE_READINGS / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

export async function benchLive(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evernet-bench-live-'));
  try {
    const file = path.join(dir, 'helpdesk.db');
    const store = openSqliteTelemetryStore({ path: file });
    const rec = createRecorder({ store, log: silentLogger() });
    const seconds = READINGS / DEVICES;
    say(`inserting ${READINGS.toLocaleString('en')} readings of ${DEVICES} devices`);
    const t0 = performance.now();
    let firstMillion = 0;
    for (let k = 0; k < seconds; k++) {
      const ts = START + k * S;
      for (let d = 0; d < DEVICES; d++) rec.add(deviceKey(d), ts, reading(d, k));
      // the helpdesk's watermark moves once a second; the recorder flushes every 10 s of event time
      rec.tick(ts);
      if ((k + 1) * DEVICES === BASELINE_READINGS) {
        rec.flush();
        firstMillion = performance.now() - t0;
      }
    }
    rec.flush(true);
    const insertSeconds = (performance.now() - t0) / 1000;
    const ours = READINGS / insertSeconds;
    const oursFirstMillion = BASELINE_READINGS / (firstMillion / 1000);

    say('chart queries');
    const last = START + (seconds - 1) * S;
    const query = (spanMs: number): number[] => {
      const times: number[] = [];
      for (let q = 0; q < QUERIES; q++) {
        const d = (q * 37) % DEVICES;
        const from = START + Math.floor(((q * 7919) % 1000) / 1000 * (last - START - spanMs));
        const t = performance.now();
        const c = rec.chart(deviceKey(d), from, from + spanMs);
        times.push(performance.now() - t);
        if (!c.points.length) throw new Error(`no points for ${deviceKey(d)} at ${from}`);
      }
      return times.sort((a, b) => a - b);
    };
    query(2 * HOUR); // warm-up: the page cache, the statements
    const twoHours = query(2 * HOUR);
    const day = query(Math.min(24 * HOUR, last - START));
    store.close();
    const db = openSqlite({ path: file, check: false });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const mb = fs.statSync(file).size / 1e6;

    say('baseline: plain better-sqlite3');
    const base = baseline(path.join(dir, 'baseline.db'));
    const baseMb = fs.statSync(path.join(dir, 'baseline.db')).size / 1e6;
    return {
      'live.telemetryInsertPerSecond': Math.round(ours),
      'live.telemetryInsertFirstMillionPerSecond': Math.round(oursFirstMillion),
      'live.baselineJsonInsertPerSecond': Math.round(base),
      'live.insertRatio': round(oursFirstMillion / base, 3),
      'live.chartQueryMsP50': round(percentile(twoHours, 50), 2),
      'live.chartQueryMsP99': round(percentile(twoHours, 99), 2),
      'live.chartQuery24hMsP99': round(percentile(day, 99), 2),
      'live.dbMbPerMillionReadings': round(mb / (READINGS / 1e6), 1),
      'live.baselineDbMbPerMillionReadings': round(baseMb / (BASELINE_READINGS / 1e6), 1),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
