/**
 * Runs the detectors over each device's telemetry, keeping one state per device and detector.
 *
 * Which detectors run depends on what the device measures (its directory entry, from its announce):
 * a physics detector runs only when the device measures every reading it `needs` (a board without a
 * current sensor sends `currentA: 0`, which would fool the battery detectors). What no running
 * detector covers is watched by the general detector (reading-anomaly.ts): a device's extra readings
 * always, and, on a device that measures only part of its kind, its measured numeric readings that no
 * running detector needs. A device that measures its whole kind (undefined `measures`: a simulated
 * model) has every physics detector it was built for; only its extra readings are watched then.
 *
 * Signals come out in a fixed order (physics detectors in order, then the general detector), so
 * replays are deterministic.
 *
 * A device that reports by exception (its announce's `report`) is handed to every detector with that
 * mode: its readings hold until its next message, which may be a heartbeat away (docs/detection.md#irregular-telemetry).
 */
import { z } from 'zod';
import { CarBatteryReadings, FridgeReadings, MAX_EXTRA_READINGS, WasherReadings, type DeviceKind, type EventBody, type ReadingsOf, type ReportMode, type Telemetry, type TopicMemos } from '../../contracts/index.js';
import { batteryDischarge } from './battery-discharge.js';
import { batteryParasitic } from './battery-parasitic.js';
import { batteryWeak } from './battery-weak.js';
import type { Detector, Signal } from './detector.js';
import { fridgeDoorOpen } from './fridge-door-open.js';
import { fridgeDuty } from './fridge-duty.js';
import { fridgeWarm } from './fridge-warm.js';
import { createReadingWatch, type ReadingAnomalyConfig, type ReadingWatch, type ReadingWatchSnapshot } from './reading-anomaly.js';
import type { SilenceOptions } from './silence.js';
import { washerDrain } from './washer-drain.js';
import { washerHeater } from './washer-heater.js';

/** what a reading that raises nothing returns (shared: nobody changes a result) */
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

/**
 * kind -> the detectors of that kind, their state erased (each one only ever gets back the state its
 * own init() made). A mapped type, so `detectors[kind]` with a generic kind stays tied to its readings.
 */
export type DetectorsByKind = { [K in DeviceKind]: Array<Detector<K, unknown>> };

export const DETECTORS: DetectorsByKind = {
  'car-battery': [batteryDischarge, batteryParasitic, batteryWeak],
  fridge: [fridgeWarm, fridgeDoorOpen, fridgeDuty],
  washer: [washerHeater, washerDrain],
};

const SCHEMAS = { 'car-battery': CarBatteryReadings, fridge: FridgeReadings, washer: WasherReadings } as const;

/** A kind's own reading names, from the contract. */
export const KIND_READINGS: Readonly<Record<DeviceKind, readonly string[]>> = {
  'car-battery': Object.keys(SCHEMAS['car-battery'].shape),
  fridge: Object.keys(SCHEMAS.fridge.shape),
  washer: Object.keys(SCHEMAS.washer.shape),
};

/** the numeric ones: a series the general detector can watch (not a flag or a phase) */
const isNumeric = (kind: DeviceKind, name: string): boolean => (SCHEMAS[kind].shape as Record<string, unknown>)[name] instanceof z.ZodNumber;

/** What the helpdesk knows a device measures (directory.ts DirectoryDevice; undefined fields: everything of its kind, no declared extras). */
export interface DeviceProfile {
  measures?: readonly string[];
  extra?: readonly string[];
}

export interface DetectionOptions {
  /** the general detector's options; false: no general detector */
  general?: ReadingAnomalyConfig | false;
}

/** What the helpdesk's detection may be given (HelpdeskOptions.detection): the general detector's and the silence watch's settings. */
export interface DetectionSettings extends DetectionOptions {
  silence?: Partial<SilenceOptions>;
}

/** Which detectors run on a device and which of its readings the general detector watches. */
export interface Coverage {
  kind: DeviceKind;
  /** the physics detectors that run, by incident kind */
  detectors: string[];
  /** the physics detectors that do not, with the readings they need and the device lacks */
  skipped: Array<{ kind: string; lacks: string[] }>;
  /** numeric kind readings the general detector watches */
  watched: string[];
  /** extra readings: the declared ones, or null when any extra reading is watched (up to MAX_EXTRA_READINGS) */
  extra: string[] | null;
}

/** the readings a detector needs, as plain names (any kind) */
const needsOf = (d: { needs: ReadonlyArray<string> }): readonly string[] => d.needs;

export function coverageOf(kind: DeviceKind, profile: DeviceProfile | undefined, detectors: DetectorsByKind = DETECTORS): Coverage {
  const all = KIND_READINGS[kind];
  const measured = new Set(profile?.measures ?? all);
  const list: ReadonlyArray<{ kind: string; needs: readonly string[] }> = detectors[kind];
  const running = list.filter((d) => needsOf(d).every((r) => measured.has(r)));
  const covered = new Set(running.flatMap(needsOf));
  const whole = all.every((r) => measured.has(r));
  return {
    kind,
    detectors: running.map((d) => d.kind),
    skipped: list.filter((d) => !running.includes(d)).map((d) => ({ kind: d.kind, lacks: needsOf(d).filter((r) => !measured.has(r)) })),
    watched: whole ? [] : all.filter((r) => measured.has(r) && !covered.has(r) && isNumeric(kind, r)),
    extra: profile?.extra?.length ? [...profile.extra] : null,
  };
}

interface DeviceState {
  /** the profile this plan was made for (the object, and its contents) */
  profile: DeviceProfile | undefined;
  sig: string;
  coverage: Coverage;
  /** indices into detectors[kind] of the ones that run, and their states */
  run: number[];
  states: unknown[];
  watch: ReadingWatch | null;
  /** extra reading names watched so far (when none are declared) */
  extraSeen: Set<string>;
  /** by exception: how it reports, and when the first condition in progress is due (null: none, and not in `armed`) */
  report?: ReportMode;
  due: number | null;
  /** the event time of its last telemetry observed (null: none yet); a checkpoint keeps it in `lastTs` */
  seenTs: number | null;
  /** the map of the detection it belongs to, and whether a new state took its place there (its topics' memos: contracts TopicMemos) */
  owner: Map<string, DeviceState>;
  stale: boolean;
}

/** the detection's state in a checkpoint (helpdesk/checkpoint.ts): each device's plan and detector states, in order */
export interface DetectionSnapshot {
  devices: Array<Omit<DeviceState, 'profile' | 'watch' | 'seenTs' | 'owner' | 'stale'> & { key: string; watch: ReadingWatchSnapshot | null }>;
  lastTs: Map<string, number>;
  /** the devices armed, by key, in order */
  armed: string[];
  skipped: number;
  unwatched: number;
}

/** A signal of one device. */
export interface DeviceSignal {
  deviceKey: string;
  kind: DeviceKind;
  signal: Signal;
}

export function createDetection(detectors: DetectorsByKind = DETECTORS, options: DetectionOptions = {}) {
  // one map lookup a message: in a fleet's helpdesk each one is a few cache misses (docs/fleets.md, per-message costs)
  const devices = new Map<string, DeviceState>();
  /** devices reporting by exception with a condition in progress: decided at the watermark if no message comes (tick) */
  const armed = new Map<string, DeviceState>();

  /** when the device's first pending condition is due, and whether tick() must look at it */
  function arm(deviceKey: string, s: DeviceState): void {
    const list: ReadonlyArray<Pick<Detector<DeviceKind, unknown>, 'pending'>> = detectors[s.coverage.kind];
    let due: number | null = null;
    if (s.report) {
      for (let j = 0; j < s.run.length; j++) {
        const d = list[s.run[j]!]!.pending?.(s.states[j], s.report);
        if (d != null && (due === null || d < due)) due = d;
      }
    }
    const was = s.due;
    s.due = due;
    if (due !== null) armed.set(deviceKey, s);
    else if (was !== null) armed.delete(deviceKey);
  }
  let skipped = 0;
  let unwatched = 0;

  function stateOf(deviceKey: string, kind: DeviceKind, profile: DeviceProfile | undefined, topic?: TopicMemos): DeviceState {
    // from the topic's memo (contracts TopicMemos) when it is this detection's and still the device's, else the map
    const memo = topic?.detectionMemo as DeviceState | undefined;
    const known = memo !== undefined && memo.owner === devices && !memo.stale ? memo : devices.get(deviceKey);
    if (known && known.profile === profile && known.coverage.kind === kind) return known;
    const sig = JSON.stringify([kind, profile?.measures ?? null, profile?.extra ?? null]);
    if (known && known.sig === sig) {
      known.profile = profile;
      return known;
    }
    // new device, or it announced another set of readings: a fresh plan and fresh state
    const coverage = coverageOf(kind, profile, detectors);
    const list: ReadonlyArray<{ kind: string; init(): unknown }> = detectors[kind];
    const run = list.flatMap((d, i) => (coverage.detectors.includes(d.kind) ? [i] : []));
    const s: DeviceState = { profile, sig, coverage, run, states: run.map((i) => list[i]!.init()), watch: null, extraSeen: new Set(), due: null, seenTs: known?.seenTs ?? null, owner: devices, stale: false };
    if (known?.due != null) armed.delete(deviceKey);
    if (known) known.stale = true;
    devices.set(deviceKey, s);
    return s;
  }

  /** the readings of one message the general detector watches, by name */
  function watchedValues(s: DeviceState, t: Telemetry): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const readings = t.readings as Record<string, unknown>;
    for (const name of s.coverage.watched) {
      const x = readings[name];
      if (typeof x === 'number') out.push([name, x]);
    }
    if (!t.extra) return out;
    const declared = s.coverage.extra;
    for (const name of Object.keys(t.extra).sort()) {
      if (!declared && !s.extraSeen.has(name) && s.extraSeen.size < MAX_EXTRA_READINGS) s.extraSeen.add(name);
      if (declared ? declared.includes(name) : s.extraSeen.has(name)) out.push([`extra.${name}`, t.extra[name]!]);
      else unwatched++;
    }
    return out;
  }

  return {
    /**
     * Feeds one telemetry message of the device `deviceKey` ("<customer>/<device>": device ids are
     * unique per customer only), with what the device measures; returns the signals it raised. A
     * reading that is not newer than the device's last one (duplicate timestamp, out of order) is
     * skipped and counted: detector state only ever moves forward in event time. `report`: how the
     * device reports, from its announce (undefined: periodically).
     */
    observe(deviceKey: string, t: Telemetry, profile?: DeviceProfile, report?: ReportMode, topic?: TopicMemos): readonly Signal[] {
      const s = stateOf(deviceKey, t.kind, profile, topic);
      if (topic !== undefined && topic.detectionMemo !== s) topic.detectionMemo = s;
      if (s.seenTs !== null && t.ts <= s.seenTs) {
        skipped++;
        return NO_SIGNALS;
      }
      s.seenTs = t.ts;
      const out = step(detectors, t.kind, s, t.ts, t.readings, report);
      s.report = report;
      if (report) arm(deviceKey, s);
      else if (s.due !== null) {
        s.due = null;
        armed.delete(deviceKey);
      }
      if (options.general === false || (s.coverage.watched.length === 0 && !t.extra)) return out;
      const values = watchedValues(s, t);
      if (values.length === 0) return out;
      s.watch ??= createReadingWatch(options.general);
      const watched = s.watch.observe(t.ts, values, report);
      return watched.length === 0 ? out : out.concat(watched);
    },
    /**
     * Feeds one device event (stamped `ts`) to the device's running detectors that judge events (a
     * car's crank); returns the signals they raised. Events do not move the telemetry's order check.
     */
    observeEvent(deviceKey: string, kind: DeviceKind, ts: number, e: EventBody, profile?: DeviceProfile): Signal[] {
      const s = stateOf(deviceKey, kind, profile);
      const list: ReadonlyArray<Pick<Detector<DeviceKind, unknown>, 'event'>> = detectors[kind];
      const out: Signal[] = [];
      for (let j = 0; j < s.run.length; j++) {
        const r = list[s.run[j]!]!.event?.(s.states[j], ts, e);
        if (!r) continue;
        s.states[j] = r.state;
        if (r.signal) out.push(r.signal);
      }
      return out;
    },
    /**
     * Event time moved to the watermark `w` (every message up to it handled): for devices that report
     * by exception, a condition that has held long enough by then on the last reading (which holds
     * until the next message, within a heartbeat) is decided now, at the moment it had, instead of at
     * the device's next message. In due order, then by device.
     */
    tick(w: number): DeviceSignal[] {
      const out: DeviceSignal[] = [];
      for (const [deviceKey, s] of armed) {
        if (s.due! > w) continue;
        const kind = s.coverage.kind;
        const list: ReadonlyArray<Pick<Detector<DeviceKind, unknown>, 'hold'>> = detectors[kind];
        for (let j = 0; j < s.run.length; j++) {
          const r = list[s.run[j]!]!.hold?.(s.states[j], w, s.report!);
          if (!r) continue;
          s.states[j] = r.state;
          if (r.signal) out.push({ deviceKey, kind, signal: r.signal });
        }
        arm(deviceKey, s);
      }
      return out.sort((a, b) => a.signal.at - b.signal.at || (a.deviceKey < b.deviceKey ? -1 : a.deviceKey > b.deviceKey ? 1 : 0));
    },
    /** devices reporting by exception with a condition in progress */
    armed: (): number => armed.size,
    /** the state a checkpoint holds (detector states are plain data: each detector's init() and update() make them so) */
    snapshot: (): DetectionSnapshot => ({
      devices: [...devices].map(([key, { profile: _profile, watch, seenTs: _seenTs, owner: _owner, stale: _stale, ...s }]) => ({ key, ...s, watch: watch?.snapshot() ?? null })),
      lastTs: new Map([...devices].flatMap(([key, s]) => (s.seenTs === null ? [] : [[key, s.seenTs] as const]))),
      armed: [...armed.keys()],
      skipped,
      unwatched,
    }),
    /** takes a snapshot's state over (before any telemetry is observed) */
    restore(snap: DetectionSnapshot): void {
      for (const { key, watch, ...s } of snap.devices) {
        const was = devices.get(key);
        if (was) was.stale = true;
        // a profile no caller holds: the next message's profile is compared by its signature
        devices.set(key, { ...s, profile: {}, watch: watch ? createReadingWatch(options.general || undefined, watch) : null, seenTs: snap.lastTs.get(key) ?? null, owner: devices, stale: false });
      }
      for (const key of snap.armed) armed.set(key, devices.get(key)!);
      skipped = snap.skipped;
      unwatched = snap.unwatched;
    },
    /** which detectors run on a device and what the general detector watches (after its first telemetry) */
    coverage: (deviceKey: string): Coverage | undefined => devices.get(deviceKey)?.coverage,
    /** readings skipped because they were not newer than the device's last one */
    skipped: (): number => skipped,
    /** extra readings not watched: undeclared ones beyond MAX_EXTRA_READINGS names per device, or not among the declared ones */
    unwatched: (): number => unwatched,
  };
}

/** Runs the device's running detectors over one reading, updating their states in place. */
function step<K extends DeviceKind>(detectors: DetectorsByKind, kind: K, s: DeviceState, ts: number, readings: ReadingsOf<K>, report: ReportMode | undefined): readonly Signal[] {
  const list = detectors[kind];
  // most readings raise nothing: an array only for those that do
  let out: Signal[] | null = null;
  for (let j = 0; j < s.run.length; j++) {
    const r = list[s.run[j]!]!.update(s.states[j], ts, readings, report);
    s.states[j] = r.state;
    if (r.signal) (out ??= []).push(r.signal);
  }
  return out ?? NO_SIGNALS;
}
