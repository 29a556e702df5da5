import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCorpus, NabDirError, parseTimestamp } from '../../../bench/nab/load.js';
import { resultsPath } from '../../../bench/nab/results.js';
import { runNab } from '../../../bench/nab/run.js';

const FIXTURE = 'tests/fixtures/nab';
const tmp = mkdtempSync(join(tmpdir(), 'evernet-nab-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function nabError(fn: () => unknown): NabDirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NabDirError) return e;
    throw e;
  }
  throw new Error('expected a NabDirError');
}

/** a copy of the fixture to break */
function brokenCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('NAB directory loading', () => {
  it('reads the files named in the windows file, in sorted order, with windows as row spans', () => {
    const c = loadCorpus(FIXTURE);
    expect(c.files.map((f) => f.relpath)).toEqual(['other/two.csv', 'synthetic/flat.csv', 'synthetic/spike.csv']);
    expect(c.files[0]!.spans).toEqual([{ left: 10, right: 14 }, { left: 25, right: 29 }]);
    expect(c.files[2]!.values[33]).toBe(40);
    expect(Object.keys(c.profiles)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
  });

  it('matches timestamps with and without microseconds', () => {
    expect(parseTimestamp('2014-04-10 07:15:00.000000')).toBe(parseTimestamp('2014-04-10 07:15:00'));
    expect(parseTimestamp('2014-04-10T07:15:00.5')).toBe(parseTimestamp('2014-04-10 07:15:00') + 500_000);
    expect(parseTimestamp('yesterday')).toBeNaN();
  });

  it('names the path and the expected layout when the directory is missing', () => {
    const e = nabError(() => loadCorpus(join(tmp, 'nope')));
    expect(e.code).toBe('EVN_ERR_NAB_DIR');
    expect(e.message).toMatch(/nope: not a directory; expected a NAB directory holding data\/<category>\/<file>\.csv/);
  });

  it('names the windows file when it is malformed', () => {
    const dir = brokenCopy('bad-windows');
    writeFileSync(join(dir, 'labels/combined_windows.json'), '{"a.csv": [["only one"]]}');
    expect(nabError(() => loadCorpus(dir)).message).toMatch(/combined_windows\.json: a\.csv: expected a list of \[start, end\]/);
  });

  it('names a data file that the windows file lists but that is missing', () => {
    const dir = brokenCopy('missing-data');
    rmSync(join(dir, 'data/synthetic/flat.csv'));
    expect(nabError(() => loadCorpus(dir)).message).toMatch(/flat\.csv: missing; .* names synthetic\/flat\.csv/);
  });

  it('names the line of a data file that is not timestamp,value', () => {
    const dir = brokenCopy('bad-row');
    writeFileSync(join(dir, 'data/synthetic/flat.csv'), 'timestamp,value\n2020-01-01 00:00:00,abc\n');
    expect(nabError(() => loadCorpus(dir)).message).toMatch(/flat\.csv: line 2 is "2020-01-01 00:00:00,abc"/);
  });

  it('names a window that matches no timestamp', () => {
    const dir = brokenCopy('bad-window');
    writeFileSync(join(dir, 'labels/combined_windows.json'), JSON.stringify({ 'synthetic/flat.csv': [['2030-01-01 00:00:00', '2030-01-02 00:00:00']] }));
    expect(nabError(() => loadCorpus(dir)).message).toMatch(/window 2030-01-01 00:00:00 \.\. 2030-01-02 00:00:00 does not match/);
  });
});

describe('NAB runner', () => {
  const out = join(tmp, 'results');
  const run = runNab(loadCorpus(FIXTURE), 'random', out);

  it('writes one results row per input row, in file order, in NAB layout and columns', () => {
    const corpus = loadCorpus(FIXTURE);
    for (const f of corpus.files) {
      const path = resultsPath(out, 'random', f.relpath);
      expect(path).toBe(join(out, 'random', f.relpath.split('/')[0]!, `random_${f.relpath.split('/')[1]}`));
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('timestamp,value,anomaly_score,label');
      expect(lines.length - 1).toBe(f.stamps.length);
      lines.slice(1).forEach((line, i) => {
        const [ts, value, score, label] = line.split(',');
        expect(ts).toBe(f.stamps[i]);
        expect(Number(value)).toBe(f.values[i]);
        expect(Number(score)).toBeGreaterThanOrEqual(0);
        expect(Number(score)).toBeLessThanOrEqual(1);
        const inside = f.spans.some((s) => s.left <= i && i <= s.right);
        expect(label).toBe(inside ? '1' : '0');
      });
    }
  });

  it('reports the detector, file count, three profile scores and speed', () => {
    expect(run.detector).toBe('random');
    expect(run.files).toBe(3);
    expect(Object.keys(run.scores)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    expect(run.readings).toBe(120);
    expect(run.readingsPerSecond).toBeGreaterThan(0);
  });

  // Figures printed by the reference scorer (shared/tools/nab-score.py) on these same outputs.
  it.each([
    ['random', 74.69612677311083, 51.295073222999854, 82.45296093211714],
    ['windowedGaussian', 98.47268589872168, 98.47268589872168, 98.94087992127702],
  ] as const)('agrees with the reference scorer on %s over the fixture', (detector, std, lowFp, lowFn) => {
    const r = runNab(loadCorpus(FIXTURE), detector, join(tmp, 'agree'));
    expect(r.scores.standard).toBeCloseTo(std, 2);
    expect(r.scores.reward_low_FP_rate).toBeCloseTo(lowFp, 2);
    expect(r.scores.reward_low_FN_rate).toBeCloseTo(lowFn, 2);
  });
});

describe('bench:nab command line', () => {
  const tsx = 'node_modules/.bin/tsx';
  const cli = (...args: string[]) => spawnSync(tsx, ['bench/nab/main.ts', ...args], { encoding: 'utf8' });

  it('requires --nab with a coded error saying what is expected', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/EVN_ERR_NAB_DIR: --nab DIR is required: a NAB directory holding data\/<category>\/<file>\.csv, labels\/combined_windows\.json and config\/profiles\.json/);
    expect(r.stdout).toBe('');
  });

  it('names a --nab path that is not a NAB directory', () => {
    const r = cli('--nab', join(tmp, 'no-such-nab'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`EVN_ERR_NAB_DIR: ${join(tmp, 'no-such-nab')}: not a directory`);
  });

  it('prints one JSON object with the scores on stdout and progress on stderr', () => {
    const r = cli('--nab', FIXTURE, '--out', join(tmp, 'cli'));
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ detector: 'evernetGeneral', files: 3 });
    expect(Object.keys(j.scores as object)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    expect(typeof j.readingsPerSecond).toBe('number');
    expect(r.stderr).toContain('nab: evernetGeneral synthetic/spike.csv (60 rows)');
  });
});
