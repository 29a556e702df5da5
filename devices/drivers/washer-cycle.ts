/**
 * A washer board's own logic, pure: the flex offer it makes when the user arms it, the schedule the
 * helpdesk sends back (`schedule-start`), the press of the start relay at the planned time, and the
 * cycle's start and end as the measured power shows them.
 *
 * The board keeps the timer itself, in event time (the injected clock), so a helpdesk that restarts
 * between the plan and the start changes nothing; the state is plain data a board process may save
 * and load, so a board restart need not lose it either (board-device.ts, `stateFile`).
 *
 *   armed        -> flex-offer event (earliest start now, latest end from the board file or the knob)
 *   schedule     -> startAt kept; a later schedule for the same offer replaces it
 *   startAt      -> the board presses start (once); with no schedule by the latest start that still
 *                   meets the deadline, it presses start then (fail-safe, as the simulated washer does)
 *   power above runningAboveW for startAfterS -> cycle started, stamped at the press when the board
 *                   pressed start within startConfirmS before (else when the power rose)
 *   power below runningAboveW for endAfterS   -> cycle finished, stamped when the power fell
 */
import type { EventBody, PowerSlot, WasherPhase } from '../../contracts/index.js';
import { BOARD_ERR } from './errors.js';

export interface WasherOffer {
  offerId: string;
  programme: string;
  earliestStart: number;
  latestEnd: number;
  slots: PowerSlot[];
}

export interface WasherCycleState {
  offer: WasherOffer | null;
  /** the planned start the helpdesk sent */
  startAt: number | null;
  /** when the board pressed start and waits for the power to confirm it */
  pressedAt: number | null;
  running: boolean;
  /** programme and expected length of the running (or last) cycle */
  programme: string | null;
  cycleS: number;
  startedAt: number | null;
  aboveSince: number | null;
  belowSince: number | null;
}

export interface WasherRules {
  runningAboveW: number;
  heatingAboveW: number;
  /** power above runningAboveW this long starts a cycle */
  startAfterS: number;
  /** power below runningAboveW this long ends it */
  endAfterS: number;
  /** a press the power confirms within this long is when the cycle started */
  startConfirmS: number;
  /** the programme of a cycle started by hand, without an offer */
  programme: string;
  programmeS: number;
}

export interface Timed {
  at: number;
  body: EventBody;
}
export interface Note {
  level: 'info' | 'warn';
  code?: string;
  message: string;
}
export interface Outcome {
  state: WasherCycleState;
  events: Timed[];
  /** the start relay must be pressed now */
  press: boolean;
  notes: Note[];
}

export const initialWasherCycle = (): WasherCycleState => ({
  offer: null,
  startAt: null,
  pressedAt: null,
  running: false,
  programme: null,
  cycleS: 0,
  startedAt: null,
  aboveSince: null,
  belowSince: null,
});

const durationS = (slots: readonly PowerSlot[]) => slots.reduce((s, x) => s + x.durationS, 0);
const latestStart = (o: WasherOffer) => o.latestEnd - durationS(o.slots) * 1000;

/** The offer the user's press makes (refused while a cycle runs). */
export function arm(s: WasherCycleState, now: number, o: { programme: string; slots: PowerSlot[]; latestEnd: number }): Outcome {
  if (s.running) return { state: s, events: [], press: false, notes: [{ level: 'info', message: 'arm pressed while a cycle runs: ignored' }] };
  const offer: WasherOffer = { offerId: `offer-${now}`, programme: o.programme, earliestStart: now, latestEnd: Math.max(o.latestEnd, now + durationS(o.slots) * 1000), slots: o.slots };
  const notes: Note[] = s.offer ? [{ level: 'info', message: `a new offer replaces ${s.offer.offerId}` }] : [];
  return {
    state: { ...s, offer, startAt: null, pressedAt: null },
    events: [{ at: now, body: { type: 'flex-offer', ...offer, slots: [...offer.slots] } }],
    press: false,
    notes,
  };
}

export type ScheduleResult = { ok: true; state: WasherCycleState } | { ok: false; code: string; detail: string };

/** The helpdesk's `schedule-start`: kept when it names the open offer and fits its window. */
export function schedule(s: WasherCycleState, offerId: string, startAt: number): ScheduleResult {
  const o = s.offer;
  if (!o || o.offerId !== offerId || s.running || s.pressedAt !== null) {
    return { ok: false, code: BOARD_ERR.NO_SUCH_OFFER, detail: o ? `the open offer is '${o.offerId}', not '${offerId}'` : `no open offer '${offerId}' (arm the washer first)` };
  }
  if (startAt < o.earliestStart || startAt > latestStart(o)) {
    return { ok: false, code: BOARD_ERR.OUTSIDE_WINDOW, detail: 'the cycle would not fit between earliestStart and latestEnd' };
  }
  return { ok: true, state: { ...s, startAt } };
}

/** A start pressed by a `start` command: the power that follows is this cycle's start. */
export const pressedByCommand = (s: WasherCycleState, now: number): WasherCycleState => ({ ...s, pressedAt: now, startAt: null });

/** One step at event time `now` with the measured power: cycle start and end, and whether to press start. */
export function observe(s0: WasherCycleState, now: number, powerW: number, rules: WasherRules): Outcome {
  const s = { ...s0 };
  const events: Timed[] = [];
  const notes: Note[] = [];
  const above = powerW >= rules.runningAboveW;
  if (!s.running) {
    s.aboveSince = above ? (s.aboveSince ?? now) : null;
    if (s.aboveSince !== null && now - s.aboveSince >= rules.startAfterS * 1000) {
      const byPress = s.pressedAt !== null && s.aboveSince >= s.pressedAt && s.aboveSince - s.pressedAt <= rules.startConfirmS * 1000;
      const at = byPress ? s.pressedAt! : s.aboveSince;
      s.programme = s.offer?.programme ?? rules.programme;
      s.cycleS = s.offer ? durationS(s.offer.slots) : rules.programmeS;
      Object.assign(s, { running: true, startedAt: at, offer: null, startAt: null, pressedAt: null, belowSince: null });
      events.push({ at, body: { type: 'cycle', state: 'started', programme: s.programme } });
    }
  } else {
    s.belowSince = above ? null : (s.belowSince ?? now);
    if (s.belowSince !== null && now - s.belowSince >= rules.endAfterS * 1000) {
      events.push({ at: s.belowSince, body: { type: 'cycle', state: 'finished', programme: s.programme ?? rules.programme } });
      Object.assign(s, { running: false, aboveSince: null, belowSince: null });
    }
  }
  if (s.pressedAt !== null && !s.running && now - s.pressedAt > rules.startConfirmS * 1000) {
    notes.push({ level: 'warn', code: BOARD_ERR.WASHER_DID_NOT_START, message: `start was pressed at ${new Date(s.pressedAt).toISOString()} but the power never rose: is the machine on, the programme chosen, the door shut? Arm it again` });
    Object.assign(s, { pressedAt: null, offer: null, startAt: null });
  }
  let press = false;
  if (!s.running && s.pressedAt === null) {
    if (s.startAt !== null && now >= s.startAt) {
      press = true;
      notes.push({ level: 'info', message: `pressing start: planned for ${new Date(s.startAt).toISOString()}` });
    } else if (s.offer && s.startAt === null && now >= latestStart(s.offer)) {
      press = true;
      notes.push({ level: 'warn', message: `no schedule arrived for ${s.offer.offerId}: pressing start at the latest start that meets the deadline` });
    }
    if (press) Object.assign(s, { pressedAt: now, startAt: null });
  }
  return { state: s, events, press, notes };
}

/** The washer's phase and remaining time as the board knows them: from the power and its own plan. */
export function washerStatus(s: WasherCycleState, now: number, powerW: number, rules: Pick<WasherRules, 'heatingAboveW' | 'runningAboveW'>): { phase: WasherPhase; remainingS: number } {
  const clamp = (x: number) => Math.min(86_400, Math.max(0, Math.round(x)));
  if (s.running) {
    const phase = powerW >= rules.heatingAboveW ? 'heat' : 'wash';
    return { phase, remainingS: clamp(s.cycleS - (now - (s.startedAt ?? now)) / 1000) };
  }
  const programmeS = s.offer ? durationS(s.offer.slots) : 0;
  if (s.startAt !== null) return { phase: 'scheduled', remainingS: clamp((s.startAt - now) / 1000 + programmeS) };
  if (s.pressedAt !== null) return { phase: 'scheduled', remainingS: clamp(programmeS) };
  return { phase: powerW >= rules.runningAboveW ? (powerW >= rules.heatingAboveW ? 'heat' : 'wash') : 'idle', remainingS: clamp(programmeS) };
}
