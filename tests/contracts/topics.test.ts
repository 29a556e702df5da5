import { describe, expect, it } from 'vitest';
import {
  DEVICE_CHANNELS,
  HELPDESK_FILTERS,
  SERVICE_TOPICS,
  TOPIC_ROOT,
  deviceTopic,
  isId,
  PARSED_TOPICS_KEPT,
  parseTopic,
  parsedTopic,
  parsedTopicsKept,
  parsedTopicsBound,
  keepParsedTopicsFor,
  serviceTopic,
  topicMatches,
  type ServiceChannel,
} from '../../contracts/topics.js';

const SERVICE_CHANNELS = Object.keys(SERVICE_TOPICS) as ServiceChannel[];

describe('deviceTopic and serviceTopic', () => {
  it('builds device topics under evernet/v1/<customer>/<device>/<channel>', () => {
    expect(TOPIC_ROOT).toBe('evernet/v1');
    expect(deviceTopic('cust-1', 'car-1', 'telemetry')).toBe('evernet/v1/cust-1/car-1/telemetry');
  });

  it('builds service topics with the underscore segment of their channel', () => {
    expect(serviceTopic('cust-1', 'request')).toBe('evernet/v1/cust-1/_app/request');
    expect(serviceTopic('cust-1', 'answer')).toBe('evernet/v1/cust-1/_helpdesk/answer');
    expect(serviceTopic('cust-1', 'ticket')).toBe('evernet/v1/cust-1/_helpdesk/ticket');
    expect(serviceTopic('cust-1', 'contact')).toBe('evernet/v1/cust-1/_helpdesk/contact');
  });

  it.each(DEVICE_CHANNELS.map((c) => [c]))('round-trips the device channel %s through parseTopic', (channel) => {
    expect(parseTopic(deviceTopic('cust-42', 'fridge-7', channel))).toEqual({
      scope: 'device',
      customerId: 'cust-42',
      deviceId: 'fridge-7',
      channel,
      key: 'cust-42/fridge-7',
      // telemetry and events are numbered in one sequence, every other channel in its own
      stream: channel === 'telemetry' || channel === 'event' ? 'cust-42/fridge-7/data' : `cust-42/fridge-7/${channel}`,
    });
  });

  it.each(SERVICE_CHANNELS.map((c) => [c]))('round-trips the service channel %s through parseTopic', (channel) => {
    expect(parseTopic(serviceTopic('cust-42', channel))).toEqual({ scope: 'service', customerId: 'cust-42', channel });
  });

  it('accepts ids of one character and of 63 characters', () => {
    const long = 'a'.repeat(63);
    expect(parseTopic(deviceTopic('c', long, 'event'))).toEqual({ scope: 'device', customerId: 'c', deviceId: long, channel: 'event', key: `c/${long}`, stream: `c/${long}/data` });
  });
});

/** topics outside the tree, each with why: [why, topic] */
const NOT_IN_THE_TREE: Array<[string, string]> = [
  ['a wrong prefix: another root', 'other/v1/cust-1/car-1/telemetry'],
  ['a wrong prefix: another version', 'evernet/v2/cust-1/car-1/telemetry'],
  ['a wrong prefix: an upper-case root', 'Evernet/v1/cust-1/car-1/telemetry'],
  ['a wrong prefix: a leading slash', '/evernet/v1/cust-1/car-1/telemetry'],
  ['a wrong depth: too shallow', 'evernet/v1/cust-1/car-1'],
  ['a wrong depth: too deep', 'evernet/v1/cust-1/car-1/telemetry/extra'],
  ['a wrong depth: a trailing slash', 'evernet/v1/cust-1/car-1/telemetry/'],
  ['a wrong depth: the root only', 'evernet/v1'],
  ['a wrong depth: empty', ''],
  ['an upper-case customer id', 'evernet/v1/Cust-1/car-1/telemetry'],
  ['an upper-case device id', 'evernet/v1/cust-1/Car-1/telemetry'],
  ['an id starting with a dash', 'evernet/v1/cust-1/-car/telemetry'],
  ['an id with an underscore inside', 'evernet/v1/cust_1/car-1/telemetry'],
  ['an id with a dot', 'evernet/v1/cust-1/car.1/telemetry'],
  ['an empty device id', 'evernet/v1/cust-1//telemetry'],
  ['an empty customer id', 'evernet/v1//car-1/telemetry'],
  ['an id of 64 characters', `evernet/v1/cust-1/${'a'.repeat(64)}/telemetry`],
  ['a wildcard as id', 'evernet/v1/+/car-1/telemetry'],
  ['a bad customer id on a service topic', 'evernet/v1/CUST/_app/request'],
  ...['status', 'Telemetry', 'commands', ''].map((c): [string, string] => [`the unknown device channel ${JSON.stringify(c)}`, `evernet/v1/cust-1/car-1/${c}`]),
  ['an unknown segment', 'evernet/v1/cust-1/_admin/request'],
  ['a service channel under the wrong segment', 'evernet/v1/cust-1/_app/answer'],
  ['an app channel under the helpdesk segment', 'evernet/v1/cust-1/_helpdesk/request'],
  ['a device channel under a service segment', 'evernet/v1/cust-1/_helpdesk/telemetry'],
  ['a bare underscore', 'evernet/v1/cust-1/_/request'],
];

describe('parseTopic rejects what is not part of the tree', () => {
  it.each(NOT_IN_THE_TREE)('rejects %s', (_why, topic) => {
    expect(parseTopic(topic)).toBeNull();
  });
});

describe('parsedTopic: parseTopic remembered per topic', () => {
  it('gives what parseTopic gives, the same object for the same topic (a fresh string too), and remembers no refusal', () => {
    const topic = deviceTopic('c-remembered', 'fridge', 'telemetry');
    const first = parsedTopic(topic);
    expect(first).toEqual(parseTopic(topic));
    expect(parsedTopic(Buffer.from(topic).toString('utf8'))).toBe(first);
    const kept = parsedTopicsKept();
    for (const [, bad] of NOT_IN_THE_TREE) expect(parsedTopic(bad)).toBeNull();
    expect(parsedTopicsKept()).toBe(kept);
  });

  it('is bounded: past its bound (PARSED_TOPICS_KEPT at least) it starts again', () => {
    expect(parsedTopicsBound()).toBeGreaterThanOrEqual(PARSED_TOPICS_KEPT);
    for (let i = 0; i <= parsedTopicsBound(); i++) parsedTopic(deviceTopic(`c${i}`, 'fridge', 'telemetry'));
    expect(parsedTopicsKept()).toBeLessThanOrEqual(parsedTopicsBound());
    expect(parsedTopicsKept()).toBeGreaterThan(0);
    expect(parsedTopic(deviceTopic('c-after', 'car', 'event'))).toEqual({ scope: 'device', customerId: 'c-after', deviceId: 'car', channel: 'event', key: 'c-after/car', stream: 'c-after/car/data' });
  });

  it("keeps a fleet's topics when told how many devices there are: each parsed once, however far apart they recur", () => {
    // more devices' topics than PARSED_TOPICS_KEPT, each recurring only after all the others (the worst order)
    const devices = PARSED_TOPICS_KEPT / 2 + 5000;
    const topics = Array.from({ length: devices }, (_, i) => [deviceTopic(`f${i}`, 'car', 'telemetry'), deviceTopic(`f${i}`, 'car', 'event')]).flat();
    // at the bound it starts with, a pass over them forgets them before any comes back
    expect(parsedTopicsBound()).toBe(PARSED_TOPICS_KEPT);
    const before = topics.map((t) => parsedTopic(t));
    expect(topics.filter((t, i) => parsedTopic(t) !== before[i]).length).toBeGreaterThan(PARSED_TOPICS_KEPT / 2);
    keepParsedTopicsFor(devices);
    expect(parsedTopicsBound()).toBe(devices * DEVICE_CHANNELS.length);
    const first = topics.map((t) => parsedTopic(t));
    const again = topics.map((t) => parsedTopic(t));
    expect(again.every((p, i) => p === first[i])).toBe(true);
    // it only grows
    keepParsedTopicsFor(10);
    expect(parsedTopicsBound()).toBe(devices * DEVICE_CHANNELS.length);
  });
});

describe('isId', () => {
  it('accepts lower-case slugs and rejects everything else', () => {
    expect(isId('car-1')).toBe(true);
    expect(isId('0abc')).toBe(true);
    expect(isId('_app')).toBe(false);
    expect(isId('Car')).toBe(false);
    expect(isId('')).toBe(false);
  });
});

/** [rule, filter, topic, whether the filter matches the topic] */
const FILTERS: Array<[string, string, string, boolean]> = [
  ['an exact filter matches itself', 'evernet/v1/cust-1/car-1/telemetry', 'evernet/v1/cust-1/car-1/telemetry', true],
  ['an exact filter matches nothing else', 'evernet/v1/cust-1/car-1/telemetry', 'evernet/v1/cust-1/car-1/event', false],
  ['an exact filter matches nothing else', 'evernet/v1/cust-1/car-1/telemetry', 'evernet/v1/cust-1/car-2/telemetry', false],
  ['+ matches exactly one level', 'evernet/v1/+/+/telemetry', 'evernet/v1/cust-1/car-1/telemetry', true],
  ['+ matches exactly one level', 'evernet/v1/+/telemetry', 'evernet/v1/cust-1/car-1/telemetry', false],
  ['+ matches exactly one level', 'evernet/v1/+/+/+/telemetry', 'evernet/v1/cust-1/car-1/telemetry', false],
  ['+ matches exactly one level', 'evernet/v1/+/+/telemetry', 'evernet/v1/cust-1/car-1/event', false],
  ['+ matches an empty level', 'a/+/c', 'a//c', true],
  ['# matches the rest of the topic', 'evernet/v1/#', 'evernet/v1/cust-1/car-1/telemetry', true],
  ['# matches the rest of the topic', 'evernet/v1/cust-1/#', 'evernet/v1/cust-1/_helpdesk/ticket', true],
  ['# matches its parent level', 'evernet/v1/#', 'evernet/v1', true],
  ['# matches the rest of the topic', '#', 'anything/at/all', true],
  ['# does not match under another prefix', 'evernet/v1/cust-2/#', 'evernet/v1/cust-1/car-1/telemetry', false],
  ['# does not match under another prefix', 'evernet/v2/#', 'evernet/v1/cust-1/car-1/telemetry', false],
  ['a filter without # does not match a longer topic', 'evernet/v1/cust-1/car-1', 'evernet/v1/cust-1/car-1/telemetry', false],
  ['a filter without # does not match a shorter topic', 'evernet/v1/cust-1/car-1/telemetry', 'evernet/v1/cust-1/car-1', false],
  ['a filter without # does not match a shorter topic', 'evernet/v1/+', 'evernet/v1', false],
];

describe('topicMatches', () => {
  it.each(FILTERS)('%s: %s on %s is %s', (_rule, filter, topic, matches) => {
    expect(topicMatches(filter, topic)).toBe(matches);
  });

  it('lets the helpdesk filters match what devices and apps publish and not what the helpdesk publishes', () => {
    const matchesAny = (topic: string) => HELPDESK_FILTERS.some((f) => topicMatches(f, topic));
    for (const channel of ['telemetry', 'event', 'availability'] as const) {
      expect(matchesAny(deviceTopic('cust-1', 'car-1', channel))).toBe(true);
    }
    expect(matchesAny(serviceTopic('cust-1', 'request'))).toBe(true);
    expect(matchesAny(deviceTopic('cust-1', 'car-1', 'command'))).toBe(false);
    expect(matchesAny(serviceTopic('cust-1', 'answer'))).toBe(false);
    expect(matchesAny(serviceTopic('cust-1', 'ticket'))).toBe(false);
    expect(matchesAny(serviceTopic('cust-1', 'contact'))).toBe(false);
  });
});
