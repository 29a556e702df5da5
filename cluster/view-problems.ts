/**
 * The cluster's problems in the dashboard's view (view.ts): every partition's share of the grouping
 * (helpdesk/problems/regroup.ts: the facts of the tickets it opened, its census of devices per cause,
 * its options) grouped as one helpdesk holding every ticket would group them. Grouped again shortly
 * after facts come (once for a burst: a mass incident's tickets come together); a linked ticket's
 * change only restates its problem (grouping reads no ticket state). A problem new or changed since
 * it was last told is told on the view's live stream.
 */
import type { TicketState } from '../contracts/index.js';
import type { HelpdeskEvent } from '../helpdesk/events.js';
import type { TicketFact } from '../helpdesk/problems/group.js';
import { regroupPlaces, type ProblemFacts } from '../helpdesk/problems/regroup.js';
import { recordOf, type ProblemQuery, type ProblemRecord } from '../helpdesk/problems/store.js';

type Share = Omit<ProblemFacts, 'facts'> & { facts: readonly TicketFact[] };

export interface ViewProblemsOptions {
  /** the state of a ticket the view holds now */
  stateOf(ticketId: string): TicketState | undefined;
  emit(e: Extract<HelpdeskEvent, { type: 'problem' }>): void;
  /** the ids events brought while partition p is read whole (kept when the snapshot misses them) */
  touched(p: number): Set<string> | undefined;
  /** ms a burst of changes is gathered before grouping again; default 20 */
  settleMs?: number;
}

export function createViewProblems(o: ViewProblemsOptions) {
  const shares = new Map<number, { facts: Map<string, TicketFact>; census: ProblemFacts['census']; options: ProblemFacts['options'] }>();
  /** newest first, as last grouped; null: to be grouped again */
  let problems: ProblemRecord[] | null = [];
  /** each problem as last told */
  const told = new Map<string, ProblemRecord>();
  let timer: NodeJS.Timeout | null = null;
  let latest = -Infinity;

  function grouped(): ProblemRecord[] {
    problems ??= regroupPlaces([...shares.values()].map((x) => ({ facts: [...x.facts.values()], census: x.census, options: x.options })), o.stateOf);
    return problems;
  }

  /** what changed since last told, oldest problem first */
  function tell(): void {
    timer = null;
    for (const r of [...grouped()].reverse()) {
      const was = told.get(r.id);
      if (was && JSON.stringify(was) === JSON.stringify(r)) continue;
      told.set(r.id, r);
      const had = new Set(was?.links.map((l) => l.ticketId));
      const added = r.links.filter((l) => !had.has(l.ticketId)).map((l) => l.ticketId);
      const note = !was ? 'opened' : added.length ? `ticket${added.length > 1 ? 's' : ''} ${added.join(', ')} linked` : 'its tickets changed state';
      o.emit({ type: 'problem', at: Math.max(latest, r.openedAt), note, problem: r });
    }
  }

  const soon = (at: number): void => {
    latest = Math.max(latest, at);
    timer ??= setTimeout(tell, o.settleMs ?? 20);
  };
  /** facts came: group every share again */
  const again = (at: number): void => {
    problems = null;
    soon(at);
  };
  /** a ticket changed: only the states of its problem's links (grouping reads no state) */
  function restate(ticketId: string, at: number): void {
    if (!problems) return;
    const i = problems.findIndex((r) => r.links.some((l) => l.ticketId === ticketId));
    if (i < 0) return;
    const r = problems[i]!;
    problems = [...problems];
    problems[i] = recordOf({ ...r, links: r.links.map((l) => ({ ...l, state: o.stateOf(l.ticketId) ?? 'opened' })) });
    soon(at);
  }

  function put(p: number, share: Share, at = -Infinity): void {
    const mine = shares.get(p)?.facts ?? new Map<string, TicketFact>();
    for (const f of share.facts) {
      mine.set(f.ticketId, f);
      o.touched(p)?.add(`f:${f.ticketId}`);
    }
    shares.set(p, { facts: mine, census: share.census, options: share.options });
    again(at);
  }

  return {
    /** a partition's fact event: the ticket it opened, its census now */
    put,
    /** a partition read whole: its facts replace what the view held, but for those events brought meanwhile (`fresh`) */
    replace(p: number, share: Share, fresh: ReadonlySet<string>): void {
      const keep = new Set(share.facts.map((f) => f.ticketId));
      const had = shares.get(p)?.facts;
      if (had) for (const id of had.keys()) if (!keep.has(id) && !fresh.has(`f:${id}`)) had.delete(id);
      put(p, share);
    },
    /** a partition's census read again (devices added or removed since its last fact): grouped again if it changed */
    census(p: number, share: Omit<ProblemFacts, 'facts'>): void {
      const had = shares.get(p);
      if (had && JSON.stringify(had.census) === JSON.stringify(share.census)) return;
      put(p, { ...share, facts: [] });
    },
    /** a ticket changed: a linked ticket's state is its problem's */
    ticketChanged(ticketId: string, at: number): void {
      restate(ticketId, at);
    },
    list(q?: ProblemQuery): ProblemRecord[] {
      const all = grouped().filter((x) => q?.state === undefined || x.state === q.state);
      return q?.limit === undefined ? all : all.slice(0, q.limit);
    },
    get: (id: string): ProblemRecord | null => grouped().find((x) => x.id === id) ?? null,
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
