/**
 * A washing machine with flexible start: when loaded it announces a flex offer (its power sequence
 * and the window it may run in), waits for 'schedule-start' and starts on its own at the latest
 * possible start if no schedule arrives. Each phase runs at its nominal power (see
 * washer-programmes.ts), so the announced sequence is exactly what the run consumes.
 *
 * The model is event-driven at any step: a step runs whole phase chunks up to the next phase change,
 * so its cost is O(phase changes in the span), and waiting costs nothing. A step of dtS = 1 reads
 * the power drawn at t; a longer step (dtS > 1) reads the mean power over the span (energy / span,
 * so summing readings × step still gives the cycle's energy), also splits its chunks at a fault's
 * onset, and says when each of its events happened (StepResult.eventTimes).
 */
import { z } from 'zod';
import { EventTime, Id } from '../../contracts/index.js';
import { round } from '../../contracts/round.js';
import { ownResult, StepScratch, type CommandBody, type CommandResult, type EventBody, type KindModel, type ReadingsOf, type StepResult } from './model.js';
import { nextGaussian, rngFrom, type RngState } from './rng.js';
import { PROGRAMMES, powerSequence, programmeDurationS, type Programme } from './washer-programmes.js';

export { PROGRAMMES, PROGRAMME_NAMES, powerSequence, programmeDurationS, programmeEnergyWh } from './washer-programmes.js';
export type { Programme, ProgrammePhase, RunningPhase } from './washer-programmes.js';

export const WasherFault = z.discriminatedUnion('kind', [
  /** the heat phase draws no heater power and the water does not warm; the phase still lasts its time */
  z.object({ kind: z.literal('heater-failure'), at: EventTime }),
  /** drain phases do not lower the water level; the machine pauses when a drain exceeds drainTimeoutS */
  z.object({ kind: z.literal('drain-blocked'), at: EventTime }),
]);
export type WasherFault = z.output<typeof WasherFault>;

const Load = z
  .object({
    at: EventTime,
    programme: z.string().refine((n) => n in PROGRAMMES, 'unknown programme').default('cotton-40'),
    deadline: EventTime,
    offerId: Id,
  })
  .refine((l) => l.deadline > l.at, 'the deadline must be after the load time');

export const WasherParams = z
  .object({
    loads: z.array(Load).default([]),
    faults: z.array(WasherFault).default([]),
    inletTempC: z.number().min(0).max(40).default(15),
    roomTempC: z.number().min(-10).max(45).default(20),
    /** a drain phase that takes longer than this stops the machine ('paused') */
    drainTimeoutS: z.number().positive().max(3600).default(300),
    /** relative sensor noise on powerW */
    powerNoise: z.number().min(0).max(0.2).default(0.01),
  })
  .prefault({});
export type WasherParams = z.output<typeof WasherParams>;

export interface WasherOffer {
  offerId: string;
  programme: string;
  earliestStart: number;
  latestEnd: number;
}

export type WasherMode = 'idle' | 'scheduled' | 'running' | 'paused' | 'done';

export interface WasherState {
  p: WasherParams;
  rng: RngState;
  t: number;
  mode: WasherMode;
  /** programme of the offer, or of the current / last cycle */
  programme: string | null;
  offer: WasherOffer | null;
  /** index of the next load in p.loads (sorted by time) */
  nextLoad: number;
  scheduledStartAt: number | null;
  phaseIdx: number;
  phaseElapsedMs: number;
  actualStartAt: number | null;
  finishedAt: number | null;
  pausedReason: 'user' | 'drain-blocked' | null;
  waterTempC: number;
  waterLevelL: number;
  /** highest water temperature of the current / last cycle (null: no water yet) */
  cycleMaxTempC: number | null;
  /** ground truth: a cycle finished without the water getting warm (heater) */
  coldWash: boolean;
  /** ground truth: the machine stopped on a blocked drain */
  drainBlockedPause: boolean;
  message: string | null;
  /** chunks and waits computed so far: a cost measure */
  pieces: number;
}

type Readings = ReadingsOf<'washer'>;

const faultActive = (s: WasherState, kind: WasherFault['kind'], t: number) => s.p.faults.some((f) => f.kind === kind && f.at <= t);
const programmeOf = (name: string | null): Programme => PROGRAMMES[name ?? 'cotton-40'] ?? PROGRAMMES['cotton-40']!;
/** water in the drum loses heat to the room (it never warms up from it) */
const COOLING_TAU_S = 7200;

function startCycle(s: WasherState, at: number, events: EventBody[]): void {
  s.mode = 'running';
  s.programme = s.offer?.programme ?? s.programme ?? 'cotton-40';
  s.offer = null;
  s.scheduledStartAt = null;
  s.phaseIdx = 0;
  s.phaseElapsedMs = 0;
  s.actualStartAt = at;
  s.finishedAt = null;
  s.pausedReason = null;
  s.cycleMaxTempC = s.waterLevelL > 0 ? s.waterTempC : null;
  events.push({ type: 'cycle', state: 'started', programme: s.programme });
}

function finishCycle(s: WasherState, at: number, events: EventBody[]): void {
  const prog = programmeOf(s.programme);
  s.mode = 'done';
  s.finishedAt = at;
  const targets = prog.phases.flatMap((ph) => (ph.waterTempC === undefined ? [] : [ph.waterTempC]));
  const max = s.cycleMaxTempC ?? s.p.inletTempC;
  if (targets.length > 0 && max <= 30 && max < Math.max(...targets) - 5) s.coldWash = true;
  events.push({ type: 'cycle', state: 'finished', programme: prog.name });
}

/** The nominal power of the phase running now (the announced slot power, less a failed heater). */
function nominalPowerW(s: WasherState, t: number): number {
  if (s.mode !== 'running') return 0;
  const ph = programmeOf(s.programme).phases[s.phaseIdx]!;
  return ph.powerW - (faultActive(s, 'heater-failure', t) ? (ph.heaterW ?? 0) : 0);
}

/** Runs the current phase from `now` towards `end`; returns the time reached. */
function runChunk(s: WasherState, now: number, end: number, events: EventBody[]): number {
  const prog = programmeOf(s.programme);
  const ph = prog.phases[s.phaseIdx]!;
  const blocked = ph.phase === 'drain' && faultActive(s, 'drain-blocked', now);
  const heaterBroken = faultActive(s, 'heater-failure', now);
  const nominalMs = ph.durationS * 1000;
  const limitMs = blocked ? s.p.drainTimeoutS * 1000 : nominalMs;
  const chunkMs = Math.max(0, Math.min(end - now, limitMs - s.phaseElapsedMs));
  const d = chunkMs / 1000;
  const nominalLeftMs = nominalMs - s.phaseElapsedMs;
  const frac = nominalLeftMs > 0 ? Math.min(1, chunkMs / nominalLeftMs) : 1;
  // water level (a blocked drain keeps it) and temperature (fresh water mixes in at the inlet temperature)
  const before = s.waterLevelL;
  if (ph.waterLevelL !== undefined && !blocked) s.waterLevelL = before + (ph.waterLevelL - before) * frac;
  if (s.waterLevelL > before) {
    s.waterTempC = (s.waterTempC * before + s.p.inletTempC * (s.waterLevelL - before)) / s.waterLevelL;
  }
  if (ph.phase === 'heat' && ph.waterTempC !== undefined && !heaterBroken) {
    s.waterTempC += (ph.waterTempC - s.waterTempC) * frac;
  } else if (s.waterTempC > s.p.roomTempC) {
    s.waterTempC = s.p.roomTempC + (s.waterTempC - s.p.roomTempC) * Math.exp(-d / COOLING_TAU_S);
  }
  if (s.waterLevelL > 0) s.cycleMaxTempC = Math.max(s.cycleMaxTempC ?? s.waterTempC, s.waterTempC);
  s.phaseElapsedMs += chunkMs;
  const reached = now + chunkMs;
  if (s.phaseElapsedMs >= limitMs) {
    if (blocked) {
      s.mode = 'paused';
      s.pausedReason = 'drain-blocked';
      s.drainBlockedPause = true;
      events.push({ type: 'cycle', state: 'paused', programme: prog.name });
    } else if (s.phaseIdx + 1 < prog.phases.length) {
      s.phaseIdx++;
      s.phaseElapsedMs = 0;
    } else {
      finishCycle(s, reached, events);
    }
  }
  return reached;
}

/** The next fault onset after `now` (Infinity: none): a long step's chunks end there. */
function nextFaultAfter(s: WasherState, now: number): number {
  let next = Infinity;
  for (const f of s.p.faults) if (f.at > now && f.at < next) next = f.at;
  return next;
}

/** When a waiting machine starts: the scheduled time, else (fail-safe) the latest start that meets the deadline. */
function startTrigger(s: WasherState): number | null {
  if (s.mode === 'scheduled' && s.scheduledStartAt !== null) return s.scheduledStartAt;
  if (!s.offer) return null;
  const durMs = programmeDurationS(programmeOf(s.offer.programme)) * 1000;
  return Math.max(s.offer.earliestStart, s.offer.latestEnd - durMs);
}

function remainingS(s: WasherState, t: number): number {
  const prog = programmeOf(s.programme);
  const total = programmeDurationS(prog);
  let r = 0;
  if (s.mode === 'running' || s.mode === 'paused') {
    r = prog.phases.slice(s.phaseIdx).reduce((sum, ph) => sum + ph.durationS, 0) - s.phaseElapsedMs / 1000;
  } else if (s.mode === 'scheduled' && s.scheduledStartAt !== null) {
    r = total + Math.max(0, (s.scheduledStartAt - t) / 1000);
  } else if (s.mode === 'idle' && s.offer) {
    r = total;
  }
  return Math.min(86_400, Math.max(0, Math.round(r)));
}

/**
 * The state a step works on: a shallow copy (params are read-only and shared, nested values are replaced,
 * never changed), the generator's state copied. Written out field by field: in Node 20 that is several
 * times cheaper than an object spread, which dominated a long step's cost; the type makes it complete.
 * With `into` (KindModel.copyInto: a look-ahead reuses two states), `x` is copied into it the same way, the
 * generator's state into `into`'s own: Object.assign there was 4 % of a host's simulation
 * (docs/fleet-engine-log.md); the kinds' conformance test holds this list to every field.
 */
function copyState(x: WasherState, into: WasherState | null = null): WasherState {
  if (into === null) {
    return {
      p: x.p, rng: { s: x.rng.s }, t: x.t, mode: x.mode, programme: x.programme, offer: x.offer,
      nextLoad: x.nextLoad, scheduledStartAt: x.scheduledStartAt, phaseIdx: x.phaseIdx,
      phaseElapsedMs: x.phaseElapsedMs, actualStartAt: x.actualStartAt, finishedAt: x.finishedAt,
      pausedReason: x.pausedReason, waterTempC: x.waterTempC, waterLevelL: x.waterLevelL,
      cycleMaxTempC: x.cycleMaxTempC, coldWash: x.coldWash, drainBlockedPause: x.drainBlockedPause,
      message: x.message, pieces: x.pieces,
    };
  }
  into.p = x.p; into.rng.s = x.rng.s; into.t = x.t; into.mode = x.mode; into.programme = x.programme;
  into.offer = x.offer; into.nextLoad = x.nextLoad; into.scheduledStartAt = x.scheduledStartAt;
  into.phaseIdx = x.phaseIdx; into.phaseElapsedMs = x.phaseElapsedMs; into.actualStartAt = x.actualStartAt;
  into.finishedAt = x.finishedAt; into.pausedReason = x.pausedReason; into.waterTempC = x.waterTempC;
  into.waterLevelL = x.waterLevelL; into.cycleMaxTempC = x.cycleMaxTempC; into.coldWash = x.coldWash;
  into.drainBlockedPause = x.drainBlockedPause; into.message = x.message; into.pieces = x.pieces;
  return into;
}

function step(state: WasherState, dtS: number, t: number): StepResult<WasherState, Readings> {
  return ownResult(stepOwned(copyState(state), dtS, t));
}

/** stepOwned's one result (StepScratch), its readings in the order they are sent */
const scratch = new StepScratch<WasherState, Readings>({ phase: 'idle', powerW: 0, waterTempC: 0, waterLevelL: 0, drumRpm: 0, remainingS: 0 });

/** step() on a state the caller owns: advanced in place and returned, in the kind's one result (KindModel.stepOwned) */
function stepOwned(s: WasherState, dtS: number, t: number): StepResult<WasherState, Readings> {
  const readings = scratch.begin();
  const { events, times } = scratch;
  const spanMs = Math.round(dtS * 1000);
  const a0 = t - spanMs;
  const long = dtS > 1;
  let energyJ = 0;
  let now = a0;
  for (let guard = 0; now < t && guard < 10_000; guard++) {
    // a long step stamps each event at the time it happened (the chunk's end, the offer's, the start's)
    for (let i = times.length; i < events.length; i++) times.push(now);
    s.pieces++;
    if (s.mode === 'running') {
      if (!long) {
        now = runChunk(s, now, t, events);
        continue;
      }
      const watts = nominalPowerW(s, now);
      const from = now;
      now = runChunk(s, now, Math.min(t, nextFaultAfter(s, now)), events);
      energyJ += (watts * (now - from)) / 1000;
      continue;
    }
    if (s.mode === 'paused') break;
    if (!s.offer && s.mode !== 'scheduled') {
      const load = s.p.loads[s.nextLoad];
      if (!load || load.at > t) break;
      const at = Math.max(load.at, now);
      s.nextLoad++;
      s.mode = 'idle';
      s.programme = load.programme;
      s.offer = { offerId: load.offerId, programme: load.programme, earliestStart: at, latestEnd: load.deadline };
      const prog = programmeOf(load.programme);
      events.push({ type: 'flex-offer', offerId: load.offerId, programme: prog.name, earliestStart: at, latestEnd: load.deadline, slots: powerSequence(prog) });
      now = at;
      continue;
    }
    const trigger = startTrigger(s);
    if (trigger === null || trigger > t) break;
    now = Math.max(trigger, now);
    startCycle(s, now, events);
  }
  for (let i = times.length; i < events.length; i++) times.push(now);
  s.t = t;
  const prog = programmeOf(s.programme);
  const ph = s.mode === 'running' ? prog.phases[s.phaseIdx] : undefined;
  // one-second steps: the power drawn at t (the reading and the phase agree; summing readings × step gives
  // the cycle's energy); long steps: the mean over the span, so the sum stays the energy
  const watts = long ? (spanMs > 0 ? energyJ / (spanMs / 1000) : 0) : nominalPowerW(s, t);
  readings.phase = ph ? ph.phase : s.mode === 'running' ? 'idle' : s.mode;
  readings.powerW = watts > 0 ? round(Math.max(0, watts * (1 + s.p.powerNoise * nextGaussian(s.rng))), 1) : 0;
  readings.waterTempC = round(Math.min(110, Math.max(-10, s.waterTempC)), 2);
  readings.waterLevelL = round(Math.min(200, Math.max(0, s.waterLevelL)), 2);
  readings.drumRpm = ph ? ph.drumRpm : 0;
  readings.remainingS = remainingS(s, t);
  return scratch.finish(s, long, a0, t);
}

/**
 * KindModel.restsUntil. Idle or done with nothing offered: nothing moves until the next load comes (its
 * step offers it). An offer not yet scheduled: until the machine would start itself. Paused: until a
 * command. Running or scheduled (its remaining time counts down): not at rest.
 */
function restsUntil(s: WasherState): number {
  if (s.mode === 'paused') return Infinity;
  if (s.mode === 'idle' && s.offer) return startTrigger(s)! - 1;
  if (s.mode === 'idle' || s.mode === 'done') return (s.p.loads[s.nextLoad]?.at ?? Infinity) - 1;
  return -Infinity;
}

/** KindModel.advanceRest: each step at rest counts one piece and sets the time, nothing else */
function advanceRest(s: WasherState, t: number, steps: number): void {
  s.t = t;
  s.pieces += steps;
}

function command(state: WasherState, cmd: CommandBody, t: number): CommandResult<WasherState> {
  const s = structuredClone(state);
  const events: EventBody[] = [];
  const fail = (code: string, detail: string): CommandResult<WasherState> => ({ state, ok: false, code, detail, events: [] });
  switch (cmd.action) {
    case 'schedule-start': {
      if (!s.offer || s.offer.offerId !== cmd.offerId || (s.mode !== 'idle' && s.mode !== 'scheduled')) {
        return fail('EVN_ERR_NO_SUCH_OFFER', `no open offer '${cmd.offerId}'`);
      }
      const durMs = programmeDurationS(programmeOf(s.offer.programme)) * 1000;
      if (cmd.startAt < s.offer.earliestStart || cmd.startAt + durMs > s.offer.latestEnd) {
        return fail('EVN_ERR_OUTSIDE_WINDOW', 'the cycle would not fit between earliestStart and latestEnd');
      }
      s.mode = 'scheduled';
      s.scheduledStartAt = cmd.startAt;
      return { state: s, ok: true, events };
    }
    case 'start':
      if (s.mode === 'running') return fail('EVN_ERR_ALREADY_RUNNING', 'the cycle is already running');
      if (s.mode === 'paused') {
        // resume; a drain that was blocked is retried from the start of the phase
        if (s.pausedReason === 'drain-blocked') s.phaseElapsedMs = 0;
        s.mode = 'running';
        s.pausedReason = null;
        events.push({ type: 'cycle', state: 'started', programme: programmeOf(s.programme).name });
      } else {
        startCycle(s, t, events);
      }
      return { state: s, ok: true, events };
    case 'pause':
      if (s.mode !== 'running') return fail('EVN_ERR_NOT_RUNNING', 'no cycle is running');
      s.mode = 'paused';
      s.pausedReason = 'user';
      events.push({ type: 'cycle', state: 'paused', programme: programmeOf(s.programme).name });
      return { state: s, ok: true, events };
    case 'display-message':
      return { state: { ...s, message: cmd.text }, ok: true, events };
    default:
      return fail('EVN_ERR_UNSUPPORTED_COMMAND', `washer does not support '${cmd.action}'`);
  }
}

export const washer: KindModel<'washer', WasherParams, WasherState> = {
  kind: 'washer',
  params: WasherParams,
  faultKinds: ['heater-failure', 'drain-blocked'],
  init(params, seed, t0) {
    const p = structuredClone(params);
    // loads whose deadline has passed before the model starts are dropped; earlier ones are offered at once
    p.loads = p.loads.filter((l) => l.deadline > t0).sort((x, y) => x.at - y.at);
    return {
      p,
      rng: rngFrom(seed, 0xa5e),
      t: t0,
      mode: 'idle',
      programme: null,
      offer: null,
      nextLoad: 0,
      scheduledStartAt: null,
      phaseIdx: 0,
      phaseElapsedMs: 0,
      actualStartAt: null,
      finishedAt: null,
      pausedReason: null,
      waterTempC: p.roomTempC,
      waterLevelL: 0,
      cycleMaxTempC: null,
      coldWash: false,
      drainBlockedPause: false,
      message: null,
      pieces: 0,
    };
  },
  step,
  stepOwned,
  copyInto: (from, into) => copyState(from, into),
  restsUntil,
  advanceRest,
  command,
  noticeable: (s) => s.coldWash || s.drainBlockedPause,
};
