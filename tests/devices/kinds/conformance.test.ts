/**
 * One suite every device kind passes: the KindModel contract (pure, seeded, serialisable, valid payloads).
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS, DeviceEvent, Telemetry, type DeviceKind } from '../../../contracts/index.js';
import { KINDS, type AnyKindModel } from '../../../devices/kinds/index.js';
import { ownResult, type CommandBody } from '../../../devices/kinds/model.js';

const T0 = Date.UTC(2020, 0, 15, 7, 25);
const MIN = 60_000;

interface Fixture {
  /** params with activity (and noise) inside the first `steps` seconds */
  params: unknown;
  steps: number;
  /** a command this kind does not support */
  unsupported: CommandBody;
  /** a command it does support (applied half-way) */
  supported: CommandBody;
}

const FIXTURES: Record<DeviceKind, Fixture> = {
  'car-battery': {
    params: {
      trips: [{ start: T0 + 5 * MIN, end: T0 + 45 * MIN }],
      faults: [{ kind: 'parasitic-drain', at: T0 + MIN }, { kind: 'failing-alternator', at: T0 + 30 * MIN }],
    },
    steps: 50 * 60,
    unsupported: { commandId: 'c-x', action: 'set-setpoint', celsius: 4 },
    supported: { commandId: 'c-y', action: 'battery-saver', on: true },
  },
  fridge: {
    params: {
      randomDoorOpeningsPerDay: 200,
      doorOpenings: [{ at: T0 + 10 * MIN, durationS: 30 }],
      inventory: [{ name: 'Butter', quantity: 250, unit: 'g' }],
      takeOut: [{ at: T0 + 20 * MIN, name: 'Butter', quantity: 50 }],
      faults: [{ kind: 'worn-seal', at: T0 + 30 * MIN }],
    },
    steps: 50 * 60,
    unsupported: { commandId: 'c-x', action: 'battery-saver', on: true },
    supported: { commandId: 'c-y', action: 'report-inventory' },
  },
  washer: {
    params: { loads: [{ at: T0 + MIN, programme: 'quick-30', deadline: T0 + 31 * MIN, offerId: 'load-1' }] },
    steps: 50 * 60,
    unsupported: { commandId: 'c-x', action: 'switch-off-consumer', consumer: 'pump' },
    supported: { commandId: 'c-y', action: 'display-message', ticketId: 't-1', text: 'Your wash is on its way' },
  },
};

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

function run(model: AnyKindModel, f: Fixture, seed: number, dtS = 1, freeze = false, owned = false) {
  let s = model.init(model.params.parse(f.params), seed, T0);
  const out: Array<{ t: number; readings: unknown; events: unknown[] }> = [];
  const n = Math.floor(f.steps / dtS);
  for (let i = 1; i <= n; i++) {
    const t = T0 + i * dtS * 1000;
    if (i === Math.floor(n / 2)) {
      const before = structuredClone(s);
      const r = model.command(freeze ? deepFreeze(s) : s, f.supported, t - dtS * 1000);
      expect(s).toEqual(before);
      expect(r.ok).toBe(true);
      out.push({ t: t - dtS * 1000, readings: null, events: r.events });
      s = r.state;
    }
    const before = freeze ? structuredClone(s) : null;
    const r = owned ? model.stepOwned(s, dtS, t) : model.step(freeze ? deepFreeze(s) : s, dtS, t);
    if (before) expect(s).toEqual(before);
    if (owned) expect(r.state).toBe(s);
    // a stepOwned result's readings are the kind's one record (StepScratch): what is kept is copied
    out.push({ t, readings: owned ? { ...r.readings } : r.readings, events: r.events });
    s = r.state;
  }
  return { out, state: s };
}

describe.each(DEVICE_KINDS.map((k) => [k] as const))('conformance: %s', (kind) => {
  const model = KINDS[kind];
  const f = FIXTURES[kind];

  it('is registered under its kind and parses defaults from nothing', () => {
    expect(model.kind).toBe(kind);
    expect(model.params.safeParse({}).success).toBe(true);
    expect(model.params.safeParse(undefined).success).toBe(true);
    expect(model.params.safeParse(f.params).success).toBe(true);
    expect(model.params.safeParse({ faults: [{ kind: 'no-such-fault', at: T0 }] }).success).toBe(false);
  });

  it('declares fault kinds its params accept', () => {
    expect(model.faultKinds.length).toBeGreaterThan(0);
    for (const kind of model.faultKinds) expect(model.params.safeParse({ faults: [{ kind, at: T0 }] }).success).toBe(true);
  });

  it('is deterministic for the same seed', () => {
    expect(run(model, f, 42).out).toEqual(run(model, f, 42).out);
  });

  it('differs between seeds where there is noise', () => {
    const a = run(model, f, 1).out.map((x) => JSON.stringify(x.readings));
    const b = run(model, f, 2).out.map((x) => JSON.stringify(x.readings));
    expect(a).not.toEqual(b);
  });

  it('does not mutate its input state (deep-frozen) in step or command', () => {
    expect(() => run(model, f, 3, 1, true)).not.toThrow();
  });

  it('steps a state it owns in place to the same readings, events and state as step', () => {
    for (const dtS of [1, 60]) {
      const pure = run(model, { ...f, steps: 6 * 3600 }, 11, dtS);
      const owned = run(model, { ...f, steps: 6 * 3600 }, 11, dtS, false, true);
      expect(owned.out).toEqual(pure.out);
      expect(owned.state).toEqual(pure.state);
      expect(pure.out.some((x) => x.events.length > 0)).toBe(true);
    }
  });

  it('copies a state into another (copyInto): the same steps from either, neither changed by the other', () => {
    if (!model.copyInto) return;
    const { state: from } = run(model, { ...f, steps: 3 * 3600 }, 11, 60);
    const into = model.init(model.params.parse({}), 5, T0);
    const copy = model.copyInto(from, into);
    expect(copy).toBe(into);
    expect(copy).toEqual(from);
    expect(model.copyInto(from, null)).toEqual(from);
    // every field is copied in place: a state whose fields (its generator's aside) all hold a marker keeps none of them
    const marked = model.init(model.params.parse({}), 5, T0) as Record<string, unknown>;
    const marker = Symbol('not copied');
    for (const k of Object.keys(marked)) if (k !== 'rng') marked[k] = marker;
    model.copyInto(from, marked as never);
    expect(Object.keys(marked).filter((k) => marked[k] === marker)).toEqual([]);
    // the two are apart: stepping the copy in place leaves the original as it was, and both step alike
    const before = structuredClone(from);
    const ahead = ownResult(model.stepOwned(copy, 60, T0 + 3 * 3600_000 + MIN));
    expect(from).toEqual(before);
    expect(model.step(from, 60, T0 + 3 * 3600_000 + MIN)).toEqual(ahead);
  });

  it("steps a state it owns into the kind's one result, and gives a pure step a result of its own", () => {
    const p = model.params.parse(f.params);
    const pure = model.step(model.init(p, 3, T0), 60, T0 + MIN);
    const seen = structuredClone(pure.readings);
    const a = model.stepOwned(model.init(p, 3, T0), 60, T0 + MIN);
    expect(a.readings).toEqual(seen);
    // another device's step writes the same record: nothing is made a step
    const b = model.stepOwned(model.init(p, 4, T0 + MIN), 60, T0 + 2 * MIN);
    expect(b).toBe(a);
    expect(b.readings).toBe(a.readings);
    // the pure step's result is its own: the steps after it changed nothing in it
    expect(pure.readings).not.toBe(a.readings);
    expect(pure.readings).toEqual(seen);
  });

  it('produces readings and events that validate against the contract', () => {
    let seq = 0;
    const { out } = run(model, f, 5);
    let events = 0;
    for (const x of out) {
      if (x.readings !== null) {
        const tel = Telemetry.safeParse({ v: 1, ts: x.t, seq: ++seq, kind, readings: x.readings });
        expect(tel.success, JSON.stringify(tel.error?.issues)).toBe(true);
      }
      for (const e of x.events) {
        events++;
        const ev = DeviceEvent.safeParse({ v: 1, ts: x.t, seq: ++seq, ...(e as object) });
        expect(ev.success, JSON.stringify(ev.error?.issues)).toBe(true);
      }
    }
    expect(events).toBeGreaterThan(0);
  });

  it('works with 10-s steps', () => {
    const { out, state } = run(model, f, 5, 10);
    for (const x of out) {
      if (x.readings !== null) expect(Telemetry.safeParse({ v: 1, ts: x.t, seq: 1, kind, readings: x.readings }).success).toBe(true);
    }
    expect(typeof model.noticeable(state)).toBe('boolean');
  });

  it('rejects an unsupported command with a code and leaves the state alone', () => {
    const s = deepFreeze(model.init(model.params.parse(f.params), 1, T0));
    const r = model.command(s, f.unsupported, T0);
    expect(r.ok).toBe(false);
    expect(r.code).toBe('EVN_ERR_UNSUPPORTED_COMMAND');
    expect(r.events).toEqual([]);
    expect(r.state).toEqual(s);
  });

  it('keeps its state as plain, serialisable data', () => {
    const { state } = run(model, f, 9);
    expect(structuredClone(state)).toEqual(state);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const init = model.init(model.params.parse({}), 9, T0);
    expect(JSON.parse(JSON.stringify(init))).toEqual(init);
  });
});
