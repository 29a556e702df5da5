/**
 * aedes-persistence's own conformance suite (abstract.js, node:test) against the SQLite persistence,
 * each instance on a fresh temporary directory. Run by tests/reliability/broker-persistence.test.ts:
 *   node --import tsx --test tests/reliability/bin/persistence-conformance.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openSqlitePersistence } from '../../../broker/persistence/sqlite-persistence.js';

const require = createRequire(import.meta.url);
const abstract = require('aedes-persistence/abstract.js') as (opts: Record<string, unknown>) => void;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

abstract({
  test,
  testAsync: true,
  persistence: () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evernet-conformance-'));
    dirs.push(dir);
    return openSqlitePersistence({ dir });
  },
});
