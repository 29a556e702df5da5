/**
 * A weak cell seen through the whole stack with sparse telemetry: `evernet replay` of a car that sends
 * telemetry every 60 s, so no sample lands inside its 2-second crank; the crank event reaches the
 * helpdesk and opens battery-weak at the crank.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

const CLI = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TARIFF = fileURLToPath(new URL('../../../data/de-day-ahead-2020.csv', import.meta.url));

const scenario = `name: weak-cell-sparse
title: A weak cell, telemetry every minute
start: "2020-11-02T07:00:00+01:00"
end: "2020-11-02T07:45:00+01:00"
seed: 3
telemetryEveryS: 60
tariff: ${JSON.stringify(TARIFF)}
customers:
  - id: maria
    name: Maria
    home: { lat: 50.94, lon: 6.96 }
    preferences: { channels: [app-push] }
    devices:
      - id: car
        kind: car-battery
        name: Car
        params:
          trips: [{ start: "2020-11-02T07:30:00+01:00", end: "2020-11-02T07:40:00+01:00" }]
          faults: [{ kind: weak-cell, at: "2020-11-02T07:00:00+01:00", overDays: 0 }]
expect:
  tickets:
    - { customer: maria, device: car, kind: battery-weak, opened: { from: "2020-11-02T07:30:00+01:00", to: "2020-11-02T07:31:00+01:00" } }
  noOtherTickets: true
`;

describe('battery-weak through the helpdesk with telemetry every 60 s', () => {
  const tmp = tempDirPerTest('evernet-weak-');

  it('opens the ticket at the crank from its crank event', () => {
    const file = tmp.join('weak.yaml');
    writeFileSync(file, scenario);
    const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'replay', file, '--report-json', tmp.join('r.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(tmp.join('r.json'), 'utf8'));
    expect(report.tickets.map((t: { kind: string }) => t.kind)).toEqual(['battery-weak']);
  }, 60_000);
});
