/**
 * `npm run bench -- GROUP... --against REV [--rounds N]`: the groups in this tree (uncommitted changes
 * included) and in revision REV at the same time, N rounds (default 3), and each figure's median in both
 * with their ratio, in one JSON object: `name` (this tree), `name.base` (REV), `name.ratio` (this / REV).
 * One after another, the same code moved by up to a quarter between runs of the helpdesk bench on a shared
 * 2-core machine; run together, each tree on a core, both meet the same machine (docs/fleet-engine-log.md#a-devices-records-through-its-topic).
 *
 * REV is checked out in a git worktree of its own (a scratch folder, removed after) that shares this tree's
 * node_modules: so REV must have the same package-lock.json, else it is refused (its dependencies would need
 * an install of their own). Groups that take the whole machine themselves (WHOLE_MACHINE_GROUPS) are refused:
 * two of them at once would measure the contention, not the code.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeTable, type EvnErrorCode } from '../contracts/errors.js';
import { round } from '../contracts/round.js';
import { RUNNER_START_FLAGS } from '../scenarios/engine/node-flags.js';
import { median } from '../scenarios/report-by-kind.js';
import { scratchDir } from '../storage/scratch-dir.js';

export type Figures = Record<string, number | string | boolean | null>;

/** the groups that start processes of their own on every core (device hosts, broker shards, cluster nodes) */
export const WHOLE_MACHINE_GROUPS: ReadonlySet<string> = new Set(['fleet', 'cluster']);

export const AGAINST_DEFAULTS = { rounds: 3 } as const;

export const AGAINST_ERR = codeTable({
  REVISION: 'EVN_ERR_BENCH_REVISION',
  DEPENDENCIES: 'EVN_ERR_BENCH_DEPENDENCIES',
  GROUP: 'EVN_ERR_BENCH_GROUP',
  RUN: 'EVN_ERR_BENCH_RUN',
});

/** a refusal of `--against`, with its code */
export class AgainstError extends Error {
  constructor(readonly code: EvnErrorCode, message: string) {
    super(`${code}: ${message}`);
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** the median of the runs (the report's own: the mean of the two middle values of an even count) */
const medianOf = (xs: readonly number[]): number => median([...xs].sort((a, b) => a - b));

const numeric = (runs: readonly Figures[], key: string): number[] | null => {
  const xs = runs.map((r) => r[key]);
  return xs.every((x): x is number => typeof x === 'number' && Number.isFinite(x)) ? xs : null;
};

/**
 * Each figure of this tree's runs (`mine`) beside REV's (`base`): a number in every run of both gives its two
 * medians and their ratio (null where REV's is 0); anything else is this tree's first run's value, and REV's
 * beside it where it differs. A figure only one side has is kept under its own name (`.base` for REV's).
 */
export function compareRuns(mine: readonly Figures[], base: readonly Figures[]): Figures {
  const out: Figures = {};
  const keys = [...new Set([...mine.flatMap((r) => Object.keys(r)), ...base.flatMap((r) => Object.keys(r))])];
  for (const k of keys) {
    const a = numeric(mine, k);
    const b = numeric(base, k);
    if (a && b) {
      const ma = medianOf(a);
      const mb = medianOf(b);
      out[k] = round(ma, 3);
      out[`${k}.base`] = round(mb, 3);
      out[`${k}.ratio`] = mb === 0 ? null : round(ma / mb, 3);
      continue;
    }
    if (k in (mine[0] ?? {})) out[k] = mine[0]![k]!;
    if (k in (base[0] ?? {}) && base[0]![k] !== out[k]) out[`${k}.base`] = base[0]![k]!;
  }
  return out;
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface BaseTree {
  path: string;
  /** the commit REV names */
  commit: string;
  remove(): void;
}

/** REV checked out beside this tree, sharing its node_modules; refused when REV is no commit or its lock file differs */
export function checkOutBase(rev: string): BaseTree {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new AgainstError(AGAINST_ERR.REVISION, `'${rev}' names no commit of this repository`);
  }
  let lock: string;
  try {
    lock = git(['show', `${commit}:package-lock.json`]);
  } catch {
    lock = '';
  }
  if (lock !== readFileSync(join(ROOT, 'package-lock.json'), 'utf8').trim()) {
    throw new AgainstError(AGAINST_ERR.DEPENDENCIES, `${rev} (${commit.slice(0, 7)}) has another package-lock.json than this tree: its dependencies would need an install of their own`);
  }
  const scratch = scratchDir('evernet-bench-against-');
  const path = join(scratch.path, 'tree');
  try {
    git(['worktree', 'add', '--detach', path, commit]);
    symlinkSync(join(ROOT, 'node_modules'), join(path, 'node_modules'), 'dir');
  } catch (e) {
    scratch.remove();
    throw new AgainstError(AGAINST_ERR.REVISION, `checking out ${rev} failed: ${(e as Error).message}`);
  }
  return {
    path,
    commit,
    remove(): void {
      try {
        git(['worktree', 'remove', '--force', path]);
      } catch { /* the folder goes below; `git worktree prune` forgets it */ }
      scratch.remove();
      try {
        git(['worktree', 'prune']);
      } catch { /* nothing to forget */ }
    },
  };
}

/** `bench/main.ts args` in `tree`, as `npm run bench` starts it; its one JSON object */
function runIn(tree: string, args: readonly string[]): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...RUNNER_START_FLAGS, '--import', 'tsx', join(tree, 'bench', 'main.ts'), ...args], { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out) as Figures);
      } catch (e) {
        reject(new AgainstError(AGAINST_ERR.RUN, `the bench in ${tree === ROOT ? 'this tree' : 'the base revision'} failed (${(e as Error).message}): ${err.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}

export interface AgainstOptions {
  /** the revision to compare with (anything `git rev-parse` takes) */
  rev: string;
  /** the groups, and what else is passed on to each run (`--homes N`) */
  args: readonly string[];
  groups: readonly string[];
  rounds?: number;
  /** a line on stderr per round */
  onRound?: (round: number, rounds: number) => void;
}

/** the groups in this tree and in `rev` at once, `rounds` times: their figures compared (compareRuns) */
export async function benchAgainst(o: AgainstOptions): Promise<Figures> {
  const rounds = o.rounds ?? AGAINST_DEFAULTS.rounds;
  const whole = o.groups.filter((g) => WHOLE_MACHINE_GROUPS.has(g));
  if (!o.groups.length || whole.length) {
    throw new AgainstError(AGAINST_ERR.GROUP, whole.length ? `${whole.join(', ')} take(s) the whole machine: two at once would measure the contention; compare them one after another` : 'name the group(s) to compare');
  }
  const base = checkOutBase(o.rev);
  try {
    const mine: Figures[] = [];
    const theirs: Figures[] = [];
    for (let r = 0; r < rounds; r++) {
      // both ended before anything goes on: a run that failed does not leave the other running in a tree about to go
      const [a, b] = await Promise.allSettled([runIn(ROOT, o.args), runIn(base.path, o.args)]);
      if (a.status === 'rejected') throw a.reason;
      if (b.status === 'rejected') throw b.reason;
      mine.push(a.value);
      theirs.push(b.value);
      o.onRound?.(r + 1, rounds);
    }
    return { 'against.revision': base.commit, 'against.rounds': rounds, ...compareRuns(mine, theirs) };
  } finally {
    base.remove();
  }
}
