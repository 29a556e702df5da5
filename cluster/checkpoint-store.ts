/**
 * Where a partition's worker keeps its checkpoint: the helpdesk's in-memory state (helpdesk.checkpoint())
 * and the stream sequence it reflects, one row in the partition's own database (table
 * `cluster_checkpoint`, version in `evernet_schema` as 'cluster'). The row is written on the working
 * copy with the stores' changes and reaches PostgreSQL in the same flush (storage/postgres-mirror.ts):
 * the position and the state it describes are committed together, so a worker that takes the
 * partition over resumes exactly after the last message the checkpoint includes (docs/scale.md).
 */
import type Database from 'better-sqlite3';
import { migrate, type Migration } from '../storage/migrate.js';
import { guarded, openSqlite } from '../storage/sqlite.js';

export interface StoredCheckpoint {
  /** the last stream sequence the state includes (0: none yet) */
  seq: number;
  /** the helpdesk's watermark at the checkpoint (event time, ms) */
  watermark: number;
  /** the helpdesk's checkpoint as JSON */
  state: string;
  /** which worker wrote it */
  worker: string;
}

export interface CheckpointStore {
  read(): StoredCheckpoint | null;
  write(c: StoredCheckpoint): void;
  close(): void;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
    CREATE TABLE cluster_checkpoint (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      watermark REAL NOT NULL,
      state TEXT NOT NULL,
      worker TEXT NOT NULL
    )`),
];

export function openCheckpointStore(options: { path: string; check?: boolean }): CheckpointStore {
  const db: Database.Database = openSqlite({ path: options.path, check: options.check ?? true });
  const q = guarded(options.path, db, () => {
    migrate(db, { name: 'cluster', migrations: MIGRATIONS });
    return {
      read: db.prepare<[], StoredCheckpoint>('SELECT seq, watermark, state, worker FROM cluster_checkpoint WHERE id = 1'),
      write: db.prepare<[number, number, string, string]>(
        'INSERT INTO cluster_checkpoint (id, seq, watermark, state, worker) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, watermark = excluded.watermark, state = excluded.state, worker = excluded.worker',
      ),
    };
  });
  return {
    read: () => q.read.get() ?? null,
    write: (c) => void q.write.run(c.seq, c.watermark, c.state, c.worker),
    close: () => db.close(),
  };
}
