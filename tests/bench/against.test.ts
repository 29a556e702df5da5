/**
 * `npm run bench -- GROUP --against REV` (bench/against.ts): figures compared as medians and ratios, a real
 * comparison with a revision of this repository in a worktree of its own (gone after), and the refusals.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AGAINST_ERR, benchAgainst, checkOutBase, compareRuns } from '../../bench/against.js';

const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();

describe('bench --against', () => {
  it('gives each figure the medians of both trees and their ratio', () => {
    const mine = [{ node: 'v20', 'g.ms': 3, 'g.n': 10, 'g.only': 1 }, { node: 'v20', 'g.ms': 1, 'g.n': 10, 'g.only': 2 }, { node: 'v20', 'g.ms': 2, 'g.n': 10, 'g.only': 3 }];
    const base = [{ node: 'v20', 'g.ms': 4, 'g.n': 0, 'g.mode': 'x' }, { node: 'v20', 'g.ms': 8, 'g.n': 0, 'g.mode': 'x' }, { node: 'v20', 'g.ms': 6, 'g.n': 0, 'g.mode': 'x' }];
    expect(compareRuns(mine, base)).toEqual({
      node: 'v20',
      'g.ms': 2, 'g.ms.base': 6, 'g.ms.ratio': 0.333,
      // a baseline of 0 has no ratio
      'g.n': 10, 'g.n.base': 0, 'g.n.ratio': null,
      // a figure only one side has keeps its name, REV's under `.base`
      'g.only': 1,
      'g.mode.base': 'x',
    });
    // an even number of rounds: the mean of the middle two
    expect(compareRuns([{ a: 1 }, { a: 4 }], [{ a: 2 }, { a: 2 }])).toEqual({ a: 2.5, 'a.base': 2, 'a.ratio': 1.25 });
  });

  it('runs a group here and in a revision at once, and leaves no worktree behind', async () => {
    const before = git('worktree', 'list');
    const out = await benchAgainst({ rev: 'HEAD', args: ['tariffs'], groups: ['tariffs'], rounds: 1 });
    expect(out['against.revision']).toBe(git('rev-parse', 'HEAD'));
    expect(out['against.rounds']).toBe(1);
    // the same code on both sides: a count is the same, a time is measured in each
    expect(out['tariffs.planCandidatesQuarterHours']).toBe(out['tariffs.planCandidatesQuarterHours.base']);
    expect(out['tariffs.planCandidatesQuarterHours.ratio']).toBe(1);
    expect(out['tariffs.planHourly24hMs.base']).toBeGreaterThan(0);
    expect(typeof out['tariffs.planHourly24hMs.ratio']).toBe('number');
    expect(git('worktree', 'list')).toBe(before);
  }, 120_000);

  it('refuses what it cannot compare, with its code', async () => {
    const before = git('worktree', 'list');
    expect(() => checkOutBase('no-such-revision-anywhere')).toThrow(AGAINST_ERR.REVISION);
    // the first commit has other dependencies than today's: its tree cannot share this one's node_modules
    // (a shallow clone has no first commit to ask)
    if (git('rev-parse', '--is-shallow-repository') === 'false') {
      const first = git('rev-list', '--max-parents=0', 'HEAD').split('\n')[0]!;
      expect(() => checkOutBase(first)).toThrow(AGAINST_ERR.DEPENDENCIES);
    }
    await expect(benchAgainst({ rev: 'HEAD', args: ['fleet'], groups: ['fleet'] })).rejects.toThrow(AGAINST_ERR.GROUP);
    await expect(benchAgainst({ rev: 'HEAD', args: [], groups: [] })).rejects.toThrow(AGAINST_ERR.GROUP);
    // a run that fails (here both: a group neither tree knows) is reported with its code and what it said
    await expect(benchAgainst({ rev: 'HEAD', args: ['no-such-group'], groups: ['no-such-group'], rounds: 1 })).rejects.toThrow(/EVN_ERR_BENCH_RUN.*unknown group/);
    expect(git('worktree', 'list')).toBe(before);
  });
});
