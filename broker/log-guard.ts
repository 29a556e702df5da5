/**
 * What the broker logs about untrusted input, kept small. Pure helpers:
 *
 *   bounded(text)      a string from a client (client id, username, topic, a reason built from them) cut
 *                      to a bounded length, with an ellipsis and the original length
 *   createRepeatGate   collapses repeated lines: the first line for a key (code + source) in a window
 *                      is logged, the rest are counted and summed up in one line when the window ends
 *
 * Counters (broker.stats()) still count every event; only the log lines are collapsed.
 */

export const MAX_LOGGED_CHARS = 128;

/** `text` if short, else its first `max` characters, an ellipsis and the original length */
export function bounded(text: string, max = MAX_LOGGED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** bounded() for a value that may be missing */
export function boundedOpt(text: string | undefined | null, max = MAX_LOGGED_CHARS): string | undefined {
  return typeof text === 'string' ? bounded(text, max) : undefined;
}

export interface RepeatGateOptions {
  /** how long lines with the same key are collapsed after the first (ms); default 10 s */
  windowMs?: number;
  /** most keys remembered; the oldest window is closed early beyond it; default 1,000 */
  maxKeys?: number;
}

/** a window that ended with lines suppressed: log one line saying how many */
export interface Summary {
  key: string;
  suppressed: number;
  /** the fields of the first line of the window (code, remote, ...) */
  fields: Record<string, unknown>;
}

interface Window {
  until: number;
  suppressed: number;
  fields: Record<string, unknown>;
}

export function createRepeatGate(options: RepeatGateOptions = {}) {
  const windowMs = options.windowMs ?? 10_000;
  const maxKeys = options.maxKeys ?? 1000;
  const windows = new Map<string, Window>();

  const close = (key: string, w: Window, out: Summary[]) => {
    windows.delete(key);
    if (w.suppressed > 0) out.push({ key, suppressed: w.suppressed, fields: w.fields });
  };

  return {
    /**
     * One line about to be logged, at `now`: `log` says whether to write it; `summaries` are windows
     * that have ended (for any key) and must be summed up first.
     */
    note(key: string, now: number, fields: Record<string, unknown> = {}): { log: boolean; summaries: Summary[] } {
      const summaries = this.due(now);
      const w = windows.get(key);
      if (w) {
        w.suppressed++;
        return { log: false, summaries };
      }
      if (windows.size >= maxKeys) {
        const [oldestKey, oldest] = windows.entries().next().value as [string, Window];
        close(oldestKey, oldest, summaries);
      }
      windows.set(key, { until: now + windowMs, suppressed: 0, fields });
      return { log: true, summaries };
    },
    /** windows that have ended by `now` */
    due(now: number): Summary[] {
      const out: Summary[] = [];
      for (const [key, w] of windows) if (w.until <= now) close(key, w, out);
      return out;
    },
    /** every open window, ended now (on stop) */
    flush(): Summary[] {
      const out: Summary[] = [];
      for (const [key, w] of windows) close(key, w, out);
      return out;
    },
    size: () => windows.size,
  };
}
export type RepeatGate = ReturnType<typeof createRepeatGate>;
