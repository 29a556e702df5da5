/**
 * evernet's subjects on a NATS cluster (docs/scale.md, "The NATS cluster"). Pure.
 *
 * Devices speak MQTT to any node; NATS sees MQTT topic `evernet/v1/<customer>/<device>/<channel>` as
 * subject `evernet.v1.<customer>.<device>.<channel>`. The server's subject mapping (config.ts) moves
 * every device -> helpdesk message to `evernet.part.<p>.v1.<customer>.<device>.<channel>`, where
 * p = the server's `{{partition(P,1)}}` of the customer: FNV-1a 32 mod P, the same number
 * contracts/partition.ts `partitionOf` computes, so every process knows a customer's partition
 * without asking. The stream EVERNET (stream.ts) keeps `evernet.part.*.>`. Helpdesk -> device/app
 * subjects (command, _helpdesk/answer|ticket|contact) are not mapped: a worker publishes them on
 * NATS and they reach the devices' MQTT subscriptions as they are.
 */
import { partitionOf } from '../../contracts/partition.js';
import { HELPDESK_FILTERS, TOPIC_ROOT, topicMatches } from '../../contracts/topics.js';

/** the JetStream stream that keeps every partition's messages */
export const STREAM = 'EVERNET';

/** the workers' group of a helpdesk started without one (cluster/worker.ts): its heartbeats and its view's subjects carry it */
export const DEFAULT_GROUP = 'default';

const PART = 'evernet.part';

/** `evernet.part.<p>`: the prefix of partition p's subjects in the stream */
export const partitionSubjectPrefix = (p: number): string => `${PART}.${p}`;

/** `evernet.part.<p>.>`: partition p's messages (a consumer's filter) */
export const partitionFilter = (p: number): string => `${PART}.${p}.>`;

/** `evernet.part.*.>`: the stream's subjects */
export const STREAM_SUBJECTS = [`${PART}.*.>`];

/** the subject of an MQTT topic (`evernet/v1/c/d/command` -> `evernet.v1.c.d.command`): '/' becomes '.' */
export function subjectOfTopic(topic: string): string {
  return topic.split('/').join('.');
}

/**
 * The server's mapping table: for each device -> helpdesk filter of the helpdesk (contracts/topics.ts
 * HELPDESK_FILTERS: telemetry, event, availability, announce, _app/request), source subject ->
 * partitioned destination. `+` becomes `*`, the i-th `*` is `{{wildcard(i)}}`, and the customer
 * (the first wildcard) picks the partition.
 */
export function partitionMappings(partitions: number): Record<string, string> {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, not ${partitions}`);
  const out: Record<string, string> = {};
  for (const filter of HELPDESK_FILTERS) {
    const tokens = subjectOfTopic(filter).split('.');
    let wildcard = 0;
    const rest = tokens.slice(2).map((t) => (t === '+' ? `{{wildcard(${++wildcard})}}` : t));
    out[tokens.map((t) => (t === '+' ? '*' : t)).join('.')] = `${PART}.{{partition(${partitions},1)}}.v1.${rest.join('.')}`;
  }
  return out;
}

/** the partition of a partition subject (`evernet.part.3.…` -> 3), or null for any other subject */
export function partitionOfSubject(subject: string): number | null {
  const t = subject.split('.');
  if (t.length < 3 || t[0] !== 'evernet' || t[1] !== 'part' || !/^(0|[1-9][0-9]*)$/.test(t[2]!)) return null;
  return Number(t[2]);
}

/**
 * The MQTT topic a partition subject carries (`evernet.part.3.v1.c.d.telemetry` ->
 * `evernet/v1/c/d/telemetry`), or null for a subject that is not one (a marker, any other subject).
 */
export function topicOfSubject(subject: string): string | null {
  if (partitionOfSubject(subject) === null) return null;
  const t = subject.split('.');
  if (t[3] !== 'v1' || t.length !== 7) return null;
  return `${TOPIC_ROOT}/${t.slice(4).join('/')}`;
}

/**
 * The partition subject the server maps a device -> helpdesk topic to (computed here, as the server
 * does), or null for a topic the mapping leaves alone (a command, the helpdesk's answers).
 */
export function partitionSubjectOfTopic(topic: string, partitions: number): string | null {
  if (!HELPDESK_FILTERS.some((f) => topicMatches(f, topic))) return null;
  const t = topic.split('/');
  return `${partitionSubjectPrefix(partitionOf(t[2]!, partitions))}.v1.${t.slice(2).join('.')}`;
}
