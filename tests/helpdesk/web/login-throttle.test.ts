/** The login throttle's bookkeeping (pure, injected clock): locks per pair, noisy addresses, names, known pairs, bounds. */
import { describe, expect, it } from 'vitest';
import { loginPolicy } from '../../../helpdesk/web/login/policy.js';
import { createLoginThrottle } from '../../../helpdesk/web/login/throttle.js';

const T = Date.UTC(2024, 0, 1);

describe('the login throttle', () => {
  it('locks a name for an address after 5 failures, 1 s doubling with each further failure, and a success clears it', () => {
    const t = createLoginThrottle(loginPolicy({ now: () => T }));
    for (let i = 1; i <= 4; i++) expect(t.failed('a', 'Bob', T)).toEqual({ failures: i, lockedForMs: 0 });
    expect(t.failed('a', 'bob', T)).toEqual({ failures: 5, lockedForMs: 1000 });
    expect(t.check('a', 'BOB', T + 999)).toEqual({ ok: false, retryAfterMs: 1, scope: 'pair' });
    expect(t.check('a', 'bob', T + 1000)).toEqual({ ok: true });
    expect(t.failed('a', 'bob', T + 1000).lockedForMs).toBe(2000);
    expect(t.failed('a', 'bob', T + 3000).lockedForMs).toBe(4000);
    expect(t.check('b', 'bob', T + 3000)).toEqual({ ok: true });
    expect(t.check('a', 'alice', T + 3000)).toEqual({ ok: true });
    t.succeeded('a', 'bob', T + 7000);
    expect(t.check('a', 'bob', T + 7000)).toEqual({ ok: true });
  });

  it('caps the lock at maxLockMs and forgets failures after the window', () => {
    const p = loginPolicy({ maxLockMs: 60_000, windowMs: 120_000 });
    const t = createLoginThrottle(p);
    for (let i = 0; i < 40; i++) t.failed('a', 'bob', T);
    expect(t.check('a', 'bob', T)).toEqual({ ok: false, retryAfterMs: 60_000, scope: 'pair' });
    expect(t.check('a', 'bob', T + 119_999).ok).toBe(true);
    expect(t.priority('a', 'bob', T + 119_999)).toBe(40);
    expect(t.priority('a', 'bob', T + 120_000)).toBe(0);
  });

  it('on a noisy address locks every name that failed from it at its first failure, but not names it has not tried', () => {
    const t = createLoginThrottle(loginPolicy({ addressFreeFailures: 20 }));
    for (let i = 0; i < 20; i++) t.failed('a', `spray-${i}`, T);
    expect(t.check('a', 'spray-3', T)).toMatchObject({ ok: false, scope: 'pair' });
    expect(t.check('a', 'alice', T)).toEqual({ ok: true });
    expect(t.check('b', 'spray-3', T)).toEqual({ ok: true });
  });

  it('locks a name attacked from many addresses for addresses that have failed, never for a clean one', () => {
    const t = createLoginThrottle(loginPolicy({ nameFreeFailures: 10 }));
    for (let i = 0; i < 10; i++) t.failed(`10.0.0.${i}`, 'alice', T);
    expect(t.check('10.0.0.1', 'alice', T)).toMatchObject({ ok: false, scope: 'name' });
    expect(t.check('10.0.0.99', 'alice', T)).toEqual({ ok: true });
    t.failed('10.0.0.99', 'someone-else', T);
    expect(t.check('10.0.0.99', 'alice', T)).toMatchObject({ ok: false, scope: 'name' });
    // a success of the real alice does not give the attackers a fresh budget
    t.succeeded('192.0.2.1', 'alice', T);
    expect(t.check('10.0.0.1', 'alice', T)).toMatchObject({ ok: false });
  });

  it('puts a pair that logged in before first (-1) until it fails or knownForMs passes', () => {
    const t = createLoginThrottle(loginPolicy({ knownForMs: 1000 }));
    expect(t.priority('a', 'alice', T)).toBe(0);
    t.succeeded('a', 'alice', T);
    expect(t.priority('a', 'ALICE', T + 999)).toBe(-1);
    expect(t.priority('b', 'alice', T)).toBe(0);
    expect(t.priority('a', 'alice', T + 1000)).toBe(0);
    t.succeeded('a', 'alice', T);
    t.failed('a', 'alice', T);
    expect(t.priority('a', 'alice', T)).toBe(1);
  });

  it('keeps at most maxTracked records of each kind', () => {
    const t = createLoginThrottle(loginPolicy({ maxTracked: 100 }));
    for (let i = 0; i < 1000; i++) {
      t.failed(`10.0.${i >> 8}.${i & 255}`, `name-${i}`, T + i);
      t.succeeded(`10.1.${i >> 8}.${i & 255}`, `name-${i}`, T + i);
    }
    expect(t.tracked).toEqual({ pairs: 100, names: 100, addresses: 100, known: 100 });
  });
});
