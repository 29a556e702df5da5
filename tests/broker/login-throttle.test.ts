/** The failed-login throttle and the scrypt verification queue, as plain functions on a test clock. */
import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../broker/auth/login-throttle.js';
import { createVerifyQueue } from '../../broker/auth/verify-queue.js';

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

describe('login throttle', () => {
  it('locks an address after five failures, for a lockout that doubles with each further failure and ends', () => {
    const c = clock();
    const th = createLoginThrottle(c, { maxFailures: 5, lockMs: 1000, maxLockMs: 4000 });
    for (let i = 0; i < 4; i++) th.failed('10.0.0.1', `user-${i}`);
    expect(th.check('10.0.0.1', 'x/y')).toEqual({ ok: true, clean: false });
    th.failed('10.0.0.1', 'user-4');
    expect(th.check('10.0.0.1', 'x/y')).toMatchObject({ ok: false, by: 'address', retryAfterMs: 1000 });
    expect(th.check('10.0.0.2', 'x/y')).toEqual({ ok: true, clean: true });
    c.advance(1000);
    expect(th.check('10.0.0.1', 'x/y').ok).toBe(true);
    th.failed('10.0.0.1', 'user-5');
    expect(th.check('10.0.0.1', 'x/y')).toMatchObject({ ok: false, retryAfterMs: 2000 });
    th.failed('10.0.0.1', 'user-6');
    th.failed('10.0.0.1', 'user-7');
    expect(th.check('10.0.0.1', 'x/y')).toMatchObject({ ok: false, retryAfterMs: 4000 }); // capped
    c.advance(4000);
    expect(th.check('10.0.0.1', 'x/y').ok).toBe(true);
  });

  it('locks an identity failing from many addresses, except on an address it has logged in from', () => {
    const c = clock();
    const th = createLoginThrottle(c);
    th.succeeded('10.0.0.9', 'anna/fridge');
    for (let i = 0; i < 5; i++) th.failed(`10.0.1.${i}`, 'anna/fridge');
    expect(th.check('10.0.2.1', 'anna/fridge')).toMatchObject({ ok: false, by: 'identity' });
    expect(th.check('10.0.0.9', 'anna/fridge')).toEqual({ ok: true, clean: true });
    // a known pair that fails loses its pass
    th.failed('10.0.0.9', 'anna/fridge');
    expect(th.check('10.0.0.9', 'anna/fridge').ok).toBe(false);
  });

  it('forgets a quiet key and keeps its maps bounded under made-up usernames', () => {
    const c = clock();
    const th = createLoginThrottle(c, { maxEntries: 100, forgetMs: 60_000 });
    for (let i = 0; i < 1000; i++) th.failed(`10.0.${i >> 8}.${i & 255}`, `u${i}/${'x'.repeat(1000)}`);
    const sizes = th.sizes();
    expect(Math.max(sizes.addresses, sizes.identities, sizes.pairs)).toBeLessThanOrEqual(100);
    for (let i = 0; i < 4; i++) th.failed('10.9.9.9', 'a/b');
    c.advance(60_001);
    th.failed('10.9.9.9', 'a/b'); // the four before are forgotten: one failure, no lock
    expect(th.check('10.9.9.9', 'a/b').ok).toBe(true);
  });
});

describe('verification queue', () => {
  it('runs at most maxConcurrent at once and maxPerSource per source, and serves clean sources first', async () => {
    const q = createVerifyQueue({ maxConcurrent: 2, maxPerSource: 1, maxQueuedPerSource: 3 });
    const order: string[] = [];
    const dirty = () => false;
    const enter = (source: string, clean: () => boolean, label: string) =>
      q.enter(source, clean).then((release) => {
        order.push(label);
        return release;
      });
    const a1 = enter('storm', dirty, 'storm-1');
    const a2 = enter('storm', dirty, 'storm-2');
    const a3 = enter('storm', dirty, 'storm-3');
    const a4 = enter('storm', dirty, 'storm-4');
    expect(await q.enter('storm', dirty)).toBeNull(); // three waiting from that source already
    const b = enter('home', () => true, 'home');
    const release1 = await a1;
    await b;
    expect(order).toEqual(['storm-1', 'home']); // storm-2 waits for storm-1's slot: one per source
    expect(q.stats()).toEqual({ running: 2, waiting: 3 });
    (await b)!();
    release1!();
    (await a2)!();
    (await a3)!();
    (await a4)!();
    expect(order).toEqual(['storm-1', 'home', 'storm-2', 'storm-3', 'storm-4']);
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
