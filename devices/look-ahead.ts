/**
 * A device agent's steps taken ahead of its time (AgentOptions.lookAhead). In a fleet every device is
 * stepped once a window, and between two steps of one device its host steps a thousand others, so each
 * step starts with its state out of the processor's caches: a parked car or a calm fridge cost several
 * times its arithmetic in misses (docs/fleets.md#engine). A device that said nothing in its last step
 * takes its coming steps at once instead, while its state is in the cache, up to the first step that
 * publishes something (a reading past its deadband, an event, the heartbeat), and holds that step's
 * result; the windows before it only count their steps. The steps are the same, in the same order, on
 * the same state, so what the device sends, and when, is the same byte for byte.
 *
 * The state at the device's own time is kept (the first step ahead is the model's pure `step`, which
 * copies it): a command, a restart or a look at the state brings the device back to its time by
 * stepping that state again up to it (`back`), without messages, since those steps published none.
 * Only for models whose steps depend on their state alone (every simulated kind), not a board's.
 */
import type { AnyKindModel } from './kinds/index.js';

/** the result of a step, as the agent publishes it */
export type AnyStep = ReturnType<AnyKindModel['stepOwned']>;

/** what the agent publishes of a step */
export type Said = Pick<AnyStep, 'readings' | 'events' | 'eventTimes' | 'extra'>;

/** most steps taken ahead at once (a device reporting by exception says something at its heartbeat) */
export const MAX_STEPS_AHEAD = 64;

/** who decides whether a step's telemetry is due (the agent: its report policy and what it published last) */
export interface Speaker {
  says(at: number, r: AnyStep): boolean;
}

type Copying = AnyKindModel & Required<Pick<AnyKindModel, 'copyInto'>>;

const NONE: never[] = [];

export class LookAhead {
  /** the state at the device's time while its state runs ahead; null: not ahead */
  private kept: unknown = null;
  /** the kept state's time */
  private keptT = 0;
  /** the other of the device's two states, while not ahead (null: not made yet): the next look copies into it */
  private spare: unknown = null;
  /** the event time the state ahead is at */
  at = 0;
  /** the step that ends at `at` publishes (its telemetry when `telemetry`): what it says is held in `held` */
  pending = false;
  telemetry = false;
  /**
   * what that step says, copied into one record the device keeps (its readings' object too): the step's own
   * objects, held for windows, would outlive the young generation and die old (docs/fleets.md#engine)
   */
  readonly held: { readings: AnyStep['readings']; events: AnyStep['events']; eventTimes: number[] | undefined; extra: AnyStep['extra'] } = {
    readings: null as never, events: NONE, eventTimes: undefined, extra: undefined,
  };
  /** steps the last look took: one means the device spoke at once (busy), and it is not asked again after it */
  steps = 0;

  private constructor(private readonly model: Copying) {}

  /** a look-ahead for a model that copies its states (KindModel.copyInto); null for one that does not */
  static of(model: AnyKindModel): LookAhead | null {
    return model.copyInto ? new LookAhead(model as Copying) : null;
  }

  /**
   * Steps a copy of `state` (at `from`) ahead, up to the first step that publishes (its telemetry due,
   * `speaker.says`, or an event) or MAX_STEPS_AHEAD; returns the state ahead. `state` is kept as it is.
   */
  run(state: unknown, from: number, stepMs: number, speaker: Speaker): unknown {
    const { model } = this;
    const dtS = stepMs / 1000;
    const s = model.copyInto(state, this.spare);
    this.spare = null;
    let at = from;
    let n = 0;
    this.pending = false;
    while (n < MAX_STEPS_AHEAD) {
      at += stepMs;
      n++;
      const r = model.stepOwned(s, dtS, at);
      const telemetry = speaker.says(at, r);
      if (telemetry || r.events.length > 0) {
        this.hold(r);
        this.pending = true;
        this.telemetry = telemetry;
        break;
      }
    }
    this.kept = state;
    this.keptT = from;
    this.at = at;
    this.steps = n;
    return s;
  }

  private hold(r: AnyStep): void {
    const h = this.held;
    if (h.readings === null) h.readings = { ...r.readings };
    else {
      const kept = h.readings as Record<string, unknown>;
      for (const name in r.readings) kept[name] = (r.readings as Record<string, unknown>)[name];
    }
    h.events = r.events.length > 0 ? r.events : NONE;
    h.eventTimes = r.events.length > 0 ? r.eventTimes : undefined;
    h.extra = r.extra;
  }

  /** the state ahead has been reached: the kept one becomes the spare; what the step there says, if it says anything */
  reached(): Said | null {
    this.spare = this.kept;
    this.kept = null;
    if (!this.pending) return null;
    this.pending = false;
    return this.held;
  }

  /**
   * The state at event time `t` (the kept state's time or later, before `at`): the kept one stepped again up
   * to it, and `ahead` (the state ahead) becomes the spare. Ahead no more.
   */
  back(t: number, stepMs: number, ahead: unknown): unknown {
    let s = this.kept;
    for (let at = this.keptT + stepMs; at <= t; at += stepMs) s = this.model.stepOwned(s, stepMs / 1000, at).state;
    this.spare = ahead;
    this.kept = null;
    this.pending = false;
    return s;
  }
}
