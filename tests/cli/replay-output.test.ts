/**
 * `evernet replay` checks where its reports go before it replays anything: a missing folder, a folder
 * given as the file, or a file in a folder it may not write is one coded line (EVN_ERR_REPORT_PATH)
 * at once, not an ENOENT after the whole day has been replayed. Through the command line's own entry.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkOutputPath } from '../../cli/output-path.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { evernet } from '../helpers/cli-capture.js';


describe('the report paths of evernet replay', () => {
  const tmp = tempDirPerTest('evernet-replay-out-');

  it.each(['--report-json', '--report-html'])('refuses %s into a missing folder before the replay starts', async (flag) => {
    const r = await evernet('replay', 'scenarios/day-in-2020.yaml', flag, tmp.join('missing', 'report.out'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^evernet: EVN_ERR_REPORT_PATH: ${flag} .*missing.*: the folder does not exist\\n$`));
    // nothing was replayed: no summary
    expect(r.out).toBe('');
  });

  it('refuses a folder given as the report file, and a file that exists but cannot be written', () => {
    mkdirSync(tmp.join('dir'));
    expect(() => checkOutputPath(tmp.join('dir'), '--report-json')).toThrow(/EVN_ERR_REPORT_PATH: --report-json .* is a folder, not a file/);
    if (process.getuid?.() === 0) return; // root writes anywhere: the permission cases cannot be made
    writeFileSync(tmp.join('locked.json'), '');
    chmodSync(tmp.join('locked.json'), 0o444);
    expect(() => checkOutputPath(tmp.join('locked.json'), '--report-json')).toThrow(/cannot be written/);
  });

  it('accepts a new file in an existing folder and an existing file it may overwrite, without creating anything', () => {
    expect(() => checkOutputPath(tmp.join('new.json'), '--report-json')).not.toThrow();
    writeFileSync(tmp.join('old.html'), 'x');
    expect(() => checkOutputPath(tmp.join('old.html'), '--report-html')).not.toThrow();
  });
});
