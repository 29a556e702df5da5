/**
 * What a run stored, counted where it was stored: every partition's schema of a cluster run's
 * PostgreSQL database, or the embedded run's SQLite file. Readings are the rows of `telemetry_raw`
 * (a 24-hour day is inside its 48-hour retention); a ticket twice is two rows of one incident key.
 */
import pg from 'pg';
import { partitionSchema } from '../../cluster/partition-db.js';
import { openSqlite } from '../../storage/sqlite.js';

export interface StoredCounts {
  readings: number;
  tickets: number;
  /** tickets beyond the first of an incident key */
  duplicateTickets: number;
}

export async function clusterCounts(url: string, partitions: number): Promise<StoredCounts> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: StoredCounts = { readings: 0, tickets: 0, duplicateTickets: 0 };
    const keys = new Map<string, number>();
    for (let p = 0; p < partitions; p++) {
      const s = partitionSchema(p);
      out.readings += Number((await c.query(`SELECT count(*) AS n FROM ${s}.telemetry_raw`)).rows[0].n);
      for (const r of (await c.query<{ incident_key: string }>(`SELECT incident_key FROM ${s}.tickets`)).rows) {
        out.tickets++;
        keys.set(r.incident_key, (keys.get(r.incident_key) ?? 0) + 1);
      }
    }
    for (const n of keys.values()) out.duplicateTickets += n - 1;
    return out;
  } finally {
    await c.end();
  }
}

export function sqliteCounts(file: string): StoredCounts {
  const db = openSqlite({ path: file, check: false });
  try {
    const n = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      readings: n('SELECT count(*) AS n FROM telemetry_raw'),
      tickets: n('SELECT count(*) AS n FROM tickets'),
      duplicateTickets: n('SELECT coalesce(sum(k - 1), 0) AS n FROM (SELECT count(*) AS k FROM tickets GROUP BY incident_key)'),
    };
  } finally {
    db.close();
  }
}
