/**
 * Token buckets per key (identity or client id), on an injected clock. Pure arithmetic: a bucket holds
 * up to `burst` tokens and refills at `perSecond`; each publish takes one.
 */
export interface RateLimiter {
  /** takes a token for `key`; false when the bucket is empty */
  take(key: string): boolean;
  forget(key: string): void;
  size(): number;
}

export function createRateLimiter(options: { perSecond: number; burst: number; now: () => number }): RateLimiter {
  const { perSecond, burst, now } = options;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: burst, at: t };
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, t - b.at) / 1000) * perSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    forget: (key) => void buckets.delete(key),
    size: () => buckets.size,
  };
}
