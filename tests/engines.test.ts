/**
 * `npm ci` on the Node the project supports installs nothing that says it needs a newer one. npm only
 * warns (EBADENGINE) and installs anyway: the warning is the first thing a newcomer sees, and a package
 * that declares a newer Node may use what an older one lacks. The lock file holds each package's
 * `engines` as published; every one must admit the Node running the tests (CI runs the oldest one
 * supported, the README's "Node 20 or newer").
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
}

const lock = read('package-lock.json') as { packages: Record<string, LockEntry> };
const own = read('package.json') as { engines: { node: string } };

/** the installed packages whose `engines.node` does not admit `version` */
function refusing(packages: Record<string, LockEntry>, version: string): string[] {
  const out: string[] = [];
  for (const [path, p] of Object.entries(packages)) {
    if (!path || p.optional) continue; // the project itself; an optional package npm may leave out
    const range = !p.engines || Array.isArray(p.engines) ? undefined : p.engines.node;
    if (range && !semver.satisfies(version, range, { includePrerelease: true })) out.push(`${path.replace(/^.*node_modules\//, '')}@${p.version} needs node ${range}`);
  }
  return out;
}

describe('engines', () => {
  it("the project's own range admits the Node running the tests", () => {
    expect(semver.satisfies(process.version, own.engines.node)).toBe(true);
  });

  it('every package the lock file installs admits the Node running the tests', () => {
    expect(Object.keys(lock.packages).length).toBeGreaterThan(100);
    expect(refusing(lock.packages, process.version)).toEqual([]);
  });

  it('tells a package that needs a newer Node', () => {
    const packages: Record<string, LockEntry> = {
      '': { version: '0.1.0' },
      'node_modules/old': { version: '1.0.0', engines: { node: '>=18' } },
      'node_modules/a/node_modules/new': { version: '2.0.2', engines: { node: '>=22' } },
      'node_modules/spaced': { version: '3.0.0', engines: { node: '>= 22.x' } },
    };
    expect(refusing(packages, 'v20.20.2')).toEqual(['new@2.0.2 needs node >=22', 'spaced@3.0.0 needs node >= 22.x']);
    expect(refusing(packages, 'v22.12.0')).toEqual([]);
  });
});
