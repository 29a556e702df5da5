/**
 * A streaming detector: one reading in, its state updated, at most one signal out. Pure: the same
 * readings in the same order always give the same signals. O(1) per reading. No look-ahead.
 * A detector fires once when its condition has held long enough and clears once the opposite
 * condition has held long enough (hysteresis), so tickets neither flap nor stay open forever.
 */
import type { DeviceKind, EventBody, ReadingsOf, ReportMode, Severity } from '../../contracts/index.js';

export interface Evidence {
  /** what was expected, in words a support agent understands */
  expected: string;
  /** what was observed, in the same words */
  observed: string;
  /** numbers behind it: readings, thresholds, durations */
  [key: string]: unknown;
}

export type Signal =
  | { type: 'fire'; kind: string; severity: Severity; at: number; evidence: Evidence }
  | { type: 'clear'; kind: string; at: number; evidence: Evidence };

/**
 * The last readings a detector keeps (by exception they hold until the next message), copied into the object
 * it kept before (`kept`, null: none yet). The message's own object, kept, lived until the device's next
 * message minutes later: every such message outlived the young generation and died old. Copied, a replay's
 * runner at 3,000 homes found a fifth less alive at each scavenge (docs/fleet-engine-log.md).
 */
export function keepReadings<R extends object>(kept: unknown, r: R): R {
  if (kept === r) return r;
  return kept === null || kept === undefined ? { ...r } : Object.assign(kept as R, r);
}

/**
 * The longest gap (ms) between two messages of a device reporting by exception that is still normal: a
 * heartbeat and one sample period (the heartbeat goes out at the first sample past it).
 */
export const heldForMs = (report: ReportMode): number => (report.heartbeatS + report.sampleEveryS) * 1000;

/** The name of one of a kind's own readings. */
export type ReadingOf<K extends DeviceKind> = keyof ReadingsOf<K> & string;

export interface Detector<K extends DeviceKind, S> {
  /** incident kind this detector reports, e.g. 'battery-discharge' */
  kind: string;
  deviceKind: K;
  /**
   * the readings its verdict rests on: it runs on a device only when the device measures every one of
   * them (a board sends defaults for what it lacks, e.g. `currentA: 0`, which would fool it)
   */
  needs: ReadonlyArray<ReadingOf<K>>;
  init(): S;
  /**
   * one message's readings at ts. `report`: the device reports by exception (its announce): each
   * reading then holds, within its deadband, until the next message, and messages may be up to a
   * heartbeat apart; undefined: periodic, each message a sample. The state is handed over: a detector
   * may change it in place and return it (the sustained ones do), so the caller keeps only what it returns
   */
  update(state: S, ts: number, readings: ReadingsOf<K>, report?: ReportMode): { state: S; signal?: Signal };
  /**
   * by exception only: when a condition in progress would be decided if no message came (the last
   * reading holding within its heartbeat); null: none pending. Optional, with `hold`.
   */
  pending?(state: S, report: ReportMode): number | null;
  /** by exception only: event time moved to `at` without a message from the device; decides what was due by then (the state handed over, as to `update`) */
  hold?(state: S, at: number, report: ReportMode): { state: S; signal?: Signal };
  /**
   * a device event this detector judges too (a car's crank: short, so sparse telemetry can miss it),
   * in event time among the device's telemetry; optional
   */
  event?(state: S, ts: number, event: EventBody): { state: S; signal?: Signal };
}

