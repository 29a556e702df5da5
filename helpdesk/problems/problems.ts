/**
 * Mass incidents in the helpdesk: every ticket the helpdesk opens is handed to the grouping
 * (group.ts) with its likely causes, read from the directory (the device's model, the customer's home);
 * a problem opened or grown is stored and told on the event bus, and so is a linked ticket's change of
 * state. Grouping only reads tickets: it never holds back a contact or changes a ticket.
 */
import type { Logger } from 'pino';
import { ERR, type TicketState } from '../../contracts/index.js';
import { isFatalStorageError } from '../../storage/sqlite.js';
import type { IndexedDirectory } from '../directory.js';
import type { Events } from '../events.js';
import type { Ticket } from '../tickets/lifecycle.js';
import { causesOf, createGrouping, DEFAULT_GROUP_OPTIONS, type GroupingSnapshot, type GroupOptions, type Grouping } from './group.js';
import { censusOf, factsOf, populate, type Census, type ProblemFacts } from './regroup.js';
import { createMemoryProblemStore, type ProblemQuery, type ProblemRecord, type ProblemStore } from './store.js';

export interface ProblemsDeps {
  /** default in memory (createMemoryProblemStore) */
  store?: ProblemStore;
  /** window, threshold, area cell; defaults in group.ts */
  grouping?: Partial<GroupOptions>;
  /** false: tickets are not grouped here (a cluster's partition: the cluster groups every partition's facts); default true */
  group?: boolean;
  directory: IndexedDirectory;
  events: Events;
  log: Logger;
  /** the state a ticket is in now (for tickets linked retroactively) */
  ticketState(ticketId: string): TicketState | undefined;
}

export function createProblems(deps: ProblemsDeps) {
  const store = deps.store ?? createMemoryProblemStore();
  const options = { ...DEFAULT_GROUP_OPTIONS, ...deps.grouping };
  let grouping: Grouping | null = null;

  /** the grouping, seeded with the problems that may still grow (stored ones, after a restart) */
  function ready(now: number): Grouping {
    grouping ??= createGrouping(options, { problems: store.recent(now - 2 * options.windowMs), counts: store.counts() });
    return grouping;
  }

  /**
   * How many devices of each kind share each cause: one pass over the directory, kept while its list of
   * customers is the same (the directory builds a new list when a customer or device changes).
   */
  let census: { of: readonly unknown[]; counts: Census } | null = null;
  function populations(): Census {
    const customers = deps.directory.customers;
    if (census?.of !== customers) census = { of: customers, counts: censusOf(customers, options.areaDeg) };
    return census.counts;
  }

  function opened(t: Ticket, at: number): void {
    const device = deps.directory.device(t.customerId, t.deviceId);
    if (!device) return;
    const customer = deps.directory.customer(t.customerId);
    const causes = populate(causesOf(device, customer?.home, options.areaDeg), device.kind, populations());
    if (!causes.length) return;
    const step = ready(at).add({ ticketId: t.id, kind: t.kind, deviceKind: device.kind, openedAt: t.openedAt, causes });
    for (const p of step.changed) {
      const stateOf = (id: string): TicketState => (id === t.id ? t.state : deps.ticketState(id) ?? 'opened');
      const record = store.save(p, stateOf);
      if (step.opened) deps.log.info({ problemId: p.id, kind: p.kind, cause: p.cause.value, tickets: p.links.length }, 'problem opened');
      deps.events.emit({ type: 'problem', at, problem: record, note: step.opened ? 'opened' : `ticket ${t.id} linked` });
    }
  }

  return {
    /**
     * A ticket was opened or changed (the core's onTicket). A failure here is logged and the ticket goes
     * on (its contact comes next): grouping never stands in a ticket's way. A broken database is the
     * exception: thrown, so the helpdesk stops as it does for any store.
     */
    ticket(t: Ticket, at: number, note: string): void {
      if (deps.group === false) return;
      try {
        if (note === 'opened') return opened(t, at);
        const record = store.setTicketState(t.id, t.state);
        if (record) deps.events.emit({ type: 'problem', at, problem: record, note: `ticket ${t.id} ${t.state}` });
      } catch (e) {
        if (isFatalStorageError(e)) throw e;
        deps.log.error({ code: ERR.INTERNAL, err: e, ticketId: t.id }, 'grouping a ticket into problems failed: the ticket goes on without it');
      }
    },
    /** after a restart: go on grouping with the stored problems that may still grow */
    resume(now: number): void {
      ready(now);
    },
    /** the grouping in a checkpoint (helpdesk/checkpoint.ts); null: not made yet (it is made from the store when first needed) */
    snapshot: (): GroupingSnapshot | null => grouping?.snapshot() ?? null,
    restore(s: GroupingSnapshot | null): void {
      grouping = null;
      if (s) (grouping = createGrouping(options)).restore(s);
    },
    list: (q?: ProblemQuery): ProblemRecord[] => store.list(q),
    get: (id: string): ProblemRecord | null => store.get(id),
    problemOf: (ticketId: string): string | null => store.problemOf(ticketId),
    held: () => grouping?.held() ?? { waiting: 0, joinable: 0 },
    /** what grouping needs of these tickets, this directory's census and the options: for grouping them with other places' (regroup.ts) */
    facts: (tickets: Iterable<Ticket>): ProblemFacts => ({ facts: factsOf(tickets, deps.directory, options.areaDeg), census: Object.fromEntries(populations()), options: { ...options } }),
  };
}
export type Problems = ReturnType<typeof createProblems>;
