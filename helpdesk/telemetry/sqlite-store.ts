/**
 * TelemetryStore on SQLite, in the helpdesk's database (tables `telemetry_*`, schema version in
 * `evernet_schema`, so it shares the file with the ticket, staff and load stores).
 *
 *   telemetry_raw     (device, ts) -> shape, values     WITHOUT ROWID: the key is the order charts read
 *   telemetry_minute  (device, minute) -> shape, n, stats
 *   telemetry_device  the integer id of each deviceKey
 *   telemetry_shape   the names of a row's values (codec.ts)
 *   telemetry_pin     ticket -> device, window kept from retention
 *   telemetry_meta    how far retention got (raw_floor, minute_floor)
 *
 * A batch is one transaction. Retention goes device by device over key ranges, a step of event time
 * at a time, around the pinned windows.
 */
import type Database from 'better-sqlite3';
import { migrate, type Migration } from '../../storage/migrate.js';
import { guarded, openSqlite } from '../../storage/sqlite.js';
import { decodeStats, decodeValues, encodeStats, encodeValues, parseShape, shapeBook, type Shape } from './codec.js';
import { mergeMinutes } from './minutes.js';
import { gaps, thin, type MinuteRow, type Pin, type PruneResult, type RawRow, type TelemetryPoint, type TelemetryStore } from './store.js';

export interface SqliteTelemetryStoreOptions {
  /** a file path (the helpdesk's database), or ':memory:' */
  path?: string;
  /** check the file's pages at open (default true); false when another store has just checked the same file */
  check?: boolean;
  /** a connection of the caller's instead of `path` (opened with openSqlite); the caller closes it */
  db?: Database.Database;
  /**
   * the connection's page cache in MB (openSqlite; default 16). Rows are keyed by device, so a batch from many
   * devices touches a page of each: with a cache smaller than those pages every batch reads and rewrites them
   */
  cacheMB?: number;
  /** openSqlite's `sync`; 'off' only for a throw-away file (a replay's scratch database) */
  sync?: 'off' | 'normal' | 'full';
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE telemetry_device (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
    CREATE TABLE telemetry_shape (id INTEGER PRIMARY KEY, names TEXT NOT NULL UNIQUE);
    CREATE TABLE telemetry_raw (
      device INTEGER NOT NULL, ts INTEGER NOT NULL, shape INTEGER NOT NULL, v TEXT NOT NULL,
      PRIMARY KEY (device, ts)
    ) WITHOUT ROWID;
    CREATE TABLE telemetry_minute (
      device INTEGER NOT NULL, minute INTEGER NOT NULL, shape INTEGER NOT NULL, n INTEGER NOT NULL, v TEXT NOT NULL,
      PRIMARY KEY (device, minute)
    ) WITHOUT ROWID;
    CREATE TABLE telemetry_pin (id TEXT PRIMARY KEY, device INTEGER NOT NULL, from_ts INTEGER NOT NULL, to_ts INTEGER NOT NULL);
    CREATE TABLE telemetry_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `),
];

interface ValuesRow {
  ts: number;
  shape: number;
  v: string;
}
interface MinuteDbRow {
  minute: number;
  shape: number;
  n: number;
  v: string;
}

export function openSqliteTelemetryStore(options: SqliteTelemetryStoreOptions): TelemetryStore {
  const file = options.path ?? ':memory:';
  const own = !options.db;
  const db = options.db ?? openSqlite({ path: file, check: options.check ?? true, cacheMB: options.cacheMB, sync: options.sync });
  const s = guarded(file, db, () => {
    migrate(db, { name: 'telemetry', migrations: MIGRATIONS });
    return {
      device: db.prepare<[string]>('INSERT INTO telemetry_device (key) VALUES (?)'),
      shape: db.prepare<[string]>('INSERT INTO telemetry_shape (names) VALUES (?)'),
      raw: db.prepare<[number, number, number, string]>('INSERT OR REPLACE INTO telemetry_raw (device, ts, shape, v) VALUES (?, ?, ?, ?)'),
      minute: db.prepare<[number, number, number, number, string]>('INSERT INTO telemetry_minute (device, minute, shape, n, v) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      minuteGet: db.prepare<[number, number], MinuteDbRow>('SELECT minute, shape, n, v FROM telemetry_minute WHERE device = ? AND minute = ?'),
      minuteSet: db.prepare<[number, number, string, number, number]>('UPDATE telemetry_minute SET shape = ?, n = ?, v = ? WHERE device = ? AND minute = ?'),
      // rows as arrays [ts, shape, v]: cheaper than objects, and only the ones kept after thinning are decoded
      rawRange: db.prepare<[number, number, number], [number, number, string]>('SELECT ts, shape, v FROM telemetry_raw WHERE device = ? AND ts >= ? AND ts <= ? ORDER BY ts').raw(),
      minuteRange: db.prepare<[number, number, number], MinuteDbRow>('SELECT minute, shape, n, v FROM telemetry_minute WHERE device = ? AND minute >= ? AND minute <= ? ORDER BY minute'),
      last: db.prepare<[number], ValuesRow>('SELECT ts, shape, v FROM telemetry_raw WHERE device = ? ORDER BY ts DESC LIMIT 1'),
      first: db.prepare<[number], { ts: number }>('SELECT ts FROM telemetry_raw WHERE device = ? ORDER BY ts LIMIT 1'),
      firstMinuteFrom: db.prepare<[number, number], { minute: number }>('SELECT minute FROM telemetry_minute WHERE device = ? AND minute >= ? ORDER BY minute LIMIT 1'),
      firstFrom: db.prepare<[number, number], { ts: number }>('SELECT ts FROM telemetry_raw WHERE device = ? AND ts >= ? ORDER BY ts LIMIT 1'),
      pin: db.prepare<[string, number, number, number]>('INSERT INTO telemetry_pin (id, device, from_ts, to_ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      dropRaw: db.prepare<[number, number, number]>('DELETE FROM telemetry_raw WHERE device = ? AND ts >= ? AND ts < ?'),
      dropMinutes: db.prepare<[number, number]>('DELETE FROM telemetry_minute WHERE device = ? AND minute < ?'),
      forgetRaw: db.prepare<[number]>('DELETE FROM telemetry_raw WHERE device = ?'),
      forgetMinutes: db.prepare<[number]>('DELETE FROM telemetry_minute WHERE device = ?'),
      forgetPins: db.prepare<[number]>('DELETE FROM telemetry_pin WHERE device = ?'),
      meta: db.prepare<[string, number]>('INSERT INTO telemetry_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    };
  });

  const devices = new Map<string, number>();
  for (const r of db.prepare<[], { id: number; key: string }>('SELECT id, key FROM telemetry_device').all()) devices.set(r.key, r.id);
  const shapes = shapeBook(
    db.prepare<[], { id: number; names: string }>('SELECT id, names FROM telemetry_shape').all().map((r): [number, Shape] => [r.id, parseShape(r.names)]),
    (sig) => Number(s.shape.run(sig).lastInsertRowid),
  );
  const pins = new Map<number, Pin[]>();
  const pinIds = new Set<string>();
  const keyOf = new Map([...devices].map(([k, id]) => [id, k]));
  for (const p of db.prepare<[], { id: string; device: number; from_ts: number; to_ts: number }>('SELECT id, device, from_ts, to_ts FROM telemetry_pin ORDER BY from_ts').all()) {
    pinIds.add(p.id);
    pins.set(p.device, [...(pins.get(p.device) ?? []), { id: p.id, device: keyOf.get(p.device) ?? '', from: p.from_ts, to: p.to_ts }]);
  }
  const meta = new Map(db.prepare<[], { name: string; value: number }>('SELECT name, value FROM telemetry_meta').all().map((r) => [r.name, r.value]));
  let rawFloor = meta.get('raw_floor') ?? -Infinity;
  let minuteFloor = meta.get('minute_floor') ?? -Infinity;

  /** devices created in the running transaction: forgotten if it rolls back */
  let freshDevices: string[] = [];
  /** the device's id, created if new (inside a transaction run by atomically) */
  function idOf(key: string): number {
    let id = devices.get(key);
    if (id === undefined) {
      id = Number(s.device.run(key).lastInsertRowid);
      devices.set(key, id);
      freshDevices.push(key);
    }
    return id;
  }

  /** runs a transaction; if it fails, the ids it handed out are forgotten with it, so the caches stay true to the file */
  function atomically<A extends unknown[], T>(tx: (...args: A) => T, ...args: A): T {
    try {
      const out = tx(...args);
      shapes.commit();
      freshDevices = [];
      return out;
    } catch (e) {
      shapes.rollback();
      for (const k of freshDevices) devices.delete(k);
      freshDevices = [];
      throw e;
    }
  }

  function toMinute(device: string, r: MinuteDbRow): MinuteRow {
    return { device, minute: r.minute, n: r.n, ...decodeStats(r.v, shapes.get(r.shape), r.n) };
  }

  function putMinute(id: number, m: MinuteRow): void {
    const { shape, id: shapeId } = shapes.forRow(id, m.readings, m.extra);
    if (s.minute.run(id, m.minute, shapeId, m.n, encodeStats(m.readings, shape.r, m.extra, shape.x, m.n)).changes) return;
    const before = s.minuteGet.get(id, m.minute);
    const merged = before ? mergeMinutes(toMinute(m.device, before), m) : m;
    const to = shapes.forRow(id, merged.readings, merged.extra);
    s.minuteSet.run(to.id, merged.n, encodeStats(merged.readings, to.shape.r, merged.extra, to.shape.x, merged.n), id, m.minute);
  }

  const writeTx = db.transaction((rows: readonly RawRow[], minutes: readonly MinuteRow[]) => {
    for (const row of rows) {
      const id = idOf(row.device);
      const { shape, id: shapeId } = shapes.forRow(id, row.readings, row.extra);
      s.raw.run(id, row.ts, shapeId, encodeValues(row.readings, shape.r, row.extra, shape.x));
    }
    for (const m of minutes) putMinute(idOf(m.device), m);
  });

  function firstTs(): number {
    let min = Infinity;
    for (const id of devices.values()) min = Math.min(min, s.first.get(id)?.ts ?? Infinity);
    return min;
  }

  /** the first stored minute of any device (Infinity: none) */
  function firstMinute(): number {
    let min = Infinity;
    for (const id of devices.values()) min = Math.min(min, s.firstMinuteFrom.get(id, Number.MIN_SAFE_INTEGER)?.minute ?? Infinity);
    return min;
  }

  /** the first raw reading at or after `from` of any device (Infinity: none) */
  function firstFrom(from: number): number {
    let min = Infinity;
    for (const id of devices.values()) min = Math.min(min, s.firstFrom.get(id, from)?.ts ?? Infinity);
    return min;
  }

  /** deletes what retention allows, a step at a time; returns the counts and the new floors (set once it committed) */
  const pruneTx = db.transaction((rawBefore: number, minutesBefore: number, stepMs: number) => {
    const out = { raw: 0, minutes: 0, rawFloor, minuteFloor };
    if (!Number.isFinite(out.rawFloor)) out.rawFloor = firstTs();
    if (Number.isFinite(out.rawFloor) && rawBefore > out.rawFloor) {
      const to = Math.min(rawBefore, out.rawFloor + stepMs);
      for (const id of devices.values()) {
        for (const [a, b] of gaps(out.rawFloor, to, pins.get(id) ?? [])) out.raw += s.dropRaw.run(id, a, b).changes;
      }
      // a stretch of event time without readings (a long jump of the clock) is crossed at once, not a step at a time
      out.rawFloor = out.raw === 0 ? Math.max(to, Math.min(rawBefore, firstFrom(to))) : to;
      s.meta.run('raw_floor', out.rawFloor);
    }
    // as for raw readings: the floor starts at the first stored minute, so that nothing is tried (a statement per
    // device, every run) until retention reaches it; none stored yet: nothing to do
    if (!Number.isFinite(out.minuteFloor)) out.minuteFloor = firstMinute();
    if (Number.isFinite(out.minuteFloor) && minutesBefore > out.minuteFloor) {
      const to = Math.min(minutesBefore, out.minuteFloor + stepMs);
      for (const id of devices.values()) out.minutes += s.dropMinutes.run(id, to).changes;
      let next = Infinity;
      if (out.minutes === 0) for (const id of devices.values()) next = Math.min(next, s.firstMinuteFrom.get(id, to)?.minute ?? Infinity);
      out.minuteFloor = out.minutes === 0 ? Math.max(to, Math.min(minutesBefore, next)) : to;
      s.meta.run('minute_floor', out.minuteFloor);
    }
    return { ...out, done: !(Number.isFinite(out.rawFloor) && rawBefore > out.rawFloor) && !(Number.isFinite(out.minuteFloor) && minutesBefore > out.minuteFloor) };
  });

  const point = (r: ValuesRow): TelemetryPoint => ({ ts: r.ts, ...decodeValues(r.v, shapes.get(r.shape)) });

  return {
    write(batch) {
      if (batch.rows.length || batch.minutes.length) atomically(writeTx, batch.rows, batch.minutes);
    },
    raw(device, from, to, max = Infinity) {
      const id = devices.get(device);
      if (id === undefined) return [];
      return thin(s.rawRange.all(id, from, to), max).map(([ts, shape, v]) => ({ ts, ...decodeValues(v, shapes.get(shape)) }));
    },
    minutes(device, from, to) {
      const id = devices.get(device);
      return id === undefined ? [] : s.minuteRange.all(id, from, to).map((r) => toMinute(device, r));
    },
    last(device) {
      const id = devices.get(device);
      const r = id === undefined ? undefined : s.last.get(id);
      return r && point(r);
    },
    pin(p) {
      if (pinIds.has(p.id)) return;
      const id = atomically(
        db.transaction(() => {
          const dev = idOf(p.device);
          s.pin.run(p.id, dev, p.from, p.to);
          return dev;
        }),
      );
      pinIds.add(p.id);
      pins.set(id, [...(pins.get(id) ?? []), { ...p }].sort((a, b) => a.from - b.from));
    },
    pinned: (id) => pinIds.has(id),
    prune(rawBefore, minutesBefore, stepMs): PruneResult {
      const r = pruneTx(rawBefore, minutesBefore, stepMs);
      rawFloor = r.rawFloor;
      minuteFloor = r.minuteFloor;
      return { raw: r.raw, minutes: r.minutes, done: r.done };
    },
    rawFloor: () => rawFloor,
    forget(device) {
      const id = devices.get(device);
      if (id === undefined) return { raw: 0, minutes: 0 };
      const out = db.transaction(() => ({ raw: s.forgetRaw.run(id).changes, minutes: s.forgetMinutes.run(id).changes, pins: s.forgetPins.run(id).changes }))();
      for (const p of pins.get(id) ?? []) pinIds.delete(p.id);
      pins.delete(id);
      return { raw: out.raw, minutes: out.minutes };
    },
    close() {
      if (own) db.close();
    },
  };
}
