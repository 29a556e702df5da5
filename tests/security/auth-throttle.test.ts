/**
 * Finding 2 of the hardening issue: a storm of wrong-secret CONNECTs must not starve a valid device.
 * Real broker on port 0, real mqtt.js clients from distinct loopback addresses, a frozen clock for the
 * throttle (lockouts end only when the test moves time). Assertions are on CONNACK codes and counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, type RunningBroker } from '../../broker/server.js';
import { attemptFrom, connectFrom, credentialsAt, memoryLog, testClock, waitFor } from './hardening-fixture.js';

/** about 10 ms per verification: a 200-attempt storm is a second of scrypt on this machine */
const COST = { N: 4096, r: 8, p: 1 };
const NAMES: Array<[string]> = [['anna/fridge'], ['bob/meter'], ['carl/car'], ['dora/washer']];

describe('authentication under a storm of wrong secrets', () => {
  let broker: RunningBroker | null = null;
  afterEach(async () => {
    await broker?.stop();
    broker = null;
  });

  async function start() {
    const creds = await credentialsAt(NAMES, COST);
    const clock = testClock();
    const mem = memoryLog();
    broker = await createBroker({ port: 0, auth: { credentials: creds.store }, clock, log: mem.log }).start();
    return { ...creds, clock, mem, url: broker.url, stats: () => broker!.stats() };
  }
  const verified = (byCode: Record<string, number>) => (byCode.EVN_ERR_AUTH_BAD_SECRET ?? 0) + (byCode.EVN_ERR_AUTH_UNKNOWN_USER ?? 0);

  it('lets a valid device from a clean address in before the storm from another address is verified, and refuses the storm with a code', async () => {
    const b = await start();
    const storm = Array.from({ length: 200 }, (_, i) =>
      attemptFrom('127.0.0.2', b.url, i % 2 === 0 ? { clientId: 'evernet-bob-meter', username: 'bob/meter', password: `guess-${i}` } : { clientId: `evernet-x${i}-y`, username: `x${i}/y`, password: 'guess' }),
    );
    // the storm is under way: the broker has verified (and refused) its first wrong secret
    expect(await waitFor(() => verified(b.stats().byCode) > 0, 1000, 2)).toBe(true);
    const device = await connectFrom('127.0.0.1', b.url, { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: b.secret('anna/fridge') });
    const verifiedWhenIn = verified(b.stats().byCode);
    await device.endAsync(true);
    const codes = await Promise.all(storm);

    // today every storm attempt reaches scrypt first (FIFO thread pool): the device waits for all 200
    expect(verifiedWhenIn).toBeLessThan(50);
    expect(codes.every((c) => c === 3 || c === 4)).toBe(true);
    // refused before any scrypt work: the address is locked after a few failures
    expect(codes.filter((c) => c === 3).length).toBeGreaterThan(150);
    expect(verified(b.stats().byCode)).toBeLessThan(50);
    expect(b.stats().byCode.EVN_ERR_AUTH_THROTTLED).toBe(codes.filter((c) => c === 3).length);
    // failed logins are logged with their code, never with the secret
    const failed = b.mem.lines.filter((l) => l.code === 'EVN_ERR_AUTH_BAD_SECRET' || l.code === 'EVN_ERR_AUTH_THROTTLED');
    expect(failed.length).toBeGreaterThan(0);
    expect(b.mem.text()).not.toContain('guess');
  }, 60_000);

  it('locks an address out for a short time that grows, lets in an identity already known from it, and lets others in once the lockout is over', async () => {
    const b = await start();
    const from = '127.0.0.3';
    const good = (u: string) => ({ clientId: `evernet-${u.replace('/', '-')}`, username: u, password: b.secret(u) });
    // anna's fridge has logged in from this address (a home behind one NAT address)
    expect(await attemptFrom(from, b.url, good('anna/fridge'))).toBe(0);
    for (let i = 0; i < 5; i++) expect(await attemptFrom(from, b.url, { ...good('bob/meter'), password: 'wrong' })).toBe(4);
    // locked: even a right secret from this address is refused without being checked...
    expect(await attemptFrom(from, b.url, good('carl/car'))).toBe(3);
    // ...except for an identity that has logged in from this address before
    expect(await attemptFrom(from, b.url, good('anna/fridge'))).toBe(0);
    // another address is not affected
    expect(await attemptFrom('127.0.0.4', b.url, good('carl/car'))).toBe(0);
    b.clock.advance(1_000);
    expect(await attemptFrom(from, b.url, good('carl/car'))).toBe(0);
    // the next failure locks again, for longer
    expect(await attemptFrom(from, b.url, { ...good('bob/meter'), password: 'wrong' })).toBe(4);
    b.clock.advance(1_000);
    expect(await attemptFrom(from, b.url, good('dora/washer'))).toBe(3);
    b.clock.advance(1_000);
    expect(await attemptFrom(from, b.url, good('dora/washer'))).toBe(0);
    const throttled = b.mem.lines.filter((l) => l.code === 'EVN_ERR_AUTH_THROTTLED');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toMatchObject({ remote: from, returnCode: 3 });
  }, 30_000);

  it('locks an identity that fails from many addresses, but not on an address it has logged in from', async () => {
    const b = await start();
    const bob = { clientId: 'evernet-bob-meter', username: 'bob/meter', password: b.secret('bob/meter') };
    expect(await attemptFrom('127.0.1.1', b.url, bob)).toBe(0);
    for (let i = 0; i < 5; i++) expect(await attemptFrom(`127.0.2.${i + 1}`, b.url, { ...bob, password: 'wrong' })).toBe(4);
    expect(await attemptFrom('127.0.3.1', b.url, bob)).toBe(3);
    expect(await attemptFrom('127.0.1.1', b.url, bob)).toBe(0);
    b.clock.advance(1_000);
    expect(await attemptFrom('127.0.3.1', b.url, bob)).toBe(0);
  }, 30_000);
});
