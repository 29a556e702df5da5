/**
 * The cluster's problems in the dashboard's view (view.ts): every partition's share of the grouping
 * (helpdesk/problems/regroup.ts: the facts of the tickets it opened, its census of devices per cause,
 * its options) grouped as one helpdesk holding every ticket would group them. Grouped again shortly
 * after facts come (once for a burst: a mass incident's tickets come together); a linked ticket's
 * change only restates its problem (grouping reads no ticket state). A problem new or changed since
 * it was last told is told on the view's live stream.
 *
 * Each ticket is populated with the cluster's census as it was when the ticket opened, as one helpdesk
 * populates a ticket when it opens it: the view keeps each partition's census as it changed, in event
 * time (`CENSUS_KEPT` changes a partition; an older ticket gets the oldest kept), so a problem once
 * opened stays when devices are added to the fleet later. What the view read at its start is the
 * census of every ticket opened before.
 */
import type { TicketState } from '../contracts/index.js';
import type { HelpdeskEvent } from '../helpdesk/events.js';
import type { TicketFact } from '../helpdesk/problems/group.js';
import { regroup, sumCensus, type Census, type ProblemFacts } from '../helpdesk/problems/regroup.js';
import { recordOf, type ProblemQuery, type ProblemRecord } from '../helpdesk/problems/store.js';

type Share = Omit<ProblemFacts, 'facts'> & { facts: readonly TicketFact[] };

/** the changes of one partition's census a view keeps */
export const CENSUS_KEPT = 64;

/** a partition's census as it changed, oldest first: at an event time, from then on */
type CensusHistory = Array<{ at: number; census: ProblemFacts['census'] }>;

/** which of its kept changes holds at event time t: the last at or before t, else the oldest */
function changeAt(h: CensusHistory, t: number): number {
  let i = h.length - 1;
  while (i > 0 && h[i]!.at > t) i--;
  return i;
}

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
  const shares = new Map<number, { facts: Map<string, TicketFact>; census: CensusHistory; options: ProblemFacts['options'] }>();
  /** newest first, as last grouped; null: to be grouped again */
  let problems: ProblemRecord[] | null = [];
  /** each problem as last told */
  const told = new Map<string, ProblemRecord>();
  let timer: NodeJS.Timeout | null = null;
  let latest = -Infinity;

  function grouped(): ProblemRecord[] {
    if (problems) return problems;
    const all = [...shares.values()];
    if (!all.length) return (problems = []);
    // the cluster's census at a ticket's opening, summed once for each combination of the partitions' changes
    const sums = new Map<string, Census>();
    const at = (t: number): Census => {
      const which = all.map((x) => changeAt(x.census, t));
      const key = which.join();
      let sum = sums.get(key);
      if (!sum) sums.set(key, (sum = sumCensus(which.map((i, k) => all[k]!.census[i]!.census))));
      return sum;
    };
    problems = regroup(all.flatMap((x) => [...x.facts.values()]), at, o.stateOf, all[0]!.options);
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

  /** the partition's census from event time `at` on (kept only when it changed) */
  function record(p: number, census: ProblemFacts['census'], at: number): CensusHistory {
    const h = shares.get(p)?.census ?? [];
    const last = h[h.length - 1];
    if (last && JSON.stringify(last.census) === JSON.stringify(census)) return h;
    // a census read late for an earlier time (events cross): kept in event-time order
    let i = h.length;
    while (i > 0 && h[i - 1]!.at > at) i--;
    h.splice(i, 0, { at, census });
    if (h.length > CENSUS_KEPT) h.splice(1, 1);
    return h;
  }

  function put(p: number, share: Share, at: number): void {
    const mine = shares.get(p)?.facts ?? new Map<string, TicketFact>();
    for (const f of share.facts) {
      mine.set(f.ticketId, f);
      o.touched(p)?.add(`f:${f.ticketId}`);
    }
    shares.set(p, { facts: mine, census: record(p, share.census, at), options: share.options });
    again(at);
  }

  return {
    /** a partition's fact event: the ticket it opened, its census now */
    put,
    /** a partition read whole at event time `at`: its facts replace what the view held, but for those events brought meanwhile (`fresh`) */
    replace(p: number, share: Share, fresh: ReadonlySet<string>, at: number): void {
      const keep = new Set(share.facts.map((f) => f.ticketId));
      const had = shares.get(p)?.facts;
      if (had) for (const id of had.keys()) if (!keep.has(id) && !fresh.has(`f:${id}`)) had.delete(id);
      put(p, share, at);
    },
    /** a partition's census read again at event time `at` (devices added or removed since its last fact): kept, and grouped again, if it changed */
    census(p: number, share: Omit<ProblemFacts, 'facts'>, at: number): void {
      const had = shares.get(p)?.census;
      if (had?.length && JSON.stringify(had[had.length - 1]!.census) === JSON.stringify(share.census)) return;
      put(p, { ...share, facts: [] }, at);
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
