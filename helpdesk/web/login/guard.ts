/**
 * One login under guard: refused before any hashing while its (address, name) is locked, then a
 * password check through the gate (bounded concurrency, fair queue), then counted. Refusals are 429
 * EVN_ERR_LOGIN_THROTTLED with Retry-After; a wrong password or unknown name stays 401 EVN_ERR_LOGIN
 * (the same for both, and throttled the same way, so neither tells which names exist).
 *
 * Logged: every failed check (`login failed`, warn, code EVN_ERR_LOGIN, the address, the name cut to
 * 40 printable characters, the pair's failures and any lock it earned; never the password), and
 * refusals at most once per address per 10 s with how many were refused since (`logins refused`,
 * code EVN_ERR_LOGIN_THROTTLED), so a storm cannot flood the log.
 */
import type { Logger } from 'pino';
import { HttpError, WEB_ERR } from '../errors.js';
import { createVerifyGate } from './gate.js';
import type { LoginPolicy } from './policy.js';
import { createLoginThrottle } from './throttle.js';

const REFUSAL_LOG_EVERY_MS = 10_000;
/** what goes into a log line from a client: printable ASCII, bounded */
export const loggable = (s: string, max = 40): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

export function createLoginGuard(policy: LoginPolicy, log: Logger) {
  const throttle = createLoginThrottle(policy);
  const gate = createVerifyGate(policy, (address, name) => throttle.priority(address, name));
  const refusals = new Map<string, { loggedAt: number; since: number }>();
  let refused = 0;

  function refuse(address: string, retryAfterMs: number, why: string): never {
    refused++;
    const now = policy.now();
    const r = refusals.get(address);
    if (!r || now - r.loggedAt >= REFUSAL_LOG_EVERY_MS) {
      log.warn({ code: WEB_ERR.LOGIN_THROTTLED, address: loggable(address, 64), refused: (r?.since ?? 0) + 1, why }, 'logins refused');
      refusals.delete(address);
      refusals.set(address, { loggedAt: now, since: 0 });
      if (refusals.size > policy.maxTracked) refusals.delete(refusals.keys().next().value!);
    } else r.since++;
    const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new HttpError(429, WEB_ERR.LOGIN_THROTTLED, `too many failed logins: try again in ${s} s`, undefined, { 'retry-after': String(s) });
  }

  const checkLock = (address: string, name: string): void => {
    const c = throttle.check(address, name);
    if (!c.ok) refuse(address, c.retryAfterMs, c.scope === 'pair' ? 'name locked for this address' : 'name locked');
  };

  return {
    /** The canonical name when `verify` says so; throws 429 (throttled) or 401 (wrong) as HttpError. */
    async login(address: string, name: string, verify: () => Promise<string | null>): Promise<string> {
      checkLock(address, name);
      const slot = await gate.acquire(address, name);
      if (!slot.ok) refuse(address, 1000, 'too many logins waiting');
      try {
        // the lock may have come while this login waited
        checkLock(address, name);
        const ok = await verify();
        if (ok) {
          throttle.succeeded(address, name);
          return ok;
        }
        const f = throttle.failed(address, name);
        log.warn(
          { code: WEB_ERR.LOGIN, address: loggable(address, 64), name: loggable(name), failures: f.failures, ...(f.lockedForMs ? { lockedForS: Math.ceil(f.lockedForMs / 1000) } : {}) },
          'login failed',
        );
        throw new HttpError(401, WEB_ERR.LOGIN, 'unknown name or wrong password');
      } finally {
        slot.release();
      }
    },
    stats: () => ({ refused, running: gate.running, queued: gate.queued, tracked: throttle.tracked }),
  };
}
export type LoginGuard = ReturnType<typeof createLoginGuard>;
