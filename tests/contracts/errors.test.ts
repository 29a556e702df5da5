/**
 * The error registry (contracts/errors.ts) is the one list of codes: every `EVN_ERR_*` the source
 * writes is registered with its meaning, every registered code is used somewhere, and the docs name
 * only registered codes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../contracts/errors.js';

const SOURCE = ['bench', 'broker', 'cli', 'cluster', 'contracts', 'devices', 'helpdesk', 'log', 'scenarios', 'stack', 'storage'];
/** a code, or a family of codes written `EVN_ERR_CREDENTIALS_*` */
const CODE = /EVN_ERR_[A-Z0-9_]*[A-Z0-9](_\*)?/g;

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

/** code -> the files that write it (the registry itself left out) */
function used(dirs: string[], ext: RegExp): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of dirs.flatMap((d) => files(d, ext))) {
    if (f === path.join('contracts', 'errors.ts')) continue;
    for (const code of new Set(readFileSync(f, 'utf8').match(CODE) ?? [])) out.set(code, [...(out.get(code) ?? []), f]);
  }
  return out;
}

/** a registered code, or a family some registered code belongs to */
const known = (code: string): boolean => (code.endsWith('_*') ? Object.keys(ERRORS).some((c) => c.startsWith(code.slice(0, -1))) : code in ERRORS);

describe('the error registry', () => {
  const inSource = used(SOURCE, /\.(ts|js|mjs)$/);

  it('registers every code the source writes, with what it means', () => {
    const missing = [...inSource.entries()].filter(([code]) => !known(code)).map(([code, where]) => `${code} (${where.join(', ')})`);
    expect(missing).toEqual([]);
    for (const meaning of Object.values(ERRORS)) expect(meaning.length).toBeGreaterThan(10);
  });

  it('holds no code that nothing raises', () => {
    expect(Object.keys(ERRORS).filter((code) => !inSource.has(code))).toEqual([]);
  });

  it('is what the docs speak of', () => {
    const inDocs = used(['docs'], /\.md$/);
    const unknown = [...inDocs.entries()].filter(([code]) => !known(code)).map(([code, where]) => `${code} (${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });
});
