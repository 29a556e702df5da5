/**
 * Password hashing for staff accounts: scrypt from node:crypto with a per-user random salt, compared
 * with timingSafeEqual. The stored form names its parameters, so they can be raised later:
 *   scrypt$N$r$p$<salt, base64>$<key, base64>
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 64, saltBytes: 16 } as const;
/** scrypt's CPU/memory cost; tests lower it (a power of two, at least 2) */
export interface ScryptCost {
  N: number;
}

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = SCRYPT): Promise<string> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await derive(password, salt, SCRYPT.keyLength, { N: cost.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', cost.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches the stored hash. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || expected.length === 0) return false;
  const key = await derive(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(key, expected);
}

const dummies = new Map<number, Promise<string>>();
/**
 * A hash of a random password at this cost (made on first use): verify() runs against it for unknown
 * names, so timing does not tell which names exist.
 */
export function dummyHash(cost: ScryptCost = SCRYPT): Promise<string> {
  let d = dummies.get(cost.N);
  if (!d) dummies.set(cost.N, (d = hashPassword(randomBytes(16).toString('hex'), cost)));
  return d;
}
