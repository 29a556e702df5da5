/**
 * Where problems live: each problem with its linked tickets and the state each ticket is in (so a
 * problem's state needs no ticket read). openSqliteProblemStore (sqlite-store.ts) keeps them in the
 * helpdesk's database; createMemoryProblemStore() here keeps them in the process (tests, callers
 * without a database). Both give the same answers.
 */
import type { TicketState } from '../../contracts/index.js';
import type { Problem, ProblemLink } from './group.js';

/** 'open' while a linked ticket is not resolved */
export const PROBLEM_STATES = ['open', 'resolved'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export type StoredLink = ProblemLink & { state: TicketState };

export type ProblemRecord = Omit<Problem, 'links'> & {
  links: StoredLink[];
  state: ProblemState;
  /** linked tickets not resolved */
  openTickets: number;
};

export interface ProblemQuery {
  state?: ProblemState;
  /** at most this many, newest (openedAt) first; default all */
  limit?: number;
}

export interface ProblemStore {
  /** inserts or updates the problem; links are added (never removed), each with its ticket's state */
  save(p: Problem, stateOf: (ticketId: string) => TicketState): ProblemRecord;
  /** a linked ticket changed state: the problem it is in, updated (null: the ticket is in none, or was in that state already) */
  setTicketState(ticketId: string, state: TicketState): ProblemRecord | null;
  get(id: string): ProblemRecord | null;
  /** newest first (openedAt, then id) */
  list(q?: ProblemQuery): ProblemRecord[];
  problemOf(ticketId: string): string | null;
  /** problems whose last ticket was opened at or after `since` (a restart picks them up to go on grouping) */
  recent(since: number): ProblemRecord[];
  /** how many problems each key has had */
  counts(): Record<string, number>;
  close(): void;
}

/** the record's derived fields from its links */
export function recordOf(p: Omit<ProblemRecord, 'state' | 'openTickets'>): ProblemRecord {
  const openTickets = p.links.filter((l) => l.state !== 'resolved').length;
  return { ...p, state: openTickets > 0 ? 'open' : 'resolved', openTickets };
}

export const newestFirst = (a: Pick<Problem, 'openedAt' | 'id'>, b: Pick<Problem, 'openedAt' | 'id'>): number =>
  b.openedAt - a.openedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function createMemoryProblemStore(): ProblemStore {
  const problems = new Map<string, ProblemRecord>();
  const ofTicket = new Map<string, string>();
  const counts = new Map<string, number>();
  const copy = (p: ProblemRecord): ProblemRecord => structuredClone(p);
  return {
    save(p, stateOf) {
      const had = problems.get(p.id);
      const states = new Map(had?.links.map((l) => [l.ticketId, l.state]));
      const r = recordOf({ ...p, links: p.links.map((l) => ({ ...l, state: states.get(l.ticketId) ?? stateOf(l.ticketId) })) });
      problems.set(p.id, r);
      for (const l of p.links) ofTicket.set(l.ticketId, p.id);
      const n = Number(p.id.slice(p.id.lastIndexOf('-') + 1));
      counts.set(p.key, Math.max(counts.get(p.key) ?? 0, n));
      return copy(r);
    },
    setTicketState(ticketId, state) {
      const id = ofTicket.get(ticketId);
      const p = id ? problems.get(id) : undefined;
      if (!p || p.links.some((l) => l.ticketId === ticketId && l.state === state)) return null;
      const r = recordOf({ ...p, links: p.links.map((l) => (l.ticketId === ticketId ? { ...l, state } : l)) });
      problems.set(r.id, r);
      return copy(r);
    },
    get: (id) => {
      const p = problems.get(id);
      return p ? copy(p) : null;
    },
    list(q = {}) {
      const all = [...problems.values()].filter((p) => q.state === undefined || p.state === q.state).sort(newestFirst);
      return (q.limit === undefined ? all : all.slice(0, q.limit)).map(copy);
    },
    problemOf: (ticketId) => ofTicket.get(ticketId) ?? null,
    recent: (since) => [...problems.values()].filter((p) => p.lastAt >= since).sort(newestFirst).map(copy),
    counts: () => Object.fromEntries(counts),
    close: () => undefined,
  };
}
