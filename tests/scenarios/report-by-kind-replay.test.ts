/**
 * A real fleet replay (20 homes, four evening hours, tests/fixtures/fleet/fleet-20.yaml) gives figures
 * per device kind that agree with its own tickets, faults and loads, recounted here from the lists;
 * and `evernet replay --report-customers none` writes the same figures without the lists, saying so,
 * prints the per-kind table and renders it first in the HTML report; the HTML report's series are read
 * for the listed customers only when asked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Helpdesk } from '../../helpdesk/service.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { silentLogger } from '../../log/logger.js';
import { collectSeries, type ReportSeries } from '../../scenarios/report-html/collect.js';
import { loadScenario } from '../../scenarios/load.js';
import { FAULT_FINDS, withByKind } from '../../scenarios/report-by-kind.js';
import type { Report } from '../../scenarios/report.js';
import { replay } from '../../scenarios/runner.js';
import { evernet } from '../helpers/cli-capture.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const FILE = 'tests/fixtures/fleet/fleet-20.yaml';
const loaded = loadScenario(FILE);
let full: Report | null = null;

describe('the figures per kind of a fleet replay', () => {
  const tmp = tempDirPerTest('evernet-by-kind-');

  it('agree with the replay’s tickets, faults and loads', async () => {
    let helpdesk: Helpdesk | null = null;
    let series: { all: ReportSeries; two: ReportSeries } | null = null;
    const { report } = await replay({
      scenario: loaded, log: silentLogger(),
      onHelpdesk: (h) => (helpdesk = h),
      // the helpdesk is still up: the series of every customer, and of two
      onReplayed: () => {
        const input = { helpdesk: helpdesk!, devices: loaded.devices, startMs: loaded.startMs, endMs: loaded.endMs, tariff: loadTariff(loaded.tariffPath) };
        series = { all: collectSeries(input), two: collectSeries({ ...input, customers: new Set(['home-0005', 'home-0007']) }) };
      },
    });
    const { all, two } = series!;
    const ofTwo = (x: { customerId: string }) => x.customerId === 'home-0005' || x.customerId === 'home-0007';
    expect(two).toEqual({ devices: all.devices.filter(ofTwo), incidents: all.incidents.filter(ofTwo), loads: all.loads.filter(ofTwo) });
    expect(two.devices.length).toBeGreaterThan(0);
    expect(two.incidents.length).toBeGreaterThan(0);
    expect(two.loads.length).toBeGreaterThan(0);
    // the runner adds byKind once it passes the scenario's devices to buildReport; until then the CLI does, as here
    full = withByKind(report, loaded.devices);
    const b = full.byKind!;
    const kindOf = new Map(loaded.devices.map((d) => [`${d.customerId}/${d.id}`, d.kind]));
    const kind = (x: { customerId: string; deviceId: string }) => kindOf.get(`${x.customerId}/${x.deviceId}`)!;
    const end = Date.parse(full.simulated.end!);

    expect(Object.keys(b)).toEqual(['car-battery', 'fridge', 'washer']);
    for (const [k, x] of Object.entries(b)) {
      expect(x.devices, k).toBe(loaded.devices.filter((d) => d.kind === k).length);
      const faults = full.faults.filter((f) => kind(f) === k && Date.parse(f.injectedAt!) < end);
      const tickets = full.tickets.filter((t) => kind(t) === k);
      expect(x.faults.injected, k).toBe(faults.length);
      expect(x.faults.caught + x.faults.late + x.faults.missed, k).toBe(x.faults.injected);
      // caught: a ticket that finds the fault on its device, between its injection and its noticing
      const caught = faults.filter((f) =>
        tickets.some((t) => t.deviceId === f.deviceId && t.customerId === f.customerId && FAULT_FINDS[f.kind]!.includes(t.kind) && t.openedAt! >= f.injectedAt! && (f.noticeableAt === null || Date.parse(t.openedAt!) <= Date.parse(f.noticeableAt))),
      );
      expect(x.faults.caught, k).toBe(caught.length);
      expect(x.tickets.total, k).toBe(tickets.length);
      expect(Object.values(x.tickets.byKind).reduce((n, c) => n + c, 0), k).toBe(tickets.length);
      const falses = tickets.filter((t) => !faults.some((f) => f.deviceId === t.deviceId && f.customerId === t.customerId && FAULT_FINDS[f.kind]!.includes(t.kind) && f.injectedAt! <= t.openedAt!));
      expect(x.tickets.false, k).toBe(falses.length);
      expect(x.deviceDays, k).toBeCloseTo((x.devices * 4) / 24, 3);
      if (x.leadMinutes) expect(x.leadMinutes.min <= x.leadMinutes.median && x.leadMinutes.median <= x.leadMinutes.p90 && x.leadMinutes.p90 <= x.leadMinutes.max, k).toBe(true);
    }
    // the fixture's failing alternators strike before the commute home: the fleet's cars find some
    expect(b['car-battery']!.faults.injected).toBeGreaterThan(0);
    expect(b['car-battery']!.faults.caught).toBeGreaterThan(0);
    expect(b['car-battery']!.leadMinutes).not.toBeNull();
    expect(b.washer!.loads).toMatchObject({ count: full.loads.length, planned: full.loads.filter((l) => l.plannedStart !== null).length });
  }, 180_000);

  it('are written without the lists with --report-customers none, printed first and drawn first in the HTML report', async () => {
    const r = await evernet('replay', FILE, '--report-customers', 'none', '--report-json', tmp.join('r.json'), '--report-html', tmp.join('r.html'));
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(tmp.join('r.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['scenario', 'seed', 'simulated', 'messages', 'byKind', 'customers', 'problems']);
    expect(json.customers).toBe('omitted (20): --report-customers all lists them');
    // the same seed: the same figures as the replay above
    if (full) expect(json.byKind).toEqual(full.byKind);
    expect(r.out).toMatch(/^By kind \(3\)\n {2}kind +devices +faults/m);
    expect(r.out).toMatch(/^ {2}car-battery +17 /m);
    expect(r.out).toMatch(/^Customers: omitted \(20\): --report-customers all lists them$/m);
    expect(r.out).not.toMatch(/^Tickets/m);
    const html = readFileSync(tmp.join('r.html'), 'utf8');
    expect(html).toContain('<section id="by-kind">');
    expect(html).toContain('<tr data-device-kind="car-battery"><td>car-battery</td><td>17</td>');
    expect(html).not.toContain('<section id="timeline">');
    expect(html).not.toContain('<section id="devices">');
  }, 180_000);

  it('refuses a --report-customers that is not all, none or a count, before replaying', async () => {
    const r = await evernet('replay', FILE, '--report-customers', 'some');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--report-customers must be all, none or a number of customers, got 'some'/);
    expect(r.out).toBe('');
  });
});
