/** A bounded HTTP load from this process: a fixed number of GETs with a fixed concurrency, and percentiles. */

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** per request, ms, ascending */
  latencies: number[];
  bytes: number;
}

/**
 * GETs `url` `total` times, `concurrency` at a time, or until `maxMs` has passed (then the requests in
 * flight finish). Bodies are read in full but not parsed, so the client costs the server little CPU.
 * A status other than 200, or a body whose length differs from `expectBytes`, fails the run.
 */
export async function runLoad(options: {
  url: string;
  headers: Record<string, string>;
  total: number;
  concurrency: number;
  maxMs: number;
  expectBytes?: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let started = 0;
  let bytes = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (started < options.total && performance.now() - t0 < options.maxMs) {
      started++;
      const s = performance.now();
      const res = await fetch(options.url, { headers: options.headers });
      const body = await res.arrayBuffer();
      const ms = performance.now() - s;
      if (res.status !== 200) throw new Error(`GET ${options.url}: HTTP ${res.status}`);
      if (options.expectBytes !== undefined && body.byteLength !== options.expectBytes) {
        throw new Error(`GET ${options.url}: ${body.byteLength} bytes, expected ${options.expectBytes}`);
      }
      bytes += body.byteLength;
      latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - t0) / 1000;
  return { requests: latencies.length, seconds, latencies: latencies.sort((a, b) => a - b), bytes };
}
