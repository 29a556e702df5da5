/**
 * Access control: a pure function of (identity, topic or filter) -> allowed, or denied with a code.
 *
 *   device    publishes its own telemetry, event, availability and announce; subscribes to its own command topic
 *   app       publishes its customer's _app/request; subscribes to its customer's _helpdesk/answer|contact|ticket
 *   helpdesk  publishes any device's command and any customer's _helpdesk/*; subscribes to all
 *             telemetry, event, availability, announce and _app/request (wildcards allowed)
 *   admin     everything except publishing to $-topics
 *
 * Only the helpdesk and admin may subscribe with wildcards ('+', '#'); a helpdesk filter must lie
 * inside one of its read patterns. Everything not listed is denied.
 */
import { TOPIC_ROOT, deviceTopic, parseTopic, serviceTopic, topicMatches } from '../../contracts/topics.js';
import type { Identity } from './identity.js';
import { codeTable } from '../../contracts/errors.js';

export const ACL_ERR = codeTable({
  PUBLISH: 'EVN_ERR_ACL_PUBLISH',
  SUBSCRIBE: 'EVN_ERR_ACL_SUBSCRIBE',
});
export type AclCode = (typeof ACL_ERR)[keyof typeof ACL_ERR];

export type AclDecision = { allowed: true } | { allowed: false; code: AclCode; reason: string };

const ALLOW: AclDecision = { allowed: true };

/** Topics (publish) or filter patterns (subscribe) an identity may use; admin is handled apart. */
export function writePatterns(identity: Identity): string[] {
  switch (identity.role) {
    case 'device':
      return (['telemetry', 'event', 'availability', 'announce'] as const).map((c) => deviceTopic(identity.customerId, identity.deviceId, c));
    case 'app':
      return [serviceTopic(identity.customerId, 'request')];
    case 'helpdesk':
      return [`${TOPIC_ROOT}/+/+/command`, `${TOPIC_ROOT}/+/_helpdesk/answer`, `${TOPIC_ROOT}/+/_helpdesk/contact`, `${TOPIC_ROOT}/+/_helpdesk/ticket`];
    case 'admin':
      return ['#'];
  }
}

export function readPatterns(identity: Identity): string[] {
  switch (identity.role) {
    case 'device':
      return [deviceTopic(identity.customerId, identity.deviceId, 'command')];
    case 'app':
      return (['answer', 'contact', 'ticket'] as const).map((c) => serviceTopic(identity.customerId, c));
    case 'helpdesk':
      return [`${TOPIC_ROOT}/+/+/telemetry`, `${TOPIC_ROOT}/+/+/event`, `${TOPIC_ROOT}/+/+/availability`, `${TOPIC_ROOT}/+/+/announce`, `${TOPIC_ROOT}/+/_app/request`];
    case 'admin':
      return ['#'];
  }
}

export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/** A well-formed MQTT filter: '#' only as the whole last level, '+' only as a whole level. */
export function isWellFormedFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  return levels.every((l, i) => {
    if (l.includes('#')) return l === '#' && i === levels.length - 1;
    return !l.includes('+') || l === '+';
  });
}

/** True when every topic the filter can match also matches the pattern. */
export function covers(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = filter.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= f.length || f[i] === '#') return false;
    if (p[i] === '+') continue;
    if (f[i] !== p[i]) return false;
  }
  return f.length === p.length;
}

function deny(code: AclCode, identity: Identity, what: string, why: string): AclDecision {
  return { allowed: false, code, reason: `${identity.role} '${identity.username}' may not ${what}: ${why}` };
}

/** Devices and apps write exact topics: a set per identity makes the common case one lookup. */
const exactWrites = new WeakMap<Identity, Set<string>>();
function exactWriteTopics(identity: Identity): Set<string> {
  let set = exactWrites.get(identity);
  if (!set) {
    set = new Set(identity.role === 'device' || identity.role === 'app' ? writePatterns(identity) : []);
    exactWrites.set(identity, set);
  }
  return set;
}

export function canPublish(identity: Identity, topic: string): AclDecision {
  if (exactWriteTopics(identity).has(topic)) return ALLOW;
  const what = `publish to '${topic}'`;
  if (topic.length === 0 || hasWildcard(topic)) return deny(ACL_ERR.PUBLISH, identity, what, 'not a topic name');
  if (topic.startsWith('$')) return deny(ACL_ERR.PUBLISH, identity, what, '$-topics belong to the broker');
  if (identity.role === 'admin') return ALLOW;
  if (!parseTopic(topic)) return deny(ACL_ERR.PUBLISH, identity, what, 'not a topic of the evernet/v1 tree');
  if (writePatterns(identity).some((p) => topicMatches(p, topic))) return ALLOW;
  return deny(ACL_ERR.PUBLISH, identity, what, 'outside its write topics');
}

export function canSubscribe(identity: Identity, filter: string): AclDecision {
  const what = `subscribe to '${filter}'`;
  if (!isWellFormedFilter(filter)) return deny(ACL_ERR.SUBSCRIBE, identity, what, 'not a well-formed filter');
  if (identity.role === 'admin') return ALLOW;
  if (filter.startsWith('$')) return deny(ACL_ERR.SUBSCRIBE, identity, what, '$-topics are for admins');
  if (hasWildcard(filter) && identity.role !== 'helpdesk') return deny(ACL_ERR.SUBSCRIBE, identity, what, 'wildcards are for the helpdesk only');
  if (readPatterns(identity).some((p) => covers(p, filter))) return ALLOW;
  return deny(ACL_ERR.SUBSCRIBE, identity, what, 'outside its read topics');
}
