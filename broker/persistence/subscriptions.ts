/**
 * The persistent sessions' subscriptions in memory, indexed for the one hot question aedes asks on
 * every QoS > 0 publish: which (client, filter) pairs match this topic? Filters without wildcards
 * (a device's own command topic) are one map lookup; filters with wildcards (the helpdesk's few)
 * are tested one by one. The SQLite table is the durable copy; this index is rebuilt from it.
 */
import { topicMatches } from '../../contracts/topics.js';

export interface SubscriptionOptions {
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
  subscriptionIdentifier?: number;
}

export interface MatchedSubscription {
  clientId: string;
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
}

const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');

export function createSubscriptionIndex() {
  /** clientId -> filter -> options (every subscription, QoS 0 included: restored on reconnect) */
  const byClient = new Map<string, Map<string, SubscriptionOptions>>();
  /** filter -> clientId -> match (QoS > 0 only: those get messages queued) */
  const exact = new Map<string, Map<string, MatchedSubscription>>();
  const wildcard = new Map<string, Map<string, MatchedSubscription>>();
  let queued = 0;

  const indexFor = (filter: string) => (hasWildcard(filter) ? wildcard : exact);

  function unindex(clientId: string, filter: string): void {
    const index = indexFor(filter);
    const clients = index.get(filter);
    if (clients?.delete(clientId)) queued--;
    if (clients && clients.size === 0) index.delete(filter);
  }

  return {
    add(clientId: string, filter: string, options: SubscriptionOptions): void {
      let subs = byClient.get(clientId);
      if (!subs) byClient.set(clientId, (subs = new Map()));
      subs.set(filter, options);
      unindex(clientId, filter);
      if (options.qos > 0) {
        const index = indexFor(filter);
        let clients = index.get(filter);
        if (!clients) index.set(filter, (clients = new Map()));
        clients.set(clientId, { clientId, topic: filter, qos: options.qos, rh: options.rh, rap: options.rap, nl: options.nl });
        queued++;
      }
    },
    /** returns whether the client had that subscription */
    remove(clientId: string, filter: string): boolean {
      const subs = byClient.get(clientId);
      if (!subs?.delete(filter)) return false;
      unindex(clientId, filter);
      if (subs.size === 0) byClient.delete(clientId);
      return true;
    },
    /** returns the filters the client had */
    removeClient(clientId: string): string[] {
      const subs = byClient.get(clientId);
      if (!subs) return [];
      for (const filter of subs.keys()) unindex(clientId, filter);
      byClient.delete(clientId);
      return [...subs.keys()];
    },
    ofClient(clientId: string): Array<{ topic: string } & SubscriptionOptions> {
      return [...(byClient.get(clientId) ?? new Map<string, SubscriptionOptions>())].map(([topic, o]) => ({ topic, ...o }));
    },
    /** every QoS > 0 (client, filter) pair whose filter matches the topic */
    match(topic: string): MatchedSubscription[] {
      const out: MatchedSubscription[] = [];
      for (const [filter, clients] of wildcard) if (topicMatches(filter, topic)) out.push(...clients.values());
      const direct = exact.get(topic);
      if (direct) out.push(...direct.values());
      return out;
    },
    /** whether any persistent session would get a copy of a message on this topic */
    matchesAny(topic: string): boolean {
      if (exact.has(topic)) return true;
      for (const filter of wildcard.keys()) if (topicMatches(filter, topic)) return true;
      return false;
    },
    /** clients with a subscription to exactly this filter */
    clientsOf(filter: string): string[] {
      return [...byClient].filter(([, subs]) => subs.has(filter)).map(([id]) => id);
    },
    counts: () => ({ subsCount: queued, clientsCount: byClient.size }),
  };
}
export type SubscriptionIndex = ReturnType<typeof createSubscriptionIndex>;
