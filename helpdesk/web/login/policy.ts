/**
 * How the dashboard's login defends itself, as one options object (defaults merged once, in
 * loginPolicy()). Failures are counted per (source address, name), per name and per address; a
 * password check (scrypt, ~45 ms of a thread-pool thread at the production cost) runs only through
 * the gate, which bounds how many run at once. See throttle.ts and gate.ts.
 */
export interface LoginPolicy {
  /** wall clock for locks (an I/O edge concern, like session expiry); default Date.now */
  now: () => number;
  /** coarse limit: login requests per address per minute, whatever their outcome (@fastify/rate-limit) */
  requestsPerMinute: number;
  /** failures of one name from one address before it is locked for that address */
  pairFreeFailures: number;
  /** failures of one name from all addresses before it is locked, for addresses that have failed at all */
  nameFreeFailures: number;
  /** failures from one address (any names) that make it noisy: then a name that failed from it is locked at once */
  addressFreeFailures: number;
  /** the first lock; each further failure doubles it, up to maxLockMs */
  baseLockMs: number;
  maxLockMs: number;
  /** a record with no failure for this long is forgotten */
  windowMs: number;
  /** how long a successful login from an address puts that (address, name) first in the gate's queue */
  knownForMs: number;
  /** most records kept per kind (pairs, names, addresses); the least recently failed go first */
  maxTracked: number;
  /** password checks running at once, in all */
  maxConcurrent: number;
  /** password checks running at once for one address */
  maxConcurrentPerAddress: number;
  /** logins waiting for a check, in all / per address / per (address, name); beyond, a 429 at once */
  maxQueued: number;
  maxQueuedPerAddress: number;
  maxQueuedPerName: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  now: Date.now,
  requestsPerMinute: 600,
  pairFreeFailures: 5,
  nameFreeFailures: 10,
  addressFreeFailures: 20,
  baseLockMs: 1000,
  maxLockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
  knownForMs: 30 * 24 * 3600_000,
  maxTracked: 10_000,
  maxConcurrent: 2,
  maxConcurrentPerAddress: 1,
  maxQueued: 256,
  maxQueuedPerAddress: 64,
  maxQueuedPerName: 2,
};

export function loginPolicy(options: Partial<LoginPolicy> = {}): LoginPolicy {
  return { ...DEFAULT_LOGIN_POLICY, ...options };
}
