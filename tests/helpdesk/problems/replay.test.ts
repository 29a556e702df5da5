/**
 * Mass incidents end to end (issue 13, item 4): a fleet of cars of two battery models replays through
 * the real broker and helpdesk; the failing alternators of one model become one problem linking exactly
 * their tickets, every driver is still contacted on their own, the problem is on the helpdesk's
 * database and told live, and the report lists it. Fridges of one area in a heat wave group by place.
 */
import { describe, expect, it } from 'vitest';
import type { HelpdeskEvent } from '../../../helpdesk/events.js';
import { openSqliteProblemStore } from '../../../helpdesk/problems/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';
import { loadScenario } from '../../../scenarios/load.js';
import { replay } from '../../../scenarios/runner.js';
import { tempDirPerTest } from '../../helpers/temp-dir.js';

describe('mass incidents in a replay', () => {
  const tmp = tempDirPerTest('evernet-problems-');

  it('a batch of failing alternators on one battery model becomes one problem linking exactly those tickets, and every customer is still contacted', async () => {
    const loaded = loadScenario('tests/fixtures/problems/battery-batch.yaml');
    const models = new Map(loaded.scenario.customers.flatMap((c) => c.devices.map((d) => [`${c.id}/${d.id}`, d.model])));
    const db = tmp.join('helpdesk.db');
    const seen: Array<Extract<HelpdeskEvent, { type: 'problem' }>> = [];
    const { report } = await replay({
      scenario: loaded, log: silentLogger(), dbPath: db,
      onHelpdesk: (h) => h.on((e) => e.type === 'problem' && seen.push(e)),
    });

    // the fleet: both models, faults on VARTA-60 cars only
    expect(new Set(models.values())).toEqual(new Set(['VARTA-60', 'BOSCH-S4']));
    const faulted = report.faults.map((f) => `${f.customerId}/${f.deviceId}`);
    expect(faulted.length).toBeGreaterThanOrEqual(3);
    expect(faulted.every((k) => models.get(k) === 'VARTA-60')).toBe(true);

    // a ticket for each failing car, and nothing else
    const tickets = report.tickets;
    expect(tickets.map((t) => `${t.customerId}/${t.deviceId}`).sort()).toEqual([...faulted].sort());
    // every customer contacted as always: on the car's display, while driving
    for (const t of tickets) {
      expect(t.contactedAt, t.id).not.toBeNull();
      expect(t.timeline.some((e) => e.step === 'contacted'), t.id).toBe(true);
      expect(t.channel).toBe('car-display');
    }

    // one problem, exactly those tickets, with its cause in a sentence
    expect(report.problems).toHaveLength(1);
    const p = report.problems[0]!;
    expect(p.kind).toBe('battery-discharge');
    expect(p.cause).toEqual({ attr: 'model', value: 'VARTA-60' });
    expect([...p.ticketIds].sort()).toEqual(tickets.map((t) => t.id).sort());
    expect(p.explanation).toMatch(new RegExp(`^${tickets.length} battery-discharge tickets on cars with batteries 'VARTA-60' within \\d+ min$`));
    // opened when the third ticket was
    const opened = tickets.map((t) => t.openedAt!).sort();
    expect(p.openedAt).toBe(opened[2]);
    expect(p.state).toBe('resolved');

    // told live: opened once, then each later ticket linked, and states as the tickets moved
    expect(seen.filter((e) => e.note === 'opened')).toHaveLength(1);
    expect(seen.filter((e) => e.note.endsWith('linked'))).toHaveLength(tickets.length - 3);
    expect(seen.at(-1)!.problem).toMatchObject({ id: p.id, state: 'resolved', openTickets: 0 });

    // and on the helpdesk's database
    const store = openSqliteProblemStore({ path: db });
    try {
      expect(store.list().map((x) => x.id)).toEqual([p.id]);
      expect(store.get(p.id)!.links.map((l) => l.ticketId)).toEqual(p.ticketIds);
    } finally {
      store.close();
    }
  }, 120_000);

  it('fridges failing in one area in a heat wave, of no known model, become one problem of that area', async () => {
    const { report } = await replay({ scenario: loadScenario('tests/fixtures/problems/heat-wave-area.yaml'), log: silentLogger() });
    const faulted = report.faults.map((f) => `${f.customerId}/${f.deviceId}`).sort();
    expect(faulted.length).toBeGreaterThanOrEqual(3);
    expect(report.tickets.map((t) => `${t.customerId}/${t.deviceId}`).sort()).toEqual(faulted);
    for (const t of report.tickets) {
      expect(t.kind).toBe('fridge-warm');
      expect(t.contactedAt, t.id).not.toBeNull();
    }
    expect(report.problems).toHaveLength(1);
    const p = report.problems[0]!;
    expect(p.cause.attr).toBe('area');
    expect([...p.ticketIds].sort()).toEqual(report.tickets.map((t) => t.id).sort());
    expect(p.explanation).toMatch(new RegExp(`^${report.tickets.length} fridge-warm tickets on fridges in the area around 50\\.88°N 6\\.88°E within \\d+ min$`));
  }, 120_000);
});
