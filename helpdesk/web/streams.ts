/**
 * The open live streams, by the session that opened each: logout ends a session's streams at once,
 * a sweep ends those whose session has expired or is gone, and close() ends them all (server stop).
 * Holds closers only; what a stream sends is routes/events.ts's business.
 */
export interface StreamRegistry {
  /** registers a stream's closer under its session id; returns the function that forgets it */
  add(sessionId: string, close: () => void): () => void;
  /** ends every stream of this session */
  endSession(sessionId: string): number;
  /** ends the streams of every session for which `live` says false; returns how many ended */
  sweep(live: (sessionId: string) => boolean): number;
  /** ends every stream */
  endAll(): void;
  readonly size: number;
}

export function createStreamRegistry(): StreamRegistry {
  const bySession = new Map<string, Set<() => void>>();
  let size = 0;

  const end = (closers: Set<() => void> | undefined): number => {
    if (!closers) return 0;
    const all = [...closers];
    // each closer forgets itself (remove below) as it runs
    for (const close of all) close();
    return all.length;
  };

  return {
    add(sessionId, close) {
      let set = bySession.get(sessionId);
      if (!set) bySession.set(sessionId, (set = new Set()));
      set.add(close);
      size++;
      return () => {
        const s = bySession.get(sessionId);
        if (!s?.delete(close)) return;
        size--;
        if (s.size === 0) bySession.delete(sessionId);
      };
    },
    endSession: (sessionId) => end(bySession.get(sessionId)),
    sweep(live) {
      let ended = 0;
      for (const [id, closers] of [...bySession]) if (!live(id)) ended += end(closers);
      return ended;
    },
    endAll() {
      for (const closers of [...bySession.values()]) end(closers);
    },
    get size() {
      return size;
    },
  };
}
