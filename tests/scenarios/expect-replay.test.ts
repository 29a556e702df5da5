/**
 * `evernet replay` as a real process on a short scenario with an `expect:` block: the results are
 * listed after the summary, go into --report-json, and a failed expectation gives exit code 3 with
 * EVN_ERR_EXPECTATION; all met gives 0; a scenario without a block keeps its report as it was.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARIFF = fileURLToPath(new URL('../../data/de-day-ahead-2020.csv', import.meta.url));

/** twenty quiet minutes of one healthy fridge */
const scenario = (expectBlock: string): string => `name: quiet-fridge
title: Twenty quiet minutes
start: "2020-11-02T12:00:00+01:00"
end: "2020-11-02T12:20:00+01:00"
seed: 3
tariff: ${JSON.stringify(TARIFF)}
customers:
  - id: maria
    name: Maria
    home: { lat: 50.94, lon: 6.96 }
    preferences: { channels: [app-push] }
    devices:
      - { id: fridge, kind: fridge, name: Fridge, params: { randomDoorOpeningsPerDay: 0 } }
${expectBlock}`;

const replay = (file: string, json: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, 'replay', file, '--report-json', json], { cwd: ROOT, encoding: 'utf8' });

describe('evernet replay with expectations', () => {
  const tmp = tempDirPerTest('evernet-expect-');

  it('lists what failed, writes the results into the report and exits 3', () => {
    const file = tmp.join('fails.yaml');
    writeFileSync(file, scenario(`expect:
  tickets:
    - { customer: maria, device: fridge, kind: fridge-door-open, opened: { from: "2020-11-02T12:05:00+01:00", to: "2020-11-02T12:10:00+01:00" } }
  noOtherTickets: true
`));
    const run = replay(file, tmp.join('report.json'));
    expect(run.stderr).toContain(`evernet: EVN_ERR_EXPECTATION: 1 of 2 expectations of ${file} failed (listed above)`);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain(
      [
        'Expectations: 1 of 2 failed',
        '  ✗ tickets.0: expected a fridge-door-open ticket for maria/fridge opened 12:05–12:10, got no ticket for that device',
        '  ✓ noOtherTickets: expected no other tickets, got none',
      ].join('\n'),
    );
    // after the summary
    expect(run.stdout.indexOf('Expectations:')).toBeGreaterThan(run.stdout.indexOf('Messages:'));
    const report = JSON.parse(readFileSync(tmp.join('report.json'), 'utf8'));
    expect(Object.keys(report).at(-1)).toBe('expectations');
    expect(report.expectations).toEqual([
      { path: 'tickets.0', ok: false, text: 'expected a fridge-door-open ticket for maria/fridge opened 12:05–12:10, got no ticket for that device' },
      { path: 'noOtherTickets', ok: true, text: 'expected no other tickets, got none' },
    ]);
  }, 60_000);

  it('exits 0 when every expectation is met; without a block the report has no expectations', () => {
    const met = tmp.join('met.yaml');
    writeFileSync(met, scenario('expect:\n  noOtherTickets: true\n'));
    const run = replay(met, tmp.join('met.json'));
    expect(run.stderr).not.toContain('EVN_ERR');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Expectations: all 1 met\n  ✓ noOtherTickets: expected no other tickets, got none');
    const withBlock = JSON.parse(readFileSync(tmp.join('met.json'), 'utf8'));
    expect(withBlock.expectations).toEqual([{ path: 'noOtherTickets', ok: true, text: 'expected no other tickets, got none' }]);

    const plain = tmp.join('plain.yaml');
    writeFileSync(plain, scenario(''));
    const bare = replay(plain, tmp.join('plain.json'));
    expect(bare.status).toBe(0);
    expect(bare.stdout).not.toContain('Expectations');
    const without = JSON.parse(readFileSync(tmp.join('plain.json'), 'utf8'));
    expect(without).not.toHaveProperty('expectations');
    // the block adds its results and changes nothing else in the report
    const { expectations: _, ...rest } = withBlock;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(without));
  }, 60_000);

  it('refuses a block that does not validate before replaying anything (exit 1, EVN_ERR_SCENARIO)', () => {
    const bad = tmp.join('bad.yaml');
    writeFileSync(bad, scenario('expect:\n  tickets:\n    - { customer: maria, device: fridge, kind: fridge-door-open, chanel: sms }\n'));
    const run = replay(bad, tmp.join('bad.json'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/EVN_ERR_SCENARIO: .*\n.*bad\.yaml:16:\d+ expect\.tickets\.0\.chanel: unknown key 'chanel' \(did you mean 'channel'\?\)/);
  }, 60_000);
});
