/**
 * The raw cost of one login on this machine: verifySecret at the production scrypt parameters, alone
 * and with libuv's whole thread pool busy. The connect storm cannot beat the parallel figure.
 */
import { DEFAULT_COST, generateSecret, hashSecret, verifySecret } from '../../broker/auth/secret.js';

export async function scryptCost(): Promise<{ msPerLogin: number; loginsPerSecond: number }> {
  const stored = await hashSecret(generateSecret(), DEFAULT_COST);
  const attempt = generateSecret();
  await verifySecret(attempt, stored);
  let t0 = performance.now();
  for (let i = 0; i < 5; i++) await verifySecret(attempt, stored);
  const msPerLogin = (performance.now() - t0) / 5;
  const parallel = 40;
  t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, () => verifySecret(attempt, stored)));
  return { msPerLogin, loginsPerSecond: parallel / ((performance.now() - t0) / 1000) };
}
