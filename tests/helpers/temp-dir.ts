/**
 * A throw-away directory for each test of the describe block that asks for one: made before the
 * test, removed with everything in it after the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Call inside a describe block (or at the top of a file); `.path` is this test's directory, `.join(...)` a path in it. */
export function tempDirPerTest(prefix: string): { readonly path: string; join(...parts: string[]): string } {
  let dir: string | null = null;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const current = () => {
    if (!dir) throw new Error('tempDirPerTest: used outside a test');
    return dir;
  };
  return {
    get path() {
      return current();
    },
    join: (...parts) => path.join(current(), ...parts),
  };
}

/**
 * For each test of the block: a fresh folder made the process's temporary folder (TMPDIR, which `os.tmpdir()`
 * reads), restored and removed with everything in it after the test. What the code under test leaves in the
 * temporary folder is then all there is in `.path`.
 */
export function tmpdirPerTest(prefix: string): { readonly path: string } {
  const dir = tempDirPerTest(prefix);
  let was: string | undefined;
  beforeEach(() => {
    was = process.env.TMPDIR;
    process.env.TMPDIR = dir.path;
  });
  afterEach(() => {
    if (was === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = was;
  });
  return {
    get path() {
      return dir.path;
    },
  };
}
