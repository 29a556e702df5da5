/**
 * Silence is an incident: a device that stops reporting, or stays offline, raises `device-offline`.
 * Pure and in event time: telemetry and availability move it (`heard`, `availability`), the
 * helpdesk's watermark moves time (`tick(now)`), so a replay drills it exactly as it happens live.
 *
 * A device is silent once no telemetry came for `intervals` times its reporting interval, and never
 * sooner than `minSilentS` (a Wi-Fi hiccup is not an incident). The interval is the one the device
 * declared (its announce's reportEveryS), or the one learned from its last `learnIntervals`
 * intervals (their median, trusted after `minIntervals`), whichever is longer: a device that reports
 * more slowly than it said does not flap. An offline availability (a last will, a goodbye) that
 * lasts `offlineAfterS` raises it too, whichever comes first. The signal is timed at the moment the
 * limit passed, not at the tick that noticed it.
 *
 * Silence counts from when the helpdesk handled the device's last telemetry (its event time, the
 * watermark's clock), not from the device's own stamp: a device whose clock lags, or a backlog of
 * old telemetry draining after a reconnect, is not taken for silent.
 * It clears on the next telemetry ("data returns"); an "online" alone does not clear it. A device
 * never heard from since the helpdesk started raises nothing: it may never have been switched on
 * (after a restart, a device is watched again from its first telemetry).
 * A periodic device reports on a fixed interval whatever it is doing (a parked car, an idle washer): a
 * device that sleeps must declare a reporting interval that covers its sleep. A device that reports by
 * exception (its announce's `report`, told here by `declare`) may stay quiet for a whole heartbeat when
 * nothing changes: it is silent once `heartbeats` heartbeats and one sample period passed without
 * telemetry (never sooner than `minSilentS`); what its messages' intervals look like says nothing then.
 */
import type { ReportMode, TopicMemos } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import type { Signal } from './detector.js';

export const SILENCE_KIND = 'device-offline';

export interface SilenceOptions {
  /** N: silent after this many reporting intervals without telemetry */
  intervals: number;
  /** never silent sooner than this (s) */
  minSilentS: number;
  /** M: an offline availability lasting this long (s) raises it too */
  offlineAfterS: number;
  /** intervals kept to learn a device's reporting interval */
  learnIntervals: number;
  /** intervals seen before the learned one is trusted */
  minIntervals: number;
  /** a device reporting by exception: silent after this many heartbeats (and one sample period) without telemetry */
  heartbeats: number;
}

export const SILENCE: SilenceOptions = { intervals: 10, minSilentS: 600, offlineAfterS: 600, learnIntervals: 15, minIntervals: 3, heartbeats: 2 };

/** What the helpdesk knows of a device now; undefined: no longer known (its state is forgotten). */
export type SilenceLookup = (customerId: string, deviceId: string) => { reportEveryS?: number } | undefined;

interface DeviceSilence {
  /** its key (customer/device) and its place in the watch's dense arrays (not in a snapshot) */
  key: string;
  slot: number;
  customerId: string;
  deviceId: string;
  /** when the helpdesk last heard its telemetry (its own event time: the device's clock may lag) */
  lastHeard: number;
  /** the device's own time of its last telemetry, for learning its interval */
  lastTs: number;
  /** the last learnIntervals intervals (ms), a ring, and where the next goes */
  intervals: number[];
  next: number;
  /** their median, once trusted (null: not yet, or to be computed again) */
  learned: number | null;
  /** when the helpdesk handled its offline availability: telemetry handled then too was sent before the drop */
  offlineSince: number | null;
  offlineReason: string | null;
  firing: boolean;
  /** it reports by exception (its announce); null: periodically */
  report: ReportMode | null;
  /** the map of the watch it belongs to, and whether it was forgotten there (its topics' memos: contracts TopicMemos; not in a snapshot) */
  owner: Map<string, DeviceSilence>;
  stale: boolean;
}

/** a device's record as a checkpoint holds it */
type SavedSilence = Omit<DeviceSilence, 'key' | 'slot' | 'owner' | 'stale'>;

/** the silence watch's state in a checkpoint (helpdesk/checkpoint.ts) */
export interface SilenceSnapshot {
  devices: Map<string, SavedSilence>;
  reports: Map<string, ReportMode>;
}

export interface Keyed {
  customerId: string;
  deviceId: string;
  signal: Signal;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** '5 s', '10 min', '2 h 5 min' */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 120 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

export function createSilence(options: Partial<SilenceOptions> = {}) {
  const o = { ...SILENCE, ...options };
  const devices = new Map<string, DeviceSilence>();
  /** how each device that announced report-by-exception reports */
  const reports = new Map<string, ReportMode>();
  const keyOf = (c: string, d: string): string => `${c}/${d}`;
  /**
   * Every device, densely, and from when tick() must look at it (wakeAt[s.slot], a packed array of
   * numbers): a tick reads that array instead of every device's record. In a fleet's helpdesk the
   * records are spread over a large heap, and reading each of 27,000 every window was a cache miss
   * each (docs/fleets.md).
   */
  const order: DeviceSilence[] = [];
  const wakeAt: number[] = [];
  /**
   * Before this, tick() passes the device over: heard within minSilentS and not offline, or reporting by
   * exception and quiet for less than its limit (a removed one is then forgotten; what the directory
   * says cannot make it due sooner).
   */
  function wakeOf(s: DeviceSilence): number {
    const heardRecently = s.offlineSince === null ? s.lastHeard + o.minSilentS * 1000 : -Infinity;
    const quiet = s.report && !s.firing ? exceptionDueAt(s, s.report) : -Infinity;
    return Math.max(heardRecently, quiet);
  }
  const rewake = (s: DeviceSilence): void => {
    wakeAt[s.slot] = wakeOf(s);
  };
  function add(s: DeviceSilence): void {
    devices.set(s.key, s);
    s.slot = order.length;
    order.push(s);
    wakeAt.push(wakeOf(s));
  }
  /** forgets the device in `slot`: the last one takes its place */
  function removeAt(slot: number): void {
    const s = order[slot]!;
    s.stale = true;
    devices.delete(s.key);
    reports.delete(s.key);
    const last = order.pop()!;
    const w = wakeAt.pop()!;
    if (last !== s) {
      last.slot = slot;
      order[slot] = last;
      wakeAt[slot] = w;
    }
  }
  const record = (key: string, customerId: string, deviceId: string, lastHeard: number, lastTs: number, firing: boolean): DeviceSilence => ({
    key, slot: -1, customerId, deviceId, lastHeard, lastTs, intervals: [], next: 0, learned: null, offlineSince: null, offlineReason: null, firing, report: reports.get(key) ?? null, owner: devices, stale: false,
  });

  function learnedMs(s: DeviceSilence): number | null {
    if (s.intervals.length < o.minIntervals) return null;
    s.learned ??= median(s.intervals);
    return s.learned;
  }

  /** when a device reporting by exception counts as silent or offline (due() without its reasons) */
  function exceptionDueAt(s: DeviceSilence, report: ReportMode): number {
    const silentAt = s.lastHeard + Math.max(o.heartbeats * report.heartbeatS * 1000 + report.sampleEveryS * 1000, o.minSilentS * 1000);
    return s.offlineSince === null ? silentAt : Math.min(silentAt, s.offlineSince + o.offlineAfterS * 1000);
  }

  /** When the device counts as silent or offline, and why; null: not yet known. */
  function due(s: DeviceSilence, declaredS: number | undefined): { at: number; cause: 'silent' | 'offline'; everyMs: number | null; limitMs: number | null } | null {
    let everyMs: number | null;
    let limitMs: number | null;
    if (s.report) {
      // by exception: a heartbeat is the longest normal silence, however close its messages come otherwise
      everyMs = s.report.heartbeatS * 1000;
      limitMs = Math.max(o.heartbeats * everyMs + s.report.sampleEveryS * 1000, o.minSilentS * 1000);
    } else {
      const learned = learnedMs(s);
      const declared = declaredS === undefined ? null : declaredS * 1000;
      everyMs = declared === null ? learned : Math.max(declared, learned ?? 0);
      limitMs = everyMs === null ? null : Math.max(o.intervals * everyMs, o.minSilentS * 1000);
    }
    const silentAt = limitMs === null ? Infinity : s.lastHeard + limitMs;
    const offlineAt = s.offlineSince === null ? Infinity : s.offlineSince + o.offlineAfterS * 1000;
    if (silentAt === Infinity && offlineAt === Infinity) return null;
    return offlineAt <= silentAt ? { at: offlineAt, cause: 'offline', everyMs, limitMs } : { at: silentAt, cause: 'silent', everyMs, limitMs };
  }

  function fire(s: DeviceSilence, d: NonNullable<ReturnType<typeof due>>): Signal {
    const every = d.everyMs === null ? null : duration(d.everyMs);
    const quiet = duration(d.at - s.lastHeard);
    const observed =
      d.cause === 'offline'
        ? `offline (${s.offlineReason === 'will' ? 'its connection dropped' : 'it said goodbye'}) for ${duration(d.at - s.offlineSince!)}, no telemetry for ${quiet}`
        : `no telemetry for ${quiet}${every ? (s.report ? ` (its heartbeat is every ${every})` : ` (it reports every ${every})`) : ''}`;
    return {
      type: 'fire',
      kind: SILENCE_KIND,
      severity: 'medium',
      at: d.at,
      evidence: {
        expected: every ? (s.report ? `telemetry at least every ${every} (its heartbeat)` : `telemetry every ${every}`) : 'the device online and reporting',
        observed,
        since: s.lastHeard,
        lastHeardAt: s.lastHeard,
        cause: d.cause,
        reportEveryS: d.everyMs === null ? null : round(d.everyMs / 1000, 3),
        silentAfterS: d.limitMs === null ? null : d.limitMs / 1000,
        offlineSince: s.offlineSince,
        offlineAfterS: o.offlineAfterS,
        availability: s.offlineReason,
        ...(s.report ? { report: 'exception', heartbeatS: s.report.heartbeatS } : {}),
      },
    };
  }

  return {
    /**
     * Telemetry of a device stamped ts (its clock) was handled at `now` (the helpdesk's); returns the
     * clear when it had been silent. Silence counts from `now`, so a device whose clock lags, or a
     * backlog of old telemetry draining after it is back, is not taken for silent; its interval is
     * learned from its own stamps. `key`: the device's key, when the caller has it (ParsedTopic.key).
     */
    heard(customerId: string, deviceId: string, ts: number, now: number, key?: string, topic?: TopicMemos): Signal | undefined {
      const k = key ?? keyOf(customerId, deviceId);
      // from the topic's memo (contracts TopicMemos) when it is this watch's and the device is still watched, else the map
      const memo = topic?.silenceMemo as DeviceSilence | undefined;
      const s = memo !== undefined && memo.owner === devices && !memo.stale ? memo : devices.get(k);
      if (s !== undefined && topic !== undefined && s !== memo) topic.silenceMemo = s;
      if (!s) {
        add(record(k, customerId, deviceId, now, ts, false));
        return undefined;
      }
      if (ts <= s.lastTs) return undefined;
      const gap = ts - s.lastTs;
      s.lastTs = ts;
      if (s.intervals.length < o.learnIntervals) s.intervals.push(gap);
      else s.intervals[s.next] = gap;
      s.next = (s.next + 1) % o.learnIntervals;
      s.learned = null;
      const since = s.lastHeard;
      s.lastHeard = Math.max(s.lastHeard, now);
      // telemetry handled after the offline availability: it is back (data wins over a stale "offline");
      // handled with it (a last will sorts before the telemetry of its batch): sent before the drop
      if (s.offlineSince !== null && now > s.offlineSince) s.offlineSince = s.offlineReason = null;
      const wasFiring = s.firing;
      s.firing = false;
      rewake(s);
      if (!wasFiring) return undefined;
      const silentMs = s.lastHeard - since;
      return {
        type: 'clear',
        kind: SILENCE_KIND,
        at: s.lastHeard,
        evidence: { expected: 'telemetry again', observed: `reporting again after ${duration(silentMs)} without telemetry`, lastHeardAt: since, silentS: silentMs / 1000 },
      };
    },
    /**
     * The device's availability changed ('will': the broker published its last will), handled at
     * `now`. Offline counts from `now`: a last will carries the time its connection began, not when
     * it dropped, and a device's clock may lag.
     */
    availability(customerId: string, deviceId: string, online: boolean, reason: string, now: number): void {
      const s = devices.get(keyOf(customerId, deviceId));
      if (!s) return;
      if (online) {
        s.offlineSince = s.offlineReason = null;
      } else if (s.offlineSince === null) {
        s.offlineSince = Math.max(now, s.lastHeard);
        s.offlineReason = reason;
      }
      rewake(s);
    },
    /** Event time moved to `now`: the devices that went silent or offline, in device order. */
    tick(now: number, lookup: SilenceLookup): Keyed[] {
      const out: Keyed[] = [];
      // from the last: a device forgotten takes the last one's place, which was looked at already
      for (let i = order.length - 1; i >= 0; i--) {
        // not yet (wakeOf): a fleet's devices mostly
        if (wakeAt[i]! > now) continue;
        const s = order[i]!;
        const known = lookup(s.customerId, s.deviceId);
        if (!known) {
          removeAt(i);
          continue;
        }
        if (s.firing) continue;
        const d = due(s, known.reportEveryS);
        if (!d || d.at > now) continue;
        s.firing = true;
        rewake(s);
        out.push({ customerId: s.customerId, deviceId: s.deviceId, signal: fire(s, d) });
      }
      return out.sort((a, b) => a.signal.at - b.signal.at || (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
    },
    /**
     * After a restart: the device was last heard at `lastTs` (its newest stored reading) and, if
     * `firing`, its device-offline ticket is still open (so the next telemetry resolves it). A device
     * that went quiet while the helpdesk was down is then found by tick() as any other; one already
     * heard since the restart is left as it is.
     */
    seed(customerId: string, deviceId: string, lastTs: number, firing: boolean): void {
      const k = keyOf(customerId, deviceId);
      if (devices.has(k)) return;
      add(record(k, customerId, deviceId, lastTs, lastTs, firing));
    },
    /**
     * How the device reports, from its announce: `report` when by exception (its heartbeat), undefined
     * when periodically. Kept until the device is forgotten; a new announce replaces it.
     */
    declare(customerId: string, deviceId: string, report: ReportMode | undefined): void {
      const k = keyOf(customerId, deviceId);
      if (report) reports.set(k, report);
      else reports.delete(k);
      const s = devices.get(k);
      if (!s) return;
      s.report = report ?? null;
      rewake(s);
    },
    /** devices watched */
    watching: (): number => devices.size,
    snapshot: (): SilenceSnapshot => ({
      devices: new Map([...devices].map(([k, { key: _key, slot: _slot, owner: _owner, stale: _stale, ...saved }]) => [k, { ...saved, intervals: [...saved.intervals] }])),
      reports: new Map(reports),
    }),
    /** takes a snapshot's state over (before anything is heard) */
    restore(s: SilenceSnapshot): void {
      for (const [k, v] of s.devices) {
        // a device watched already gives way to the snapshot's (forgetting it forgets its report too: set below)
        const known = devices.get(k);
        if (known) removeAt(known.slot);
        add({ ...v, intervals: [...v.intervals], key: k, slot: -1, owner: devices, stale: false });
      }
      for (const [k, v] of s.reports) reports.set(k, v);
    },
  };
}
export type Silence = ReturnType<typeof createSilence>;
