/**
 * A conventional command line (issue 12, item 7): `evernet COMMAND --help` and `evernet help COMMAND`
 * print the command's usage on stdout with exit code 0 for every command (`evernet board --help`
 * exited 2); `evernet check FILE` validates a scenario without running it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.js';
import { COMMANDS_HELP, USAGE } from '../../cli/usage.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { evernet } from '../helpers/cli-capture.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));


describe('help', () => {
  it('every command has a help entry, and the overview names each', () => {
    expect(Object.keys(COMMANDS_HELP).sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const c of Object.keys(COMMANDS)) expect(USAGE).toContain(`evernet ${c} `);
  });

  it.each(Object.keys(COMMANDS))('evernet %s --help, -h and evernet help %s: its usage on stdout, exit 0', async (command) => {
    const help = await evernet(command, '--help');
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(new RegExp(`^Usage:\\n  evernet ${command}\\b`));
    expect(await evernet('help', command)).toEqual(help);
    expect(await evernet(command, '-h')).toEqual(help);
    // whatever else is on the line: help wins, nothing runs
    expect(await evernet(command, 'list', '--db', '/nonexistent/x.db', '--help')).toEqual(help);
  });

  it('evernet help and evernet --help print the overview (exit 0); no command at all is a usage mistake (exit 2)', async () => {
    expect(await evernet('help')).toMatchObject({ code: 0, out: USAGE });
    expect(await evernet('--help')).toMatchObject({ code: 0, out: USAGE });
    expect(await evernet()).toMatchObject({ code: 2, out: USAGE });
  });

  it('help for an unknown command, and an unknown option, are usage mistakes (exit 2)', async () => {
    expect(await evernet('help', 'toaster')).toMatchObject({ code: 2, err: expect.stringMatching(/^evernet: no command 'toaster'/) });
    expect(await evernet('check', '--nope')).toMatchObject({ code: 2, err: expect.stringMatching(/^evernet: Unknown option '--nope'/) });
    // an argument after -- is not a request for help
    expect((await evernet('check', '--', '--help')).code).toBe(1);
  });

  it('evernet board --help as a real process: exit 0, the usage on stdout', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'board', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}evernet board --config FILE/);
  });
});

describe('evernet check FILE', () => {
  const tmp = tempDirPerTest('evernet-cli-check-');

  it('says each bundled scenario is valid, with what it holds (exit 0)', async () => {
    const r = await evernet('check', 'scenarios/day-in-2020.yaml', 'scenarios/healthy-day.yaml');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^scenarios\/day-in-2020\.yaml: valid \(1 customer, 3 devices, 2020-11-02T08:00:00\+01:00 for 24 h/m);
    expect(r.out).toMatch(/^scenarios\/healthy-day\.yaml: valid/m);
  });

  it('lists the coded errors of a broken file with file:line:col (exit 1), and still checks the others', async () => {
    const broken = tmp.join('broken.yaml');
    writeFileSync(broken, readFileSync('scenarios/day-in-2020.yaml', 'utf8').replace('faults:', 'fault:').replace('tariff: ../data/', `tariff: ${ROOT}data/`));
    const r = await evernet('check', broken, 'scenarios/heat-wave.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`evernet: EVN_ERR_SCENARIO: ${broken} is not a valid scenario:`);
    expect(r.err).toMatch(/broken\.yaml:\d+:\d+ customers\.0\.devices\.0\.params\.fault: unknown key 'fault' \(did you mean 'faults'\?\)/);
    expect(r.out).toMatch(/^scenarios\/heat-wave\.yaml: valid/m);
  });

  it('refuses a scenario whose tariff file is missing, which the replay would find only after starting', async () => {
    const file = tmp.join('no-tariff.yaml');
    writeFileSync(file, readFileSync('scenarios/day-in-2020.yaml', 'utf8'));
    const r = await evernet('check', file);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/^evernet: EVN_ERR_TARIFF: cannot read .*de-day-ahead-2020\.csv/);
  });

  it('prints the warnings of a valid file: what would not play', async () => {
    const file = tmp.join('evening.yaml');
    writeFileSync(file, readFileSync('scenarios/healthy-day.yaml', 'utf8').replace(/^end: .*$/m, 'end: "2020-11-02T19:00:00+01:00"').replace('tariff: ../data/', `tariff: ${ROOT}data/`));
    const r = await evernet('check', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid \(.*1 warning\)\n {2}warning: .*evening\.yaml:\d+:\d+ customers\.0\.devices\.2\.params\.loads\.0\.at: 2020-11-02T20:30:00\+01:00 is after the scenario's end/);
  });

  it('needs a file (exit 2)', async () => {
    expect(await evernet('check')).toMatchObject({ code: 2, err: expect.stringMatching(/check needs a scenario file/) });
  });
});
