/**
 * Failed logins, throttled per source address and per identity, on an injected clock. Pure bookkeeping:
 * the broker asks `check` before it spends scrypt on a CONNECT and reports the outcome after.
 *
 * - A key (an address, or a username) that fails `maxFailures` times is locked for `lockMs`; every
 *   further failure locks it again for twice as long, up to `maxLockMs`. A quiet key is forgotten after
 *   `forgetMs`. So a lockout is short and grows, and ends: devices behind one NAT address are never
 *   locked out for good.
 * - An identity that has logged in from an address ("known pair") gets in from that address even while
 *   the address or the identity is locked, as long as that pair has not failed itself: a storm from one
 *   device behind a NAT, or against one identity from elsewhere, does not lock out the others.
 * - `clean` tells the verification queue which attempts to serve first: an address without failures,
 *   or a known pair.
 * Every map is bounded (oldest entries go first), so a storm of made-up usernames cannot grow it.
 */
import type { Clock } from '../../contracts/clock.js';

export interface ThrottleOptions {
  /** failures of one key before it is locked; default 5 */
  maxFailures?: number;
  /** first lockout (ms); default 1 s, doubling per further failure */
  lockMs?: number;
  /** longest lockout (ms); default 60 s */
  maxLockMs?: number;
  /** a key without failures for this long starts over (ms); default 10 min */
  forgetMs?: number;
  /** most keys and known pairs remembered each; default 10,000 */
  maxEntries?: number;
}

export const DEFAULT_THROTTLE: Required<ThrottleOptions> = { maxFailures: 5, lockMs: 1000, maxLockMs: 60_000, forgetMs: 10 * 60_000, maxEntries: 10_000 };

export type ThrottleDecision =
  | { ok: true; clean: boolean }
  | { ok: false; by: 'address' | 'identity'; retryAfterMs: number };

interface Entry {
  failures: number;
  lockedUntil: number;
  last: number;
}

/** usernames from the wire can be anything: keys hold a bounded prefix and the length */
const userKey = (username: string) => (username.length <= 128 ? username : `${username.slice(0, 128)}#${username.length}`);
const pairKey = (address: string, username: string) => `${address}\n${userKey(username)}`;

function boundedMap<V>(max: number) {
  const m = new Map<string, V>();
  return {
    get: (k: string) => m.get(k),
    set(k: string, v: V) {
      m.delete(k); // re-inserted: now the newest
      m.set(k, v);
      if (m.size > max) m.delete(m.keys().next().value as string);
    },
    delete: (k: string) => void m.delete(k),
    has: (k: string) => m.has(k),
    get size() {
      return m.size;
    },
  };
}

export function createLoginThrottle(clock: Clock, options: ThrottleOptions = {}) {
  const o = { ...DEFAULT_THROTTLE, ...options };
  const addresses = boundedMap<Entry>(o.maxEntries);
  const identities = boundedMap<Entry>(o.maxEntries);
  const pairs = boundedMap<Entry>(o.maxEntries);
  /** pairs that logged in, and have not failed since */
  const known = boundedMap<true>(o.maxEntries);

  const live = (map: ReturnType<typeof boundedMap<Entry>>, key: string, now: number): Entry | undefined => {
    const e = map.get(key);
    if (e && now - e.last > o.forgetMs && e.lockedUntil <= now) {
      map.delete(key);
      return undefined;
    }
    return e;
  };

  function fail(map: ReturnType<typeof boundedMap<Entry>>, key: string, now: number): void {
    const e = live(map, key, now) ?? { failures: 0, lockedUntil: 0, last: now };
    e.failures++;
    e.last = now;
    if (e.failures >= o.maxFailures) e.lockedUntil = now + Math.min(o.maxLockMs, o.lockMs * 2 ** Math.min(30, e.failures - o.maxFailures));
    map.set(key, e);
  }

  return {
    /** before any scrypt work: may this address try this username now? */
    check(address: string, username: string): ThrottleDecision {
      const now = clock.now();
      const pair = pairKey(address, username);
      if (known.has(pair) && !live(pairs, pair, now)) return { ok: true, clean: true };
      const a = live(addresses, address, now);
      if (a && a.lockedUntil > now) return { ok: false, by: 'address', retryAfterMs: a.lockedUntil - now };
      const u = live(identities, userKey(username), now);
      if (u && u.lockedUntil > now) return { ok: false, by: 'identity', retryAfterMs: u.lockedUntil - now };
      return { ok: true, clean: !a };
    },
    /** whether the address has failures on record (the verification queue serves the others first) */
    clean(address: string, username: string): boolean {
      const now = clock.now();
      const pair = pairKey(address, username);
      return (known.has(pair) && !live(pairs, pair, now)) || !live(addresses, address, now);
    },
    /** a wrong secret or an unknown username */
    failed(address: string, username: string): void {
      const now = clock.now();
      const pair = pairKey(address, username);
      known.delete(pair);
      fail(addresses, address, now);
      fail(identities, userKey(username), now);
      fail(pairs, pair, now);
    },
    /** a right secret: the pair is known from now on */
    succeeded(address: string, username: string): void {
      const pair = pairKey(address, username);
      pairs.delete(pair);
      known.set(pair, true);
    },
    sizes: () => ({ addresses: addresses.size, identities: identities.size, pairs: pairs.size, known: known.size }),
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
