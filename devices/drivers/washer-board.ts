/**
 * A washer board's logic around the pure cycle (washer-cycle.ts): arming from the button (done by the
 * board file's local time, or within the knob's hours), the helpdesk's schedule-start, start and pause
 * with the shared start button, the relay press at the planned time, and the state saved after every
 * change when a keeper is given. Time is always the event time the caller passes in.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CommandBody, PowerSlot } from '../../contracts/index.js';
import type { BoardConfig } from './board-file.js';
import { BOARD_ERR } from './errors.js';
import { nextLocalTime, systemTimeZone } from '../../contracts/local-time.js';
import type { StateKeeper } from './state-file.js';
import { arm, initialWasherCycle, observe, pressedByCommand, schedule, washerStatus, type Timed, type WasherCycleState, type WasherRules } from './washer-cycle.js';

const Slot = z.object({ durationS: z.number(), powerW: z.number() });
const nullableTime = z.number().nullable();
/** what a state file must hold to be trusted */
export const WasherCycleFile: z.ZodType<WasherCycleState> = z.object({
  offer: z.object({ offerId: z.string(), programme: z.string(), earliestStart: z.number(), latestEnd: z.number(), slots: z.array(Slot).min(1) }).nullable(),
  startAt: nullableTime,
  pressedAt: nullableTime,
  running: z.boolean(),
  programme: z.string().nullable(),
  cycleS: z.number(),
  startedAt: nullableTime,
  aboveSince: nullableTime,
  belowSince: nullableTime,
});

export interface CommandOutcome {
  ok: boolean;
  code?: string;
  detail?: string;
}

export type PressResult = 'pressed' | 'not-wired' | 'disconnected';

const refusal = (r: Exclude<PressResult, 'pressed'>, action: string): CommandOutcome =>
  r === 'not-wired'
    ? { ok: false, code: BOARD_ERR.UNSUPPORTED_COMMAND, detail: `this washer board has no relay wired for '${action}'` }
    : { ok: false, code: BOARD_ERR.DISCONNECTED, detail: 'the board is not connected' };

export interface WasherBoardOptions {
  config: BoardConfig;
  log: Logger;
  keeper?: StateKeeper<WasherCycleState>;
  /** publishes an event stamped at its own time */
  publish: (e: Timed) => void;
  /** presses the relay behind commands.start or commands.pause */
  press: (action: 'start' | 'pause') => PressResult;
}

/**
 * An offer still without a plan is sent again (same offer id) after 1 min of event time, then 2, 4, ...
 * at most 15 min apart, until a plan comes, the cycle starts or the offer's window closes: a helpdesk
 * that was away, restarting, or had the device still pending then gets it.
 */
export const REOFFER_FIRST_MS = 60_000;
export const REOFFER_MAX_MS = 15 * 60_000;

export function createWasherBoard(o: WasherBoardOptions) {
  const { config, log } = o;
  const flex = config.flexOffer;
  const s = config.settings;
  const rules: WasherRules = {
    runningAboveW: s.runningAboveW,
    heatingAboveW: s.heatingAboveW,
    startAfterS: s.cycleStartAfterS,
    endAfterS: s.cycleEndAfterS,
    startConfirmS: flex?.startConfirmS ?? 600,
    programme: flex?.programme ?? 'unknown',
    programmeS: flex?.durationS ?? 0,
  };
  let state = o.keeper?.load() ?? initialWasherCycle();
  let armRequested = false;
  /** an offer that got no plan is sent again, at growing intervals: when it was last sent and the wait after it */
  let offerSentAt: number | null = null;
  let offerWaitMs = REOFFER_FIRST_MS;
  const deviceId = config.deviceId;

  const set = (next: WasherCycleState) => {
    if (next === state) return;
    const changed = JSON.stringify(next) !== JSON.stringify(state);
    state = next;
    if (changed) o.keeper?.save(state);
  };

  /** when an offer armed at `t` must be done, with the knob's travel (0..1) if the board has one */
  function latestEnd(t: number, knob: number | null): number {
    const f = flex!;
    if (f.doneByMinute !== null) return nextLocalTime(t + f.durationS * 1000, f.doneByMinute, f.timeZone ?? systemTimeZone());
    const steps = Math.round(((knob ?? 0) * f.delay!.maxHours) / f.delay!.stepHours);
    return t + Math.max(steps * f.delay!.stepHours * 3_600_000, f.durationS * 1000);
  }

  /** sends the open offer again if it still has no plan and its window is open; true if it did */
  function sendAgain(t: number): boolean {
    const offer = state.offer;
    if (!offer || state.startAt !== null || state.pressedAt !== null || state.running || t >= offer.latestEnd) return false;
    o.publish({ at: Math.max(t, offer.earliestStart), body: { type: 'flex-offer', ...offer, slots: [...offer.slots] } });
    offerSentAt = t;
    return true;
  }

  function resendUnplanned(t: number): void {
    if (offerSentAt === null) {
      offerSentAt = t;
      return;
    }
    if (t - offerSentAt < offerWaitMs) return;
    if (sendAgain(t)) {
      log.info({ deviceId, offerId: state.offer!.offerId, afterS: offerWaitMs / 1000 }, 'no plan came for the open offer: sent again');
      offerWaitMs = Math.min(offerWaitMs * 2, REOFFER_MAX_MS);
    } else offerSentAt = t;
  }

  return {
    /** the user pressed the arm button (acted on at the next step, in event time) */
    requestArm(): void {
      if (flex) armRequested = true;
    },
    /** one step at event time `t` with the measured power */
    step(t: number, powerW: number, knob: number | null): void {
      if (armRequested && flex) {
        armRequested = false;
        const slots: PowerSlot[] = flex.slots;
        const a = arm(state, t, { programme: flex.programme, slots, latestEnd: latestEnd(t, knob) });
        for (const n of a.notes) log.info({ deviceId }, n.message);
        set(a.state);
        for (const e of a.events) o.publish(e);
        offerSentAt = t;
        offerWaitMs = REOFFER_FIRST_MS;
        if (a.state.offer) log.info({ deviceId, offerId: a.state.offer.offerId, programme: flex.programme, doneBy: new Date(a.state.offer.latestEnd).toISOString() }, 'armed: flex offer sent');
      }
      resendUnplanned(t);
      const r = observe(state, t, powerW, rules);
      set(r.state);
      for (const e of r.events) o.publish(e);
      for (const n of r.notes) log[n.level]({ deviceId, ...(n.code ? { code: n.code } : {}) }, n.message);
      if (r.press) {
        const p = o.press('start');
        if (p !== 'pressed') log.warn({ code: p === 'not-wired' ? BOARD_ERR.UNSUPPORTED_COMMAND : BOARD_ERR.DISCONNECTED, deviceId }, 'cannot press start at the planned time: the board is not connected');
      }
    },
    /**
     * After a restart of the board process: an open offer that got no plan is sent again (same offer id),
     * since the helpdesk may never have had it (the process stopped first, or the device was still pending).
     */
    reoffer(t: number): void {
      if (sendAgain(t)) log.info({ deviceId, offerId: state.offer!.offerId }, 'the open offer sent again after a restart');
    },
    status: (t: number, powerW: number) => washerStatus(state, t, powerW, rules),
    /** schedule-start, start and pause; null for any other command */
    command(cmd: CommandBody, at: number): CommandOutcome | null {
      switch (cmd.action) {
        case 'schedule-start': {
          const r = schedule(state, cmd.offerId, cmd.startAt);
          if (!r.ok) return { ok: false, code: r.code, detail: r.detail };
          set(r.state);
          log.info({ deviceId, offerId: cmd.offerId, startAt: new Date(cmd.startAt).toISOString() }, 'start planned: the board presses start then');
          return { ok: true };
        }
        case 'start': {
          if (state.running) return { ok: false, code: BOARD_ERR.ALREADY_RUNNING, detail: 'the power shows a cycle running: pressing start would pause it' };
          const p = o.press('start');
          if (p !== 'pressed') return refusal(p, 'start');
          set(pressedByCommand(state, at));
          return { ok: true };
        }
        case 'pause': {
          if (!state.running) return { ok: false, code: BOARD_ERR.NOT_RUNNING, detail: 'the power shows no cycle running: pressing the button would start one' };
          const p = o.press('pause');
          return p === 'pressed' ? { ok: true } : refusal(p, 'pause');
        }
        default:
          return null;
      }
    },
    state: (): WasherCycleState => state,
  };
}

export type WasherBoard = ReturnType<typeof createWasherBoard>;
