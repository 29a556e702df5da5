/**
 * Ingest: every message the helpdesk receives passes here. It is validated against the contract
 * (a bad one is rejected with a coded reason, counted and logged; never a crash), de-duplicated by
 * the sender's sequence number (QoS 1 may redeliver), and buffered until the event-time watermark
 * passes it. A sequence number further ahead than the sender could have counted is refused
 * (EVN_ERR_SEQ_JUMP) rather than adopted, unless the device has just connected anew.
 * `drain(watermark)` hands messages on in event-time order (ts, sender, seq), so the helpdesk's
 * decisions do not depend on how messages from different devices interleaved on the wire.
 */
import type { Logger } from 'pino';
import { decode, ERR, streamOf, type Decoded, type EvnErrorCode } from '../../contracts/index.js';

export interface IngestStats {
  received: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  /** messages missing according to sequence-number gaps */
  gaps: number;
  byCode: Partial<Record<EvnErrorCode, number>>;
}

/** ingest's state in a checkpoint (helpdesk/checkpoint.ts): what it remembers of each sender and what waits for the watermark */
export interface IngestSnapshot {
  stats: IngestStats;
  last: Map<string, { seq: number; ts: number }>;
  reconnected: Set<string>;
  duplicatesOf: Map<string, number>;
  buffer: Buffered[];
}

/** what ingest remembers of a sender; `owner`: the map of the ingest it belongs to (its topics' memos are shared) */
interface SenderRecord {
  seq: number;
  ts: number;
  owner: Map<string, SenderRecord>;
}

interface Buffered {
  ts: number;
  sender: string;
  seq: number;
  msg: Decoded;
}

/** the sequence a message counts in (ParsedTopic.stream): made once per topic, not per message */
function senderOf(d: Decoded): string {
  const t = d.topic;
  if (t.scope === 'device') {
    // availability carries the connection number as seq: the last will of a connection has the same
    // seq as its "online", so online and offline are deduplicated apart
    if (d.channel === 'availability') return `${t.stream}/${d.payload.state}`;
    // an announce carries the connection number as seq, like availability; telemetry and events share one
    return t.stream;
  }
  return `${t.customerId}/_/${t.channel}`;
}

/**
 * How far a sender's sequence may move ahead of its last accepted message: 1,000, plus 100 a second
 * of event time in between (no device sends that fast; its outbox may have dropped that many).
 */
export const SEQ_JUMP_BASE = 1000;
export const SEQ_JUMP_PER_SECOND = 100;
const maxJump = (dtMs: number): number => SEQ_JUMP_BASE + Math.max(0, dtMs / 1000) * SEQ_JUMP_PER_SECOND;
const tooFar = (prev: { seq: number; ts: number }, seq: number, ts: number): boolean => seq > prev.seq + maxJump(ts - prev.ts);

/** logs the 1st, 2nd, 4th, 8th ... duplicate of a sender: every one counted, the log stays bounded */
const worthLogging = (n: number): boolean => (n & (n - 1)) === 0;

export interface IngestOptions {
  log: Logger;
  /**
   * the helpdesk's own checks after the contract (unknown device, kind mismatch): a code rejects;
   * `logged`: the admitter has logged it already (once per device), so the rejection is only counted
   */
  admit?: (d: Decoded) => { code: EvnErrorCode; reason: string; logged?: boolean } | null;
  /**
   * `received(n, through)` counts only the messages with event time <= `through` (and those without one): a
   * pipelined replay's barrier, while the next window's messages already arrive (scenario `pipeline`); default off
   */
  countThrough?: boolean;
}

export function createIngest(options: IngestOptions) {
  const { log } = options;
  const stats: IngestStats = { received: 0, accepted: 0, rejected: 0, duplicates: 0, gaps: 0, byCode: {} };
  const last = new Map<string, SenderRecord>();
  /** data senders whose device connected anew since their last message: they may start a new sequence */
  const reconnected = new Set<string>();
  const duplicatesOf = new Map<string, number>();
  let buffer: Buffered[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  /** countThrough: the event time counted up to, the messages received at or before it, the times of those after */
  let through = -Infinity;
  let upTo = 0;
  let later: number[] = [];
  const counted = (): number => (options.countThrough ? upTo : stats.received);

  function reject(code: EvnErrorCode, topic: string, reason: string, logged = false): void {
    stats.rejected++;
    stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
    if (!logged) log.warn({ code, topic, reason }, 'message rejected');
  }

  return {
    /** Takes one raw message off the wire. Never throws. */
    accept(topic: string, payload: Uint8Array): void {
      stats.received++;
      let at = -Infinity;
      try {
        const r = decode(topic, payload);
        if (r.ok) at = r.value.payload.ts;
        const refused = r.ok ? (options.admit?.(r.value) ?? null) : null;
        if (!r.ok) reject(r.error.code, topic, r.error.reason);
        else if (refused) reject(refused.code, topic, refused.reason, refused.logged);
        else {
          const msg = r.value;
          const sender = senderOf(msg);
          const { seq, ts } = msg.payload;
          // telemetry and events: the sender's record from the topic's memo (contracts TopicMemos), else the map
          const t = msg.topic;
          const data = t.scope === 'device' && (msg.channel === 'telemetry' || msg.channel === 'event') ? t : null;
          const memo = data?.ingestMemo as SenderRecord | undefined;
          const prev = memo !== undefined && memo.owner === last ? memo : last.get(sender);
          if (data && prev && prev !== memo) data.ingestMemo = prev;
          // most of a day no sender has just reconnected: no lookup then
          const fresh = reconnected.size !== 0 && reconnected.delete(sender);
          if (prev && seq <= prev.seq && ts <= prev.ts) {
            stats.duplicates++;
            stats.byCode[ERR.DUPLICATE] = (stats.byCode[ERR.DUPLICATE] ?? 0) + 1;
            const n = (duplicatesOf.get(sender) ?? 0) + 1;
            duplicatesOf.set(sender, n);
            if (worthLogging(n)) log.warn({ code: ERR.DUPLICATE, topic, seq, count: n }, 'duplicate dropped');
          } else if (prev && !fresh && tooFar(prev, seq, ts)) {
            reject(ERR.SEQ_JUMP, topic, `sequence ${seq} is more than ${Math.floor(maxJump(ts - prev.ts))} ahead of the sender's last ${prev.seq}`);
          } else {
            // a new connection that starts a new sequence leaves no hole; a jump within reach does
            if (prev && seq > prev.seq + 1 && !tooFar(prev, seq, ts)) stats.gaps += seq - prev.seq - 1;
            // the sender's record changes in place: a new one a message would be promoted into the old
            // generation with the map and die there at the sender's next message
            if (prev) {
              prev.seq = seq;
              prev.ts = ts;
            } else last.set(sender, { seq, ts, owner: last });
            stats.accepted++;
            buffer.push({ ts, sender, seq, msg });
            if (msg.channel === 'availability' && msg.payload.state === 'online') {
              reconnected.add(streamOf(msg.topic.key, 'telemetry'));
            }
          }
        }
      } finally {
        if (options.countThrough) {
          if (at <= through) upTo++;
          else later.push(at);
        }
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (counted() >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
        }
      }
    },
    /** Rejects a message that passed the contract but not the helpdesk's own checks (unknown device, ...). */
    reject,
    /** Removes and returns, in event-time order, every buffered message with ts <= watermark. */
    drain(watermark: number): Decoded[] {
      if (buffer.length === 0) return [];
      const ready: Buffered[] = [];
      const keep: Buffered[] = [];
      for (const b of buffer) (b.ts <= watermark ? ready : keep).push(b);
      buffer = keep;
      ready.sort((a, b) => a.ts - b.ts || (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0) || a.seq - b.seq);
      return ready.map((b) => b.msg);
    },
    /**
     * Resolves once `n` messages have been received in total (the replay's barrier); with countThrough, `n` of
     * event time <= `through` (a later `through` counts the messages it now covers; an earlier one is ignored).
     */
    received(n: number, at?: number): Promise<void> {
      if (options.countThrough && at !== undefined && at > through) {
        through = at;
        const keep: number[] = [];
        for (const t of later) if (t <= at) upTo++; else keep.push(t);
        later = keep;
      }
      if (counted() >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    stats: (): IngestStats => ({ ...stats, byCode: { ...stats.byCode } }),
    /** the state a checkpoint holds (the messages received and not yet drained included) */
    snapshot: (): IngestSnapshot => ({ stats: { ...stats, byCode: { ...stats.byCode } }, last: new Map([...last].map(([k, v]) => [k, { seq: v.seq, ts: v.ts }])), reconnected: new Set(reconnected), duplicatesOf: new Map(duplicatesOf), buffer: [...buffer] }),
    /** takes a snapshot's state over (before any message is accepted) */
    restore(s: IngestSnapshot): void {
      Object.assign(stats, s.stats, { byCode: { ...s.stats.byCode } });
      for (const [k, v] of s.last) {
        // in place where it is known: a topic's memo may point to it
        const was = last.get(k);
        if (was) {
          was.seq = v.seq;
          was.ts = v.ts;
        } else last.set(k, { seq: v.seq, ts: v.ts, owner: last });
      }
      for (const k of s.reconnected) reconnected.add(k);
      for (const [k, v] of s.duplicatesOf) duplicatesOf.set(k, v);
      buffer = [...s.buffer];
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
