/**
 * The retained messages in memory, by topic (the persistence writes them to SQLite too): what a new
 * subscription gets. A filter without wildcards (a device's own command topic) is one lookup, not a
 * pass over every retained message: a fleet of 30,000 devices subscribing would otherwise cost
 * 30,000 x 60,000 topic matches.
 */
import { topicMatches } from '../../contracts/topics.js';
import { fromStored, type StoredPacket } from './packets.js';

export function createRetainedIndex() {
  const byTopic = new Map<string, StoredPacket>();

  function* matching(pattern: string): Generator<ReturnType<typeof fromStored>> {
    if (!pattern.includes('+') && !pattern.includes('#')) {
      const stored = byTopic.get(pattern);
      if (stored) yield fromStored(stored);
      return;
    }
    for (const [topic, stored] of byTopic) if (topicMatches(pattern, topic)) yield fromStored(stored);
  }

  return {
    set: (topic: string, stored: StoredPacket): void => void byTopic.set(topic, stored),
    delete: (topic: string): void => void byTopic.delete(topic),
    get size(): number {
      return byTopic.size;
    },
    /** the retained messages a subscription to each of `patterns` gets, in the order of the patterns */
    *matching(patterns: readonly string[]): Generator<ReturnType<typeof fromStored>> {
      for (const p of patterns) yield* matching(p);
    },
  };
}
