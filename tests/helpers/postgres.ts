/**
 * A throw-away PostgreSQL cluster for tests (stack/throwaway-postgres.ts), with password
 * authentication. `pgBinaries` is null where the binaries are absent: such tests say they are
 * skipped (`describe.skipIf(!pgBinaries)`).
 */
import { findPostgres, startThrowawayPostgres, type ThrowawayPostgres } from '../../stack/throwaway-postgres.js';

/** the folder of initdb and pg_ctl, or null: PostgreSQL is not installed (or, as root, no `postgres` user to run it) */
export const pgBinaries: string | null = findPostgres();

export const PG_PASSWORD = 'evernet-test';

export type TestPostgres = ThrowawayPostgres;

/** Starts a new cluster (a few seconds). Throws where pgBinaries is null. */
export const startTestPostgres = (): Promise<TestPostgres> => startThrowawayPostgres({ password: PG_PASSWORD, prefix: 'evernet-pgtest-' });
