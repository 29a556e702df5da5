/**
 * Mass incidents, pure: many tickets of one kind with one likely cause in a short window become one
 * *problem* with linked tickets. No I/O, no clock: every decision reads the tickets' event times.
 *
 * A ticket's likely causes, most specific first: the device's model (`model`), then the customer's
 * area (a grid cell of `areaDeg` degrees around the home). Each gives a key (ticket kind, cause).
 *
 *   join   a ticket joins the problem of one of its keys (first by cause order) when it was opened
 *          within `windowMs` of the problem's tickets (from firstAt − window to lastAt + window);
 *   open   otherwise it waits; when `threshold` waiting tickets of one key lie within one window, and
 *          at least `minShare` of the devices that share the cause (its population, where known), a
 *          problem opens with every waiting ticket of that key chained to them (gaps ≤ window): the
 *          earlier tickets are linked retroactively. The share keeps a large fleet's ordinary tickets
 *          (a few a day in every city) from looking like a mass incident;
 *   forget a waiting ticket older than two windows behind the newest ticket seen is forgotten.
 *
 * A ticket belongs to at most one problem; grouping never touches the ticket itself (its customer is
 * contacted as always). Order of arrival: for tickets of one key opened within one window of each
 * other, any arrival order gives the same problem (id, tickets, openedAt); a problem's `openedAt` is
 * the event time its threshold was met (the opening of its `threshold`-th earliest ticket).
 */
import { createHash } from 'node:crypto';
import type { DeviceKind, Location } from '../../contracts/index.js';

export const CAUSE_ATTRS = ['model', 'area'] as const;
export type CauseAttr = (typeof CAUSE_ATTRS)[number];

export interface Cause {
  attr: CauseAttr;
  /** what equal causes share: the model's name, the area's cell */
  value: string;
  /** for people: "batteries 'VARTA-60'", "the area around 50.88°N 6.88°E" */
  label: string;
  /** how many devices of the ticket's device kind share this cause, where known */
  population?: number;
}

/** what grouping knows of a ticket */
export interface TicketFact {
  ticketId: string;
  /** the ticket's kind (battery-discharge, fridge-warm, ...) */
  kind: string;
  deviceKind: DeviceKind;
  /** event time the ticket was opened */
  openedAt: number;
  /** most specific first */
  causes: Cause[];
}

export interface GroupOptions {
  /** how close in event time tickets of one cause must be; default 6 h */
  windowMs: number;
  /** tickets within one window that open a problem; default 3 */
  threshold: number;
  /** the side of an area's grid cell in degrees; default 0.25 (≈ 28 km × 17 km at 51°N) */
  areaDeg: number;
  /** the share of a cause's population (devices sharing it) that must have a ticket in one window too; default 0.02 */
  minShare: number;
}
export const DEFAULT_GROUP_OPTIONS: Readonly<GroupOptions> = { windowMs: 6 * 3600_000, threshold: 3, areaDeg: 0.25, minShare: 0.02 };

export interface ProblemLink {
  ticketId: string;
  openedAt: number;
}

export interface Problem {
  /** 'P-' + 10 hex of sha256(key) + '-' + the how-manieth problem of this key */
  id: string;
  /** kind|attr|value */
  key: string;
  kind: string;
  deviceKind: DeviceKind;
  cause: Cause;
  /** event time the threshold was met: the opening of its `need`-th earliest ticket */
  openedAt: number;
  /** how many tickets within one window it took to open it (the threshold, or more for a cause many devices share) */
  need: number;
  /** the earliest and latest linked ticket's openedAt */
  firstAt: number;
  lastAt: number;
  /** ordered by openedAt, then ticket id */
  links: ProblemLink[];
  /** "7 battery-discharge tickets on cars with batteries 'VARTA-60' within 2 h" */
  explanation: string;
}

const NOUN: Record<DeviceKind, string> = { 'car-battery': 'cars', fridge: 'fridges', washer: 'washers' };

/** The likely causes of a ticket on this device of this customer, most specific first. */
export function causesOf(device: { kind: DeviceKind; model?: string }, home: Location | undefined, areaDeg = DEFAULT_GROUP_OPTIONS.areaDeg): Cause[] {
  const out: Cause[] = [];
  if (device.model) out.push({ attr: 'model', value: device.model, label: device.kind === 'car-battery' ? `batteries '${device.model}'` : `model '${device.model}'` });
  if (home && areaDeg > 0) {
    const i = Math.floor(home.lat / areaDeg);
    const j = Math.floor(home.lon / areaDeg);
    const lat = (i + 0.5) * areaDeg;
    const lon = (j + 0.5) * areaDeg;
    const deg = (x: number, pos: string, neg: string): string => `${Math.abs(x).toFixed(2)}°${x >= 0 ? pos : neg}`;
    out.push({ attr: 'area', value: `${i}:${j}@${areaDeg}`, label: `the area around ${deg(lat, 'N', 'S')} ${deg(lon, 'E', 'W')}` });
  }
  return out;
}

export const keyOf = (kind: string, c: Cause): string => `${kind}|${c.attr}|${c.value}`;

export const problemId = (key: string, n: number): string => `P-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 10)}-${n}`;

/** "2 h", "45 min", "1.5 h": an upper bound of a span */
export function spanText(ms: number): string {
  const min = Math.max(1, Math.ceil(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.ceil(ms / 360_000) / 10;
  return `${Number.isInteger(h) ? h.toFixed(0) : h.toFixed(1)} h`;
}

/** The sentence that explains a problem's cause. */
export function explain(p: Pick<Problem, 'kind' | 'deviceKind' | 'cause' | 'firstAt' | 'lastAt' | 'links'>): string {
  const n = p.links.length;
  const what = p.cause.attr === 'model' ? `${NOUN[p.deviceKind]} with ${p.cause.label}` : `${NOUN[p.deviceKind]} in ${p.cause.label}`;
  return `${n} ${p.kind} ticket${n === 1 ? '' : 's'} on ${what} within ${spanText(p.lastAt - p.firstAt)}`;
}

const byTime = (a: ProblemLink, b: ProblemLink): number => a.openedAt - b.openedAt || (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0);

/** a problem's derived fields after its links changed */
function settle(p: Omit<Problem, 'openedAt' | 'firstAt' | 'lastAt' | 'explanation'>): Problem {
  const links = [...p.links].sort(byTime);
  const firstAt = links[0]!.openedAt;
  const lastAt = links[links.length - 1]!.openedAt;
  const openedAt = links[Math.min(p.need, links.length) - 1]!.openedAt;
  const q = { ...p, links, firstAt, lastAt, openedAt };
  return { ...q, explanation: explain(q) };
}

/** a grouping's state in a checkpoint (helpdesk/checkpoint.ts): the waiting tickets in the order they came */
export interface GroupingSnapshot {
  problems: Map<string, Problem[]>;
  counts: Map<string, number>;
  waiting: TicketFact[];
  linked: Set<string>;
  newest: number;
}

/** what a grouping step changed: problems opened or grown (whole, as they are now) */
export interface GroupStep {
  /** the ticket's problem after this step, or null while it waits */
  problemId: string | null;
  changed: Problem[];
  opened: boolean;
}

/**
 * The grouping as state: add() each ticket as it is opened. Deterministic: the same tickets give the
 * same problems; `known` seeds the problems already stored (after a restart) with how many each key has had.
 */
export function createGrouping(options: Partial<GroupOptions> = {}, known: { problems?: Problem[]; counts?: Record<string, number> } = {}) {
  const o = { ...DEFAULT_GROUP_OPTIONS, ...options };
  const W = o.windowMs;
  /** key -> its problems, oldest first (only those still joinable are kept) */
  const problems = new Map<string, Problem[]>();
  /** how many problems a key has had (ids count on) */
  const counts = new Map<string, number>(Object.entries(known.counts ?? {}));
  /** tickets waiting for a problem, and the same by key, oldest first */
  const waiting = new Map<string, TicketFact>();
  const waitingBy = new Map<string, TicketFact[]>();
  const factOrder = (a: TicketFact, b: TicketFact): number => byTime({ ticketId: a.ticketId, openedAt: a.openedAt }, { ticketId: b.ticketId, openedAt: b.openedAt });
  function wait(f: TicketFact): void {
    waiting.set(f.ticketId, f);
    for (const c of f.causes) {
      const key = keyOf(f.kind, c);
      const list = waitingBy.get(key) ?? [];
      let i = list.length;
      while (i > 0 && factOrder(list[i - 1]!, f) > 0) i--;
      list.splice(i, 0, f);
      waitingBy.set(key, list);
    }
  }
  function unwait(f: TicketFact): void {
    waiting.delete(f.ticketId);
    for (const c of f.causes) {
      const key = keyOf(f.kind, c);
      const list = waitingBy.get(key)?.filter((x) => x.ticketId !== f.ticketId) ?? [];
      if (list.length) waitingBy.set(key, list);
      else waitingBy.delete(key);
    }
  }
  const linked = new Set<string>();
  let newest = -Infinity;

  for (const p of known.problems ?? []) {
    const list = problems.get(p.key) ?? [];
    list.push(p);
    problems.set(p.key, list);
    for (const l of p.links) linked.add(l.ticketId);
    counts.set(p.key, Math.max(counts.get(p.key) ?? 0, Number(p.id.slice(p.id.lastIndexOf('-') + 1))));
  }

  const joinable = (p: Problem, at: number): boolean => at >= p.firstAt - W && at <= p.lastAt + W;

  /** the waiting tickets of a key chained to `f` (gaps ≤ window), by time */
  function chainOf(f: TicketFact, key: string): TicketFact[] {
    const same = waitingBy.get(key) ?? [];
    const at = same.findIndex((x) => x.ticketId === f.ticketId);
    let lo = at;
    let hi = at;
    while (lo > 0 && same[lo]!.openedAt - same[lo - 1]!.openedAt <= W) lo--;
    while (hi < same.length - 1 && same[hi + 1]!.openedAt - same[hi]!.openedAt <= W) hi++;
    return same.slice(lo, hi + 1);
  }
  /** how many tickets within one window open a problem of this cause: the threshold, and the share of its population */
  const needOf = (c: Cause): number => Math.max(o.threshold, Math.ceil(o.minShare * (c.population ?? 0)));
  function dense(chain: TicketFact[], need: number): boolean {
    for (let i = 0, j = 0; j < chain.length; j++) {
      while (chain[j]!.openedAt - chain[i]!.openedAt > W) i++;
      if (j - i + 1 >= need) return true;
    }
    return false;
  }

  function forget(): void {
    for (const f of waiting.values()) if (f.openedAt < newest - 2 * W) unwait(f);
    for (const [key, list] of problems) {
      const kept = list.filter((p) => p.lastAt + 2 * W >= newest);
      if (kept.length === list.length) continue;
      for (const p of list) if (!kept.includes(p)) for (const l of p.links) linked.delete(l.ticketId);
      if (kept.length) problems.set(key, kept);
      else problems.delete(key);
    }
  }

  function add(f: TicketFact): GroupStep {
    if (linked.has(f.ticketId) || waiting.has(f.ticketId)) return { problemId: null, changed: [], opened: false };
    newest = Math.max(newest, f.openedAt);
    try {
      // join: the first cause with a problem in reach (of several, the oldest)
      for (const c of f.causes) {
        const key = keyOf(f.kind, c);
        const p = problems.get(key)?.find((x) => joinable(x, f.openedAt));
        if (!p) continue;
        const grown = settle({ ...p, links: [...p.links, { ticketId: f.ticketId, openedAt: f.openedAt }] });
        const list = problems.get(key)!;
        list[list.indexOf(p)] = grown;
        linked.add(f.ticketId);
        return { problemId: grown.id, changed: [grown], opened: false };
      }
      // wait, and open a problem when a cause has enough tickets in one window
      wait(f);
      for (const c of f.causes) {
        const key = keyOf(f.kind, c);
        const chain = chainOf(f, key);
        const need = needOf(c);
        if (!dense(chain, need)) continue;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        const p = settle({ id: problemId(key, n), key, kind: f.kind, deviceKind: f.deviceKind, cause: { attr: c.attr, value: c.value, label: c.label }, need, links: chain.map((x) => ({ ticketId: x.ticketId, openedAt: x.openedAt })) });
        for (const x of chain) {
          unwait(x);
          linked.add(x.ticketId);
        }
        problems.set(key, [...(problems.get(key) ?? []), p]);
        return { problemId: p.id, changed: [p], opened: true };
      }
      return { problemId: null, changed: [], opened: false };
    } finally {
      forget();
    }
  }

  return {
    add,
    snapshot: (): GroupingSnapshot => ({ problems: new Map(problems), counts: new Map(counts), waiting: [...waiting.values()], linked: new Set(linked), newest }),
    /** takes a snapshot's state over (a grouping made with no `known`) */
    restore(s: GroupingSnapshot): void {
      for (const [k, v] of s.problems) problems.set(k, v);
      for (const [k, v] of s.counts) counts.set(k, v);
      for (const f of s.waiting) wait(f);
      for (const id of s.linked) linked.add(id);
      newest = s.newest;
    },
    /** tickets waiting for a problem, and problems still open to new tickets (memory bounds) */
    held: () => ({ waiting: waiting.size, joinable: [...problems.values()].reduce((n, l) => n + l.length, 0) }),
    options: o,
  };
}
export type Grouping = ReturnType<typeof createGrouping>;

/** The grouping of a set of tickets, in event-time order (the reference the tests compare arrivals with). */
export function groupTickets(facts: readonly TicketFact[], options: Partial<GroupOptions> = {}): Problem[] {
  const g = createGrouping(options);
  const out = new Map<string, Problem>();
  const sorted = [...facts].sort((a, b) => a.openedAt - b.openedAt || (a.ticketId < b.ticketId ? -1 : 1));
  for (const f of sorted) for (const p of g.add(f).changed) out.set(p.id, p);
  return [...out.values()].sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
}
