import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandBody, EventBody, ReadingsOf } from '../../../devices/kinds/model.js';
import {
  powerSequence,
  PROGRAMMES,
  programmeDurationS,
  programmeEnergyWh,
  washer,
  WasherParams,
  type WasherState,
} from '../../../devices/kinds/washer.js';

const T0 = Date.UTC(2020, 0, 15, 8);
const MIN = 60_000;
const H = 3_600_000;
type R = ReadingsOf<'washer'>;
const cotton = PROGRAMMES['cotton-40']!;
const totalS = programmeDurationS(cotton);

function simulate(raw: unknown, until: number, commands: Array<{ t: number; cmd: CommandBody }> = [], dtS = 1, seed = 1) {
  let s: WasherState = washer.init(WasherParams.parse(raw), seed, T0);
  const samples: Array<{ t: number; r: R; noticeable: boolean }> = [];
  const events: Array<{ t: number; e: EventBody }> = [];
  const results: Array<{ ok: boolean; code?: string; events: EventBody[] }> = [];
  for (let t = T0 + dtS * 1000; t <= until; t += dtS * 1000) {
    for (const c of commands.filter((x) => x.t === t - dtS * 1000)) {
      const res = washer.command(s, c.cmd, c.t);
      s = res.state;
      results.push({ ok: res.ok, ...(res.code ? { code: res.code } : {}), events: res.events });
    }
    const r = washer.step(s, dtS, t);
    s = r.state;
    samples.push({ t, r: r.readings, noticeable: washer.noticeable(s) });
    for (const e of r.events) events.push({ t, e });
  }
  return { samples, events, results, state: s };
}

const load = { at: T0 + MIN, deadline: T0 + 12 * H, offerId: 'wash-1' };
const schedule = (startAt: number, offerId = 'wash-1'): CommandBody => ({ commandId: 'c-sched', action: 'schedule-start', offerId, startAt });

describe('washer: programmes calibrated against the real cycle', () => {
  const rows = readFileSync(new URL('../../../data/washing-machine-cycle.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number) as [number, number]);
  const traceS = rows.length * 10;
  const traceWh = rows.reduce((sum, [, w]) => sum + (w * 10) / 3600, 0);

  it('reads the trace as documented (121.5 min, 0.575 kWh)', () => {
    expect(traceS / 60).toBeCloseTo(121.5, 1);
    expect(traceWh / 1000).toBeCloseTo(0.575, 2);
  });

  it("cotton-40's duration and energy match the trace within 3 %", () => {
    expect(Math.abs(totalS / traceS - 1)).toBeLessThan(0.03);
    expect(Math.abs(programmeEnergyWh(cotton) / traceWh - 1)).toBeLessThan(0.03);
    const heat = cotton.phases.find((p) => p.phase === 'heat')!;
    expect(heat.durationS / 60).toBeCloseTo(10.8, 0);
    expect(heat.powerW).toBeGreaterThan(2000);
    expect(Math.max(...cotton.phases.map((p) => p.drumRpm))).toBeGreaterThanOrEqual(1200);
    expect(cotton.phases.filter((p) => p.phase === 'rinse')).toHaveLength(2);
  });

  it('quick-30 is shorter and uses less energy', () => {
    const quick = PROGRAMMES['quick-30']!;
    expect(programmeDurationS(quick)).toBeLessThan(totalS / 2);
    expect(programmeEnergyWh(quick)).toBeLessThan(programmeEnergyWh(cotton) / 2);
  });

  it('a simulated run consumes the trace energy within 3 % and heats the water to 40 °C', () => {
    const startAt = T0 + H;
    const { samples } = simulate({ loads: [load] }, startAt + (totalS + 60) * 1000, [{ t: T0 + 2 * MIN, cmd: schedule(startAt) }]);
    const wh = samples.reduce((sum, x) => sum + x.r.powerW / 3600, 0);
    expect(Math.abs(wh / traceWh - 1)).toBeLessThan(0.03);
    expect(Math.max(...samples.map((x) => x.r.waterTempC))).toBeCloseTo(40, 1);
    expect(Math.max(...samples.map((x) => x.r.waterLevelL))).toBeGreaterThanOrEqual(12);
    expect(samples.at(-1)!.r).toMatchObject({ phase: 'done', powerW: 0, waterLevelL: 0, remainingS: 0 });
  });
});

describe('washer: flex offer and scheduling', () => {
  const startAt = T0 + 3 * H;
  const run = simulate({ loads: [load], powerNoise: 0 }, startAt + (totalS + 60) * 1000, [{ t: T0 + 2 * MIN, cmd: schedule(startAt) }]);

  it('announces a flex offer with its power sequence when loaded, then waits', () => {
    expect(run.events[0]).toEqual({
      t: load.at,
      e: { type: 'flex-offer', offerId: 'wash-1', programme: 'cotton-40', earliestStart: load.at, latestEnd: load.deadline, slots: powerSequence(cotton) },
    });
    expect(powerSequence(cotton)).toHaveLength(cotton.phases.length);
    expect(powerSequence('cotton-40')).toEqual(powerSequence(cotton));
    expect(run.samples.find((x) => x.t === load.at + MIN)!.r.phase).toBe('idle');
    expect(run.samples.find((x) => x.t === T0 + 2 * MIN + 1000)!.r.phase).toBe('scheduled');
    expect(run.results).toEqual([{ ok: true, events: [] }]);
  });

  it('starts exactly at startAt and finishes at startAt + total duration', () => {
    expect(run.state.actualStartAt).toBe(startAt);
    expect(run.state.finishedAt).toBe(startAt + totalS * 1000);
    const cycle = run.events.filter((x) => x.e.type === 'cycle');
    expect(cycle).toEqual([
      { t: startAt, e: { type: 'cycle', state: 'started', programme: 'cotton-40' } },
      { t: startAt + totalS * 1000, e: { type: 'cycle', state: 'finished', programme: 'cotton-40' } },
    ]);
    expect(run.samples.filter((x) => x.t < startAt).every((x) => x.r.powerW === 0)).toBe(true);
  });

  it('draws exactly the announced slot power, second by second', () => {
    const perSecond = powerSequence(cotton).flatMap((slot) => Array<number>(slot.durationS).fill(slot.powerW));
    const during = run.samples.filter((x) => x.t >= startAt && x.t < startAt + totalS * 1000).map((x) => x.r.powerW);
    expect(during).toEqual(perSecond);
  });

  it('rejects an unknown offer or a start outside the window', () => {
    const s = washer.step(washer.init(WasherParams.parse({ loads: [load] }), 1, T0), 60, load.at).state;
    expect(washer.command(s, schedule(startAt, 'other'), load.at)).toMatchObject({ ok: false, code: 'EVN_ERR_NO_SUCH_OFFER' });
    expect(washer.command(s, schedule(load.deadline - MIN), load.at)).toMatchObject({ ok: false, code: 'EVN_ERR_OUTSIDE_WINDOW' });
  });

  it('works with 10-s steps too', () => {
    const coarse = simulate({ loads: [load] }, startAt + (totalS + 60) * 1000, [{ t: T0 + 2 * MIN, cmd: schedule(startAt) }], 10);
    expect(coarse.state.actualStartAt).toBe(startAt);
    expect(coarse.state.finishedAt).toBe(startAt + totalS * 1000);
  });

  it('fail-safe: without a schedule it starts by itself at the latest start and meets the deadline', () => {
    const { state, events } = simulate({ loads: [load] }, load.deadline + MIN);
    expect(state.actualStartAt).toBe(load.deadline - totalS * 1000);
    expect(state.finishedAt).toBe(load.deadline);
    expect(events.map((x) => x.e.type)).toEqual(['flex-offer', 'cycle', 'cycle']);
  });

  it("'start' starts now, 'pause' pauses, other commands are unsupported", () => {
    const s0 = washer.step(washer.init(WasherParams.parse({ loads: [load] }), 1, T0), 60, load.at).state;
    const started = washer.command(s0, { commandId: 'c1', action: 'start' }, load.at);
    expect(started.ok).toBe(true);
    expect(started.events).toEqual([{ type: 'cycle', state: 'started', programme: 'cotton-40' }]);
    expect(started.state.actualStartAt).toBe(load.at);
    const s1 = washer.step(started.state, 1, load.at + 1000).state;
    const paused = washer.command(s1, { commandId: 'c2', action: 'pause' }, load.at + 1000);
    expect(paused.ok).toBe(true);
    expect(paused.events).toEqual([{ type: 'cycle', state: 'paused', programme: 'cotton-40' }]);
    expect(washer.step(paused.state, 1, load.at + 2000).readings).toMatchObject({ phase: 'paused', powerW: 0 });
    expect(washer.command(s0, { commandId: 'c3', action: 'pause' }, load.at).ok).toBe(false);
    expect(washer.command(s0, { commandId: 'c4', action: 'set-setpoint', celsius: 5 }, load.at)).toMatchObject({
      ok: false,
      code: 'EVN_ERR_UNSUPPORTED_COMMAND',
    });
  });
});

describe('washer: faults', () => {
  const startAt = T0 + H;
  const cmds = [{ t: T0 + 2 * MIN, cmd: schedule(startAt) }];
  const heatFrom = startAt + 450_000;
  const heatTo = startAt + 1_100_000;

  it('heater failure: no temperature rise during heat while the power stays low; noticeable once finished', () => {
    const { samples, state } = simulate({ loads: [load], faults: [{ kind: 'heater-failure', at: T0 }] }, startAt + (totalS + 60) * 1000, cmds);
    const heat = samples.filter((x) => x.r.phase === 'heat');
    expect(heat).toHaveLength(650);
    expect(heat[0]!.t).toBe(heatFrom);
    expect(heat.at(-1)!.t).toBe(heatTo - 1000);
    for (const x of heat) {
      expect(x.r.powerW).toBeLessThan(200);
      expect(x.r.waterTempC).toBe(15);
    }
    expect(samples.filter((x) => x.t < startAt + totalS * 1000).some((x) => x.noticeable)).toBe(false);
    expect(samples.at(-1)!.noticeable).toBe(true);
    expect(state.finishedAt).toBe(startAt + totalS * 1000);
  });

  it('healthy: the heat phase warms the water and is never noticeable', () => {
    const { samples } = simulate({ loads: [load] }, startAt + (totalS + 60) * 1000, cmds);
    const heat = samples.filter((x) => x.r.phase === 'heat');
    expect(heat.every((x) => x.r.powerW > 2000)).toBe(true);
    expect(heat.at(-1)!.r.waterTempC).toBeGreaterThan(39);
    expect(samples.some((x) => x.noticeable)).toBe(false);
  });

  it('drain blocked: the level stays up and the machine pauses after 5 min of draining', () => {
    const { samples, events, state } = simulate({ loads: [load], faults: [{ kind: 'drain-blocked', at: T0 }] }, startAt + 3 * H, cmds);
    const drain = samples.filter((x) => x.r.phase === 'drain');
    expect(drain).toHaveLength(300);
    expect(drain.every((x) => x.r.waterLevelL === 12)).toBe(true);
    const pausedAt = drain.at(-1)!.t + 1000;
    expect(events.find((x) => x.e.type === 'cycle' && x.e.state === 'paused')).toEqual({
      t: pausedAt,
      e: { type: 'cycle', state: 'paused', programme: 'cotton-40' },
    });
    expect(samples.filter((x) => x.t >= pausedAt).every((x) => x.r.phase === 'paused' && x.r.waterLevelL === 12)).toBe(true);
    expect(samples.find((x) => x.t === pausedAt - 1000)!.noticeable).toBe(false);
    expect(samples.find((x) => x.t === pausedAt)!.noticeable).toBe(true);
    expect(state.finishedAt).toBeNull();
  });
});
