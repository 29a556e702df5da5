/**
 * The MQTT topic tree of evernet, version 1.
 *
 *   evernet/v1/<customerId>/<deviceId>/telemetry      device -> helpdesk, QoS 1
 *   evernet/v1/<customerId>/<deviceId>/event          device -> helpdesk, QoS 1
 *   evernet/v1/<customerId>/<deviceId>/command        helpdesk -> device, QoS 1
 *   evernet/v1/<customerId>/<deviceId>/availability   device (and its last will), retained, QoS 1
 *   evernet/v1/<customerId>/<deviceId>/announce       device -> helpdesk: what it is and measures, retained, QoS 1
 *   evernet/v1/<customerId>/<deviceId>/ack            helpdesk -> device: "received up to seq N" (opt-in, not retained), QoS 0
 *   evernet/v1/<customerId>/_app/request              customer's app -> helpdesk (recipe questions)
 *   evernet/v1/<customerId>/_helpdesk/answer          helpdesk -> customer's app
 *   evernet/v1/<customerId>/_helpdesk/ticket          helpdesk -> anyone allowed: ticket changes
 *   evernet/v1/<customerId>/_helpdesk/contact         helpdesk -> the customer's channels
 *
 * Ids are lower-case slugs; the leading underscore keeps the service segments apart from device ids.
 */
export const TOPIC_ROOT = 'evernet/v1';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const DEVICE_CHANNELS = ['telemetry', 'event', 'command', 'availability', 'announce', 'ack'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

export const SERVICE_TOPICS = {
  request: { segment: '_app', channel: 'request' },
  answer: { segment: '_helpdesk', channel: 'answer' },
  ticket: { segment: '_helpdesk', channel: 'ticket' },
  contact: { segment: '_helpdesk', channel: 'contact' },
} as const;
export type ServiceChannel = keyof typeof SERVICE_TOPICS;

/**
 * A topic of the tree, parsed. A device's topic also names the device (`key`, its `deviceKey`) and the
 * sequence its messages are numbered in (`stream`): a device numbers its telemetry and events in one
 * sequence, `<key>/data`, and every other channel in its own, `<key>/<channel>`. Both are made once per
 * topic (`parsedTopic` remembers it), so the helpdesk's maps keyed by them get the same string, its hash
 * already computed, with every message, instead of a new one built from the ids each time. A device's
 * topic also carries its memos (TopicMemos).
 */
export type ParsedTopic =
  | ({ scope: 'device'; customerId: string; deviceId: string; channel: DeviceChannel; key: string; stream: string } & TopicMemos)
  | { scope: 'service'; customerId: string; channel: ServiceChannel };

/**
 * Where the helpdesk's stages that keep a record per device each leave a pointer to theirs on the device's
 * topic object (undefined until then): a message reaches the record in one step from the topic it carries,
 * where a lookup in the stage's map of a fleet's devices costs a few cache misses (in a fleet replay's
 * helpdesk about 0.5 µs each, several a message: docs/fleet-engine-log.md). The stage's map stays what is
 * true; a memo is only a shortcut to it, so a record says whose it is (a process may run several helpdesks,
 * and the topics are shared) and whether it still stands, and is taken only then. The one thing on a parsed
 * topic a caller may change. Not enumerable: a topic copied, compared or written into a checkpoint is its
 * name, without what a process's helpdesks keep on it.
 */
export interface TopicMemos {
  /** ingest's record of the sender (helpdesk/ingest) */
  ingestMemo: unknown;
  /** the directory's answer for the device (helpdesk/registry/live-directory.ts) */
  directoryMemo: unknown;
  /** the detectors' state of the device (helpdesk/detect/detect.ts) */
  detectionMemo: unknown;
  /** the silence watch's record of the device (helpdesk/detect/silence.ts) */
  silenceMemo: unknown;
}

/** the memos of a new device topic: empty, writable, not enumerable */
const MEMO_SLOTS: PropertyDescriptorMap = Object.fromEntries(
  (['ingestMemo', 'directoryMemo', 'detectionMemo', 'silenceMemo'] satisfies Array<keyof TopicMemos>).map((k) => [k, { value: undefined, writable: true, enumerable: false }]),
);

export function isId(value: string): boolean {
  return ID.test(value);
}

/**
 * The one name of a device across evernet: `<customerId>/<deviceId>`. The helpdesk keys its per-device
 * state by it, the broker uses it as the device's username, the dashboard as its address.
 */
export function deviceKey(customerId: string, deviceId: string): string {
  return `${customerId}/${deviceId}`;
}

export function deviceTopic(customerId: string, deviceId: string, channel: DeviceChannel): string {
  return `${TOPIC_ROOT}/${customerId}/${deviceId}/${channel}`;
}

export function serviceTopic(customerId: string, channel: ServiceChannel): string {
  const t = SERVICE_TOPICS[channel];
  return `${TOPIC_ROOT}/${customerId}/${t.segment}/${t.channel}`;
}

/** Subscription filters the helpdesk uses. */
export const HELPDESK_FILTERS = [
  `${TOPIC_ROOT}/+/+/telemetry`,
  `${TOPIC_ROOT}/+/+/event`,
  `${TOPIC_ROOT}/+/+/availability`,
  `${TOPIC_ROOT}/+/+/announce`,
  `${TOPIC_ROOT}/+/_app/request`,
] as const;

/**
 * What a device's connection says rather than its model: its announce and availability (at connect, at
 * a graceful stop, the will a broker publishes for it). Such a message leaves when the connection
 * comes or goes, not in a replay window's steps: a replay over a cluster counts it apart from the
 * telemetry and events (docs/scale.md#end-to-end-acknowledgements).
 */
export function saidByConnection(topic: string): boolean {
  const t = parsedTopic(topic);
  return t !== null && t.scope === 'device' && (t.channel === 'announce' || t.channel === 'availability');
}

/** Parses a topic of the tree; returns null for anything that is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'evernet' || parts[1] !== 'v1') return null;
  const [, , customerId, middle, channel] = parts as [string, string, string, string, string];
  if (!isId(customerId)) return null;
  if (middle.startsWith('_')) {
    for (const [name, t] of Object.entries(SERVICE_TOPICS)) {
      if (t.segment === middle && t.channel === channel) {
        return { scope: 'service', customerId, channel: name as ServiceChannel };
      }
    }
    return null;
  }
  if (!isId(middle)) return null;
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) return null;
  const key = deviceKey(customerId, middle);
  const parsed = { scope: 'device', customerId, deviceId: middle, channel: channel as DeviceChannel, key, stream: streamOf(key, channel as DeviceChannel) } as const;
  return Object.defineProperties(parsed, MEMO_SLOTS) as typeof parsed & TopicMemos;
}

/** the sequence a device's messages on `channel` are numbered in (ParsedTopic.stream) */
export function streamOf(key: string, channel: DeviceChannel): string {
  return channel === 'telemetry' || channel === 'event' ? `${key}/data` : `${key}/${channel}`;
}

/** How many topics `parsedTopic` remembers at least before it starts again: a fleet's devices and channels with room to spare. */
export const PARSED_TOPICS_KEPT = 1 << 17;
const parsedTopics = new Map<string, ParsedTopic>();
/** how many it remembers now: PARSED_TOPICS_KEPT, or more for the devices a helpdesk knows (keepParsedTopicsFor) */
let topicsKept = PARSED_TOPICS_KEPT;

/**
 * `parseTopic`, remembered per topic: the helpdesk reads the same few topics of each device all day. One
 * lookup replaces the split and the checks, and every message of a device then carries the same id
 * strings, whose hashes the maps keyed by them already hold. Bounded: past the bound (PARSED_TOPICS_KEPT,
 * or what keepParsedTopicsFor raised it to) it forgets them all and starts again. Callers must not change
 * the result but for its memos (TopicMemos).
 */
export function parsedTopic(topic: string): ParsedTopic | null {
  const known = parsedTopics.get(topic);
  if (known) return known;
  const parsed = parseTopic(topic);
  if (!parsed) return null;
  if (parsedTopics.size >= topicsKept) parsedTopics.clear();
  parsedTopics.set(topic, parsed);
  return parsed;
}

/**
 * Makes room for every channel of `devices` devices (the helpdesk's registry says how many it knows). A
 * fleet's topics recur far apart: each device speaks every few minutes, so a bound below what its devices
 * use would start again before any topic came back, and every message would be parsed anew. The
 * bound only grows (a process's helpdesks share it); made-up topics of unknown senders still meet the
 * bound of the known ones.
 */
export function keepParsedTopicsFor(devices: number): void {
  topicsKept = Math.max(topicsKept, devices * DEVICE_CHANNELS.length);
}

/** how many topics `parsedTopic` remembers now (tests, memory bounds) */
export const parsedTopicsKept = (): number => parsedTopics.size;
/** how many it remembers at most before it starts again */
export const parsedTopicsBound = (): number => topicsKept;

/** MQTT topic filter matching ('+' one level, '#' the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
