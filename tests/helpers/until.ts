/**
 * Polling for a condition that real I/O makes true within milliseconds: checks it every 5 ms and fails
 * with a message naming what it waited for after `ms`.
 */

/** resolves once `pred` holds; `what` (or what it returns at the time) names the wait in the timeout message */
export async function until(pred: () => boolean | Promise<boolean>, ms = 3000, what: string | (() => string) = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
