/**
 * The embedded replay's telemetry batches (scenarios/runner.ts EMBEDDED_TELEMETRY): 15 simulated minutes of a
 * 10,000-home fleet (about 60,000 readings, more than the live buffer's bound of 50,000) wait for one batch and are
 * all written, none dropped; on a scratch file's settings (no syncs, the fleet's page cache).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { createRecorder } from '../../helpdesk/telemetry/recorder.js';
import { openSqliteTelemetryStore } from '../../helpdesk/telemetry/sqlite-store.js';
import { telemetryPolicy } from '../../helpdesk/telemetry/store.js';
import { EMBEDDED_TELEMETRY, scratchTelemetryDb } from '../../scenarios/runner.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const T0 = Date.parse('2020-11-02T00:00:00+01:00');
const DEVICES = 27_000;
const PER_MINUTE = 4_500;

describe('the embedded replay telemetry batches', () => {
  const dir = tempDirPerTest('evernet-replay-telemetry-');

  it('holds 15 minutes of a 10,000-home fleet for one batch and writes every reading', () => {
    expect(15 * PER_MINUTE).toBeGreaterThan(telemetryPolicy().maxBufferedRows);
    const store = openSqliteTelemetryStore({ path: dir.join('helpdesk.db'), ...scratchTelemetryDb(DEVICES) });
    const rec = createRecorder({ store, log: silentLogger(), policy: EMBEDDED_TELEMETRY });
    const device = (i: number): string => `home-${i % DEVICES}/meter`;
    let n = 0;
    for (let m = 0; m < 16; m++) {
      for (let i = 0; i < PER_MINUTE; i++, n++) rec.add(device(n), T0 + m * 60_000 + Math.floor((i * 60_000) / PER_MINUTE), { powerW: n % 997 });
      rec.tick(T0 + (m + 1) * 60_000);
      // the first tick flushes (nothing before it); then nothing until 15 minutes later
      if (m >= 1 && m < 15) expect(rec.stats().flushes).toBe(1);
    }
    const stats = rec.stats();
    expect(stats.dropped).toBe(0);
    expect(stats.flushes).toBe(2);
    expect(stats.written).toBe(15 * PER_MINUTE + PER_MINUTE - rec.stats().buffered);
    rec.tick(T0 + 40 * 60_000);
    expect(rec.stats().written).toBe(n);
    expect(store.raw(device(7), 0, Infinity).map((p) => p.readings.powerW)).toEqual([7, 7 + DEVICES, 7 + 2 * DEVICES].map((k) => k % 997));
    store.close();
  });

  it('gives a scratch file no syncs and 4 KB of page cache a device, from 16 to 512 MB', () => {
    expect(scratchTelemetryDb(27_000)).toEqual({ sync: 'off', cacheMB: 106 });
    expect(scratchTelemetryDb(10)).toEqual({ sync: 'off', cacheMB: 16 });
    expect(scratchTelemetryDb(1_000_000)).toEqual({ sync: 'off', cacheMB: 512 });
  });
});
