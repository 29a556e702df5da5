/**
 * Problems of tickets held in several places (helpdesk/problems/regroup.ts, a cluster's partitions):
 * the facts and censuses of each partition's own customers, put together, group as the one embedded
 * helpdesk grouped every ticket — the same ids, links, thresholds and states — and a partition alone
 * would not.
 */
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../../contracts/index.js';
import { newestFirst, type ProblemRecord } from '../../../helpdesk/problems/store.js';
import type { Ticket } from '../../../helpdesk/tickets/lifecycle.js';
import { censusOf, factsOf, regroup, sumCensus } from '../../../helpdesk/problems/regroup.js';
import { silentLogger } from '../../../log/logger.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';
import { replay } from '../../../scenarios/runner.js';

const P = 4;

/** the embedded run's tickets and problems as they ended (the last of each told live) */
async function embedded(file: string) {
  const loaded = loadScenario(file);
  const tickets = new Map<string, Ticket>();
  const problems = new Map<string, ProblemRecord>();
  await replay({
    scenario: loaded, log: silentLogger(),
    onHelpdesk: (h) => h.on((e) => {
      if (e.type === 'ticket') tickets.set(e.ticket.id, structuredClone(e.ticket));
      if (e.type === 'problem') problems.set(e.problem.id, structuredClone(e.problem));
    }),
  });
  return { problems: [...problems.values()].sort(newestFirst), tickets: [...tickets.values()], customers: directoryOf(loaded).customers };
}

/** what each partition knows: its own customers' tickets (facts) and devices (census) */
function partitions(run: Awaited<ReturnType<typeof embedded>>) {
  return Array.from({ length: P }, (_, p) => {
    const customers = run.customers.filter((c) => partitionOf(c.id, P) === p);
    const byId = new Map(customers.map((c) => [c.id, c]));
    const directory = {
      customer: (id: string) => byId.get(id),
      device: (c: string, d: string) => byId.get(c)?.devices.find((x) => x.id === d),
    };
    const tickets = run.tickets.filter((t) => byId.has(t.customerId));
    return { tickets, facts: factsOf(tickets, directory), census: censusOf(customers) };
  });
}

describe('problems of tickets held by several partitions', () => {
  for (const file of ['tests/fixtures/problems/battery-batch.yaml', 'tests/fixtures/problems/heat-wave-area.yaml']) {
    it(`${file.split('/').pop()}: every partition's facts and census together group as the embedded helpdesk did`, async () => {
      const run = await embedded(file);
      expect(run.problems.length).toBeGreaterThan(0);
      const parts = partitions(run);
      // the incident spans partitions: none holds all its tickets
      const holding = parts.filter((x) => x.tickets.length > 0);
      expect(holding.length).toBeGreaterThan(1);
      const state = new Map(run.tickets.map((t) => [t.id, t.state]));
      const together = regroup(parts.flatMap((x) => x.facts), sumCensus(parts.map((x) => x.census)), (id) => state.get(id));
      expect(together).toEqual(run.problems);
      // each partition alone groups differently: fewer tickets a problem, or none
      const alone = parts.flatMap((x) => regroup(x.facts, x.census, (id) => state.get(id)));
      expect(alone).not.toEqual(run.problems);
    }, 120_000);
  }

  it('the census counts each device once per cause, and sums across partitions', () => {
    const home = { lat: 50.94, lon: 6.96 };
    const a = censusOf([{ home, devices: [{ kind: 'car-battery', model: 'VARTA-60' }, { kind: 'fridge' }] }]);
    const b = censusOf([{ home, devices: [{ kind: 'car-battery', model: 'VARTA-60' }] }, { devices: [{ kind: 'car-battery', model: 'BOSCH-S4' }] }]);
    expect(Object.fromEntries(sumCensus([a, Object.fromEntries(b)]))).toEqual({
      'car-battery|model|VARTA-60': 2,
      'car-battery|model|BOSCH-S4': 1,
      'car-battery|area|203:27@0.25': 2,
      'fridge|area|203:27@0.25': 1,
    });
  });
});
