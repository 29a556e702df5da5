/**
 * The price cache of the HTTP provider: one table, `tariff_prices`, in the helpdesk's database
 * (shared with tickets, staff and loads; its version is a row of `evernet_schema`). Wholesale prices
 * as the feed gave them, per feed URL and slot; fees are added when a snapshot is made, so changing
 * them needs no refetch. An answer replaces what the cache held for the span it covers (a feed that
 * moved from hourly to quarter-hourly slots leaves no stale hours); rows older than the retention go.
 */
import { migrate, type Migration } from '../../storage/migrate.js';
import { openSqlite } from '../../storage/sqlite.js';
import type { Tariff } from '../schedule/tariff.js';
import { tariffOfSlots, type PriceSlot } from './slots.js';

export interface PriceCache {
  /** the cached prices of `source` as a tariff (empty when none) */
  load(source: string): Tariff;
  /** replaces the cached slots of `source` in [from, to) with `prices`' known slots, and drops rows ending before `keepFrom` */
  store(source: string, prices: Tariff, from: number, to: number, fetchedAt: number, keepFrom: number): void;
  /** event time of the newest stored answer of `source`, or null */
  lastFetchedAt(source: string): number | null;
  close(): void;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE IF NOT EXISTS tariff_prices (
      source      TEXT NOT NULL,
      start_ms    INTEGER NOT NULL,
      end_ms      INTEGER NOT NULL,
      eur_per_mwh REAL NOT NULL,
      fetched_at  INTEGER NOT NULL,
      PRIMARY KEY (source, start_ms)
    ) WITHOUT ROWID;
    `),
];

export function openPriceCache(options: { path: string; check?: boolean }): PriceCache {
  const db = openSqlite({ path: options.path, check: options.check ?? true });
  migrate(db, { name: 'tariff-cache', migrations: MIGRATIONS });
  const s = {
    rows: db.prepare<[string], { start_ms: number; end_ms: number; eur_per_mwh: number }>(
      'SELECT start_ms, end_ms, eur_per_mwh FROM tariff_prices WHERE source = ? ORDER BY start_ms',
    ),
    clear: db.prepare<[string, number, number]>('DELETE FROM tariff_prices WHERE source = ? AND start_ms < ? AND end_ms > ?'),
    insert: db.prepare<[string, number, number, number, number]>(
      'INSERT OR REPLACE INTO tariff_prices (source, start_ms, end_ms, eur_per_mwh, fetched_at) VALUES (?, ?, ?, ?, ?)',
    ),
    prune: db.prepare<[string, number]>('DELETE FROM tariff_prices WHERE source = ? AND end_ms <= ?'),
    last: db.prepare<[string], { at: number | null }>('SELECT max(fetched_at) AS at FROM tariff_prices WHERE source = ?'),
  };
  const storeTx = db.transaction((source: string, t: Tariff, from: number, to: number, fetchedAt: number, keepFrom: number) => {
    s.clear.run(source, to, from);
    for (let i = 0; i < t.eurPerMwh.length; i++) {
      const p = t.eurPerMwh[i]!;
      if (Number.isNaN(p)) continue;
      const start = t.startMs + i * t.slotMs;
      s.insert.run(source, start, start + t.slotMs, p, fetchedAt);
    }
    s.prune.run(source, keepFrom);
  });
  return {
    load(source) {
      const slots: PriceSlot[] = s.rows.all(source).map((r) => ({ start: r.start_ms, end: r.end_ms, eurPerMwh: r.eur_per_mwh, at: `row ${r.start_ms}` }));
      const t = tariffOfSlots(source, slots);
      // rows are written only from parsed tariffs: a refusal means someone else wrote them; start empty rather than fail
      return 'reason' in t ? tariffOfSlots(source, []) as Tariff : t;
    },
    store: (source, prices, from, to, fetchedAt, keepFrom) => storeTx(source, prices, from, to, fetchedAt, keepFrom),
    lastFetchedAt: (source) => s.last.get(source)?.at ?? null,
    close: () => db.close(),
  };
}
