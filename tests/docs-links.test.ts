/**
 * The docs' links hold: every relative link in README.md and docs/*.md names a file of the repository,
 * and a link to a section (`page.md#section`, `#section`) names a heading that page has; the same for the
 * `docs/<page>.md#<section>` references in the code's comments and messages. Anchors are made from headings
 * as GitHub makes them (lower case, punctuation dropped, spaces to hyphens, a repeated heading numbered).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const pages = tracked.filter((f) => f === 'README.md' || /^docs\/.*\.md$/.test(f));

/** GitHub's anchor of a heading's text */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** the anchors of a markdown page's headings (outside code blocks) */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const anchorCache = new Map<string, Set<string>>();
const anchors = (file: string): Set<string> => {
  let a = anchorCache.get(file);
  if (!a) anchorCache.set(file, (a = anchorsOf(readFileSync(file, 'utf8'))));
  return a;
};

/** what is wrong with a link to `target` (a path relative to the repository, maybe with #anchor), or null */
function broken(target: string): string | null {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  if (!existsSync(path)) return `no file ${path}`;
  if (anchor !== undefined && path.endsWith('.md') && !anchors(path).has(anchor)) return `no section #${anchor} in ${path}`;
  return null;
}

/** the relative links of a markdown page (outside code blocks and inline code), resolved against the repository */
function linksOf(page: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of readFileSync(page, 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/i.test(href)) continue; // http:, https:, mailto:
      out.push(href.startsWith('#') ? `${page}${href}` : normalize(join(dirname(page), href)));
    }
  }
  return out;
}

describe('the docs\' links', () => {
  it('anchors are made as GitHub makes them', () => {
    expect(slug('A subscription that slowed every publish')).toBe('a-subscription-that-slowed-every-publish');
    expect(slug("Records changed in place, and the machine's own day")).toBe('records-changed-in-place-and-the-machines-own-day');
    expect(slug('`fleet.ratio` and the bare pattern')).toBe('fleetratio-and-the-bare-pattern');
    expect([...anchorsOf('# A\n## Figures\n```\n# not a heading\n```\n### Figures\n')]).toEqual(['a', 'figures', 'figures-1']);
  });

  it('every relative link of README.md and docs/ names a file, and a section it has', () => {
    expect(pages.length).toBeGreaterThan(5);
    const bad = pages.flatMap((p) => linksOf(p).flatMap((l) => {
      const why = broken(l);
      return why ? [`${p}: ${l}: ${why}`] : [];
    }));
    expect(bad).toEqual([]);
  });

  it('every docs/<page>.md#<section> the code names exists', () => {
    const code = tracked.filter((f) => /\.(ts|mjs|yaml)$/.test(f) && !f.startsWith('node_modules/'));
    const bad: string[] = [];
    for (const f of code) {
      for (const m of readFileSync(f, 'utf8').matchAll(/docs\/([\w-]+\.md)#([\w-]+)/g)) {
        const why = broken(`docs/${m[1]}#${m[2]}`);
        if (why) bad.push(`${f}: docs/${m[1]}#${m[2]}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
