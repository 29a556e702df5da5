/**
 * Which of `count` partitions a customer belongs to: all of a customer's devices, apps and the
 * helpdesk's messages to them land on the same one. Used wherever evernet splits its MQTT traffic by
 * customer (a fleet replay's broker shards; docs/fleets.md). FNV-1a over the customer id, so every
 * process and machine computes the same answer without asking anyone.
 */
export function partitionOf(customerId: string, count: number): number {
  if (count <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    h ^= customerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** the customer segment of an evernet topic (`evernet/v1/<customer>/...`), or null for any other topic */
export function customerOfTopic(topic: string): string | null {
  const parts = topic.split('/');
  return parts.length >= 4 && parts[0] === 'evernet' && parts[1] === 'v1' ? parts[2]! : null;
}
