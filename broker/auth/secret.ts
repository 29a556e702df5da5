/**
 * Secrets: generated at random, stored only as a scrypt hash with a salt of their own, compared in
 * constant time. The cost parameters travel with each hash, so they can be raised later per entry.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

export const SecretHash = z.object({
  algo: z.literal('scrypt'),
  N: z.number().int().min(2).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().min(16),
  hash: z.string().min(16),
});
export type SecretHash = z.infer<typeof SecretHash>;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** About 45 ms per hash on a 2-core CI machine; secrets are 192 random bits, so this is ample. */
export const DEFAULT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A fresh secret: 24 random bytes, base64url (32 characters, no padding). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

export async function hashSecret(secret: string, cost: ScryptCost = DEFAULT_COST): Promise<SecretHash> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return { algo: 'scrypt', ...cost, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** Constant-time comparison of a presented secret with a stored hash; never throws. */
export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  try {
    const expected = Buffer.from(stored.hash, 'base64');
    const key = await derive(secret, Buffer.from(stored.salt, 'base64'), stored);
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/**
 * A hash nobody's secret matches, verified against for unknown usernames, so that a wrong name and a
 * wrong secret take the same time (no user enumeration by timing).
 */
export const DECOY_HASH: SecretHash = {
  algo: 'scrypt',
  ...DEFAULT_COST,
  salt: randomBytes(16).toString('base64'),
  hash: randomBytes(KEY_LENGTH).toString('base64'),
};
