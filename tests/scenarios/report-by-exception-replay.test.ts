/**
 * Detection on sparse, irregular telemetry, through the whole replay (real broker, agents, helpdesk):
 * 10 homes and one more fridge for a day (tests/fixtures/fleet/rbe-10.yaml), sensors read every 10 s,
 * reporting by exception with a 15-minute heartbeat; then the same world (same samples) reporting
 * every 60 s. In both every injected fault (failing alternators, parasitic drains, compressor
 * failures, a door ajar, heater failures, a blocked drain) and a door held open get their ticket,
 * healthy devices none, and no quiet device is taken for offline; by exception with a fraction of the
 * messages and each customer contacted within minutes of when the 60-s world contacts them.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SILENCE_KIND } from '../../helpdesk/detect/silence.js';
import { silentLogger } from '../../log/logger.js';
import { loadScenario, parseScenario, type LoadedScenario } from '../../scenarios/load.js';
import { finds } from '../../scenarios/report-by-kind.js';
import type { Report } from '../../scenarios/report.js';
import { replay } from '../../scenarios/runner.js';

const FILE = 'tests/fixtures/fleet/rbe-10.yaml';
const EXCEPTION = 'telemetry: { mode: exception, heartbeatS: 900 }';
/** the door held open on purpose: a ticket with no fault behind it */
const HELD_OPEN = { customerId: 'held-open', deviceId: 'fridge', kind: 'fridge-door-open' };

const runs: { exception?: Report; periodic?: Report } = {};
const key = (x: { customerId: string; deviceId: string }) => `${x.customerId}/${x.deviceId}`;

async function run(loaded: LoadedScenario): Promise<Report> {
  return (await replay({ scenario: loaded, log: silentLogger() })).report;
}

beforeAll(async () => {
  const text = readFileSync(FILE, 'utf8');
  expect(text).toContain(EXCEPTION);
  runs.exception = await run(loadScenario(FILE));
  runs.periodic = await run(parseScenario(text.replace(EXCEPTION, 'telemetry: { mode: periodic }'), FILE));
}, 300_000);

/** each fault with the first ticket on its device that finds it; tickets that find no fault */
function judge(r: Report) {
  const faults = r.faults.map((f) => ({ ...f, ticket: r.tickets.find((t) => key(t) === key(f) && finds(f.kind, t.kind) && Date.parse(t.openedAt!) >= Date.parse(f.injectedAt!)) }));
  const justified = (t: Report['tickets'][number]) =>
    faults.some((f) => f.ticket === t) || (t.customerId === HELD_OPEN.customerId && t.deviceId === HELD_OPEN.deviceId && t.kind === HELD_OPEN.kind);
  return { faults, unjustified: r.tickets.filter((t) => !justified(t)) };
}

describe.each(['exception', 'periodic'] as const)('a day of 10 homes reporting %s', (mode) => {
  it('gives every injected fault its ticket and the door held open its own', () => {
    const r = runs[mode]!;
    const { faults } = judge(r);
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(['failing-alternator', 'parasitic-drain', 'compressor-failure', 'door-ajar', 'heater-failure', 'drain-blocked']));
    expect(faults.filter((f) => !f.ticket).map((f) => `${key(f)} ${f.kind}`)).toEqual([]);
    expect(r.tickets.filter((t) => key(t) === key(HELD_OPEN) && t.kind === HELD_OPEN.kind)).toHaveLength(1);
  });

  it('opens no ticket on a healthy device, and takes no quiet device for offline', () => {
    const r = runs[mode]!;
    expect(judge(r).unjustified.map((t) => `${key(t)} ${t.kind} ${t.openedAt}`)).toEqual([]);
    expect(r.tickets.filter((t) => t.kind === SILENCE_KIND)).toEqual([]);
    expect(r.messages).toMatchObject({ rejected: 0, duplicates: 0, gaps: 0 });
  });
});

describe('report by exception against every 60 s', () => {
  it('sends a fifth of the messages or fewer', () => {
    expect(runs.exception!.messages.published).toBeLessThan(runs.periodic!.messages.published / 5);
  });

  it('contacts each customer within 10 minutes of when the 60-s world does', () => {
    const contacted = (r: Report) => new Map(r.tickets.map((t) => [`${key(t)} ${t.kind}`, Date.parse(t.contactedAt!)]));
    const e = contacted(runs.exception!);
    const p = contacted(runs.periodic!);
    expect([...e.keys()].sort()).toEqual([...p.keys()].sort());
    for (const [k, at] of e) expect(Math.abs(at - p.get(k)!) / 60_000, k).toBeLessThanOrEqual(10);
  });
});
