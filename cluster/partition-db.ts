/**
 * Each partition keeps its data in a PostgreSQL schema of its own (`evernet_p<N>`) of the one
 * database: the same tables a single helpdesk has, holding only the partition's customers. Its
 * ownership is a session advisory lock named after it (`evernet-partition-<N>`), taken by the mirror
 * (storage/postgres-mirror.ts) on the connection that writes: a worker writes a partition only while it
 * holds the lock, and a worker that dies (its connection closes) frees it at once.
 */
import { connectPostgres } from '../storage/postgres.js';

export const partitionSchema = (p: number): string => `evernet_p${p}`;
export const partitionLock = (p: number): string => `evernet-partition-${p}`;

/** the database URL with the partition's schema first on the search path */
export function partitionDbUrl(url: string, p: number): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${partitionSchema(p)}`);
  return u.toString();
}

/** creates every partition's schema (idempotent); a database that cannot be reached is EVN_ERR_DB_CONNECT */
export async function createPartitionSchemas(url: string, partitions: number): Promise<void> {
  const client = await connectPostgres({ url, applicationName: 'evernet-worker' });
  try {
    for (let p = 0; p < partitions; p++) {
      // two workers starting together race on IF NOT EXISTS: the loser's duplicate is no error
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${partitionSchema(p)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P06' && e.code !== '23505') throw e;
      });
    }
  } finally {
    await client.end().catch(() => {});
  }
}
