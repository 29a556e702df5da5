/**
 * Failed logins, counted per (address, name), per name and per address, and the locks they earn.
 * Pure bookkeeping over an injected clock: no timers, no I/O; bounded memory (maxTracked per kind,
 * least recently failed evicted; records older than windowMs forgotten).
 *
 *   pair     after pairFreeFailures failures of a name from an address, that name is locked for
 *            that address: baseLockMs, doubling with each further failure, up to maxLockMs
 *   address  an address with addressFreeFailures failures (any names) is noisy: a name that has
 *            failed from it is locked from its first failure (names it has not tried stay open)
 *   name     after nameFreeFailures failures of a name from anywhere, the name is locked too, but
 *            only for addresses that have failed at all: an attacker elsewhere cannot lock a
 *            staff member out of a clean address
 *
 * A success clears its pair only: the name's and the address's failures decay with the window. It
 * also marks the pair as known (for knownForMs, in memory): the gate serves a known pair without
 * failures before any other, so staff who logged in from an address before are checked first when
 * a storm comes from the same address (a lighter cousin of OWASP's device cookies).
 * Names are compared case-insensitively (as the staff store does).
 */
import type { LoginPolicy } from './policy.js';

interface Failures {
  failures: number;
  lastAt: number;
}

export type ThrottleCheck = { ok: true } | { ok: false; retryAfterMs: number; scope: 'pair' | 'name' };

export const nameKey = (name: string): string => name.slice(0, 64).toLowerCase();
const pairKey = (address: string, name: string): string => `${address}\n${nameKey(name)}`;

export function createLoginThrottle(policy: LoginPolicy) {
  const pairs = new Map<string, Failures>();
  const names = new Map<string, Failures>();
  const addresses = new Map<string, Failures>();
  /** pairs that logged in successfully, with when */
  const known = new Map<string, number>();

  /** the record if it is still within the window (an old one is deleted) */
  function live(map: Map<string, Failures>, key: string, now: number): Failures | undefined {
    const r = map.get(key);
    if (r && now - r.lastAt >= Math.max(policy.windowMs, policy.maxLockMs)) {
      map.delete(key);
      return undefined;
    }
    return r;
  }

  function bump(map: Map<string, Failures>, key: string, now: number): Failures {
    const r = live(map, key, now) ?? { failures: 0, lastAt: now };
    r.failures++;
    r.lastAt = now;
    // re-inserted: Map order is then least recently failed first
    map.delete(key);
    map.set(key, r);
    if (map.size > policy.maxTracked) map.delete(map.keys().next().value!);
    return r;
  }

  /** ms left of the lock `r` has earned with `free` failures allowed; 0 when none */
  function lockLeft(r: Failures | undefined, free: number, now: number): number {
    if (!r || r.failures < free) return 0;
    const lock = Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** Math.min(30, r.failures - free));
    return Math.max(0, r.lastAt + lock - now);
  }

  const noisy = (address: string, now: number): boolean => (live(addresses, address, now)?.failures ?? 0) >= policy.addressFreeFailures;

  return {
    /** May this name be tried from this address now? */
    check(address: string, name: string, now = policy.now()): ThrottleCheck {
      const pair = live(pairs, pairKey(address, name), now);
      const pairLeft = lockLeft(pair, noisy(address, now) ? 1 : policy.pairFreeFailures, now);
      const failedHere = live(addresses, address, now) !== undefined;
      const nameLeft = failedHere ? lockLeft(live(names, nameKey(name), now), policy.nameFreeFailures, now) : 0;
      if (pairLeft === 0 && nameLeft === 0) return { ok: true };
      return pairLeft >= nameLeft ? { ok: false, retryAfterMs: pairLeft, scope: 'pair' } : { ok: false, retryAfterMs: nameLeft, scope: 'name' };
    },
    /** Records a failed check; returns the pair's failures and the lock it now has (0: none). */
    failed(address: string, name: string, now = policy.now()): { failures: number; lockedForMs: number } {
      bump(addresses, address, now);
      bump(names, nameKey(name), now);
      const pair = bump(pairs, pairKey(address, name), now);
      const c = this.check(address, name, now);
      return { failures: pair.failures, lockedForMs: c.ok ? 0 : c.retryAfterMs };
    },
    succeeded(address: string, name: string, now = policy.now()): void {
      const k = pairKey(address, name);
      pairs.delete(k);
      known.delete(k);
      known.set(k, now);
      if (known.size > policy.maxTracked) known.delete(known.keys().next().value!);
    },
    /**
     * The gate's order (lower first): -1 for a pair that logged in before and has no failures since,
     * else its failures within the window.
     */
    priority(address: string, name: string, now = policy.now()): number {
      const k = pairKey(address, name);
      const failures = live(pairs, k, now)?.failures ?? 0;
      if (failures > 0) return failures;
      const at = known.get(k);
      if (at === undefined) return 0;
      if (now - at < policy.knownForMs) return -1;
      known.delete(k);
      return 0;
    },
    get tracked(): { pairs: number; names: number; addresses: number; known: number } {
      return { pairs: pairs.size, names: names.size, addresses: addresses.size, known: known.size };
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
