/**
 * A board's own state on disk (a washer's armed offer and planned start), so a board process that
 * restarts picks up where it stopped: one small JSON file, written whole to a temporary name and
 * renamed over the old one, so a crash leaves the old file or the new one, never half of either.
 * A file that cannot be read or does not fit its schema is set aside (renamed *.bad) and logged with
 * a code; the board starts without it instead of failing.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BOARD_ERR } from './errors.js';

export interface StateKeeper<T> {
  load(): T | null;
  save(state: T): void;
}

export function jsonStateFile<T>(path: string, schema: z.ZodType<T>, log: Logger): StateKeeper<T> {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        log.warn({ code: BOARD_ERR.STATE_FILE, path, err: (e as Error).message }, 'cannot read the board state file: starting without it');
        return null;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const r = schema.safeParse(parsed);
      if (r.success) return r.data;
      try {
        renameSync(path, `${path}.bad`);
      } catch {
        // the warning below still says what happened
      }
      log.warn({ code: BOARD_ERR.STATE_FILE, path, movedTo: `${path}.bad` }, 'the board state file is damaged: set aside, starting without it');
      return null;
    },
    save(state) {
      const tmp = `${path}.tmp`;
      try {
        writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
        renameSync(tmp, path);
      } catch (e) {
        log.warn({ code: BOARD_ERR.STATE_FILE, path, err: (e as Error).message }, 'cannot write the board state file: a restart would forget the plan');
      }
    },
  };
}
