/**
 * Imports only point down (DESIGN: layers). contracts/ imports nothing of evernet; storage/ and log/
 * are infrastructure below the peers and import at most contracts/; devices/, broker/ and helpdesk/
 * are peers that import contracts/, storage/ and log/ but not each other; stack/ and scenarios/ wire
 * the peers; cluster/ (helpdesk workers on NATS, docs/scale.md) wires them too, below scenarios/; bench/ and cli/ sit on top and nothing below imports them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ALLOWED: Record<string, string[]> = {
  contracts: [],
  storage: ['contracts'],
  log: ['contracts'],
  devices: ['contracts', 'storage', 'log'],
  broker: ['contracts', 'storage', 'log'],
  helpdesk: ['contracts', 'storage', 'log'],
  stack: ['contracts', 'storage', 'log', 'devices', 'broker', 'helpdesk'],
  cluster: ['contracts', 'storage', 'log', 'devices', 'broker', 'helpdesk', 'stack'],
  scenarios: ['contracts', 'storage', 'log', 'devices', 'broker', 'helpdesk', 'stack', 'cluster'],
  cli: ['contracts', 'storage', 'log', 'devices', 'broker', 'helpdesk', 'stack', 'cluster', 'scenarios'],
  bench: ['contracts', 'storage', 'log', 'devices', 'broker', 'helpdesk', 'stack', 'cluster', 'scenarios', 'cli'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'public' ? [] : sources(p);
    return /\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** the top-level folders a file imports from (relative imports only) */
function importedLayers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.normalize(path.join(path.dirname(file), s)).split(path.sep)[0]!);
}

describe('the layers', () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`${layer}/ imports only ${allowed.length ? allowed.join(', ') : 'nothing of evernet'}`, () => {
      const wrong = sources(layer).flatMap((f) =>
        importedLayers(f)
          .filter((l) => l !== layer && !allowed.includes(l))
          .map((l) => `${f} -> ${l}/`),
      );
      expect(wrong).toEqual([]);
    });
  }
});
