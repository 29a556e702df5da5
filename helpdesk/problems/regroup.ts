/**
 * Problems of tickets held in several places (the partitions of a cluster, docs/scale.md), pure: each
 * place says what grouping needs of its tickets (`factsOf`: the ticket's kind, time and likely causes,
 * read from its own directory) and how many devices share each cause (`censusOf`); the facts and
 * censuses of every place, put together, group as one helpdesk holding every ticket would have grouped
 * them (group.ts `groupTickets`, in event-time order). So one mass incident across partitions is one
 * problem, with the ids, links and thresholds of the embedded run.
 */
import type { DeviceKind, Location, TicketState } from '../../contracts/index.js';
import { causesOf, DEFAULT_GROUP_OPTIONS, groupTickets, keyOf, type Cause, type GroupOptions, type TicketFact } from './group.js';
import { recordOf, newestFirst, type ProblemRecord } from './store.js';

/** one place's share of a grouping across places: its tickets' facts, its census, its grouping options */
export interface ProblemFacts {
  facts: TicketFact[];
  census: Record<string, number>;
  options: GroupOptions;
}

/**
 * Every place's share grouped as one: the problems newest first, each link with its ticket's state now.
 * The places must group with the same options (a cluster's partitions run one configuration).
 */
export function regroupPlaces(parts: readonly ProblemFacts[], stateOf: (ticketId: string) => TicketState | undefined): ProblemRecord[] {
  if (!parts.length) return [];
  return regroup(parts.flatMap((p) => p.facts), sumCensus(parts.map((p) => p.census)), stateOf, parts[0]!.options);
}

/** devices of each kind sharing each cause: `kind|attr|value` → how many */
export type Census = Map<string, number>;

interface CensusCustomer {
  home?: Location;
  devices: readonly { kind: DeviceKind; model?: string }[];
}

/** how many devices of each kind share each cause, over these customers' devices */
export function censusOf(customers: Iterable<CensusCustomer>, areaDeg: number = DEFAULT_GROUP_OPTIONS.areaDeg): Census {
  const counts: Census = new Map();
  for (const c of customers) {
    for (const d of c.devices) {
      for (const x of causesOf(d, c.home, areaDeg)) {
        const k = keyOf(d.kind, x);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** several places' censuses as one */
export function sumCensus(parts: Iterable<Census | Record<string, number>>): Census {
  const out: Census = new Map();
  for (const part of parts) {
    for (const [k, n] of part instanceof Map ? part : Object.entries(part)) out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

/** each cause with its population: the devices of this kind that share it */
export function populate(causes: readonly Cause[], kind: DeviceKind, census: Census): Cause[] {
  return causes.map((c) => ({ ...c, population: census.get(keyOf(kind, c)) ?? 0 }));
}

export interface FactDirectory {
  device(customerId: string, deviceId: string): { kind: DeviceKind; model?: string } | undefined;
  customer(customerId: string): { home?: Location } | undefined;
}

/**
 * What grouping needs of each ticket, without populations (those come from every place's census):
 * a ticket whose device the directory no longer knows, or without any cause, is left out, as the
 * helpdesk leaves it out when it is opened.
 */
export function factsOf(
  tickets: Iterable<{ id: string; kind: string; customerId: string; deviceId: string; openedAt: number }>,
  directory: FactDirectory,
  areaDeg: number = DEFAULT_GROUP_OPTIONS.areaDeg,
): TicketFact[] {
  const out: TicketFact[] = [];
  for (const t of tickets) {
    const device = directory.device(t.customerId, t.deviceId);
    if (!device) continue;
    const causes = causesOf(device, directory.customer(t.customerId)?.home, areaDeg);
    if (causes.length) out.push({ ticketId: t.id, kind: t.kind, deviceKind: device.kind, openedAt: t.openedAt, causes });
  }
  return out;
}

/**
 * The problems of every place's tickets, newest first (as a ProblemStore lists them), each link with
 * its ticket's state now (`stateOf`; a ticket it does not know counts as opened). The populations are
 * the census's, or, given the census as it was at a time, each ticket's at its opening (as one helpdesk
 * populates a ticket when it opens it: a problem once opened stays when devices are added later).
 */
export function regroup(facts: readonly TicketFact[], census: Census | ((at: number) => Census), stateOf: (ticketId: string) => TicketState | undefined, options: Partial<GroupOptions> = {}): ProblemRecord[] {
  const at = typeof census === 'function' ? census : () => census;
  const populated = facts.map((f) => ({ ...f, causes: populate(f.causes, f.deviceKind, at(f.openedAt)) }));
  return groupTickets(populated, options)
    .map((p) => recordOf({ ...p, links: p.links.map((l) => ({ ...l, state: stateOf(l.ticketId) ?? 'opened' })) }))
    .sort(newestFirst);
}
