/**
 * A detector runs on a device only when the device measures every reading it needs; what no running
 * detector covers is watched by the general detector instead of never.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EXTRA_READINGS, type Telemetry } from '../../../contracts/index.js';
import { BATTERY_DISCHARGE } from '../../../helpdesk/detect/battery-discharge.js';
import { coverageOf, createDetection, DETECTORS, KIND_READINGS } from '../../../helpdesk/detect/detect.js';
import type { Signal } from '../../../helpdesk/detect/detector.js';
import { READING_ANOMALY_KIND } from '../../../helpdesk/detect/reading-anomaly.js';
import { at, car, fridge } from './series.js';

const VOLTAGE_ONLY = { measures: ['voltageV'] };
/** a fast general detector for these tests: 10 s buckets, two minutes of learning, quick to decide */
const FAST = { bucketS: 10, learnS: 120, confirmS: 30, outsideAfterS: 60, clearAfterS: 60, general: { learn: 5, quiet: 5 } };

let seq = 0;
const carT = (s: number, over: Parameters<typeof car>[0], extra?: Record<string, number>): Telemetry => ({
  v: 1, ts: at(s), seq: ++seq, kind: 'car-battery', readings: car(over), ...(extra ? { extra } : {}),
});
const kinds = (signals: Signal[]) => signals.map((s) => `${s.type}:${s.kind}`);

/** a car whose alternator fails: discharging hard with the engine running, then at 12 V instead of 14 V */
const failing = (s: number) => ({ engineRunning: true, currentA: -20, voltageV: s < 600 ? 14.1 : 12.1 });

describe('which detectors run on a device', () => {
  it('runs every detector of its kind on a device that measures its whole kind, and watches none of its readings', () => {
    for (const kind of ['car-battery', 'fridge', 'washer'] as const) {
      const all = coverageOf(kind, undefined);
      expect(all.detectors).toEqual(DETECTORS[kind].map((d) => d.kind));
      expect(all.skipped).toEqual([]);
      expect(all.watched).toEqual([]);
      // a simulated agent announces every reading of its kind: the same as saying nothing
      expect(coverageOf(kind, { measures: KIND_READINGS[kind] })).toEqual(all);
    }
  });

  it('does not run the battery detectors on a car board that measures only voltage: the general detector watches the voltage', () => {
    const c = coverageOf('car-battery', VOLTAGE_ONLY);
    expect(c.detectors).toEqual([]);
    expect(c.skipped).toEqual([
      { kind: 'battery-discharge', lacks: ['currentA', 'engineRunning'] },
      { kind: 'battery-parasitic', lacks: ['currentA', 'engineRunning'] },
      { kind: 'battery-weak', lacks: ['currentA', 'engineRunning', 'temperatureC'] },
    ]);
    expect(c.watched).toEqual(['voltageV']);
  });

  it('runs what a board measures enough for and watches the rest of what it measures', () => {
    // the fridge board of boards/fridge.yaml, with its setpoint from the board file
    const c = coverageOf('fridge', { measures: ['cabinetTempC', 'doorOpen', 'compressorOn', 'setpointC'] });
    expect(c.detectors).toEqual(['fridge-warm', 'fridge-door-open']);
    expect(c.skipped).toEqual([{ kind: 'fridge-duty', lacks: ['ambientTempC'] }]);
    // the cabinet is covered by fridge-warm, the booleans are no series: nothing left to watch
    expect(c.watched).toEqual([]);
    // a car board with a current sensor: every battery detector but battery-weak, which needs the
    // battery's temperature to tell a cold crank from a weak cell; with it, every one
    expect(coverageOf('car-battery', { measures: ['voltageV', 'currentA', 'engineRunning'] })).toMatchObject({ detectors: ['battery-discharge', 'battery-parasitic'], watched: [] });
    expect(coverageOf('car-battery', { measures: ['voltageV', 'currentA', 'engineRunning', 'temperatureC'] })).toMatchObject({ detectors: ['battery-discharge', 'battery-parasitic', 'battery-weak'], watched: [] });
  });
});

describe('createDetection with what a device measures', () => {
  it('opens no battery-discharge for a voltage-only car board whose defaults look like a discharge', () => {
    const d = createDetection(DETECTORS, { general: FAST });
    const out: Signal[] = [];
    for (let s = 0; s <= 10 * BATTERY_DISCHARGE.fireAfterS; s++) out.push(...d.observe('maria/board-car', carT(s, failing(s)), VOLTAGE_ONLY));
    expect(kinds(out).filter((k) => k.includes('battery'))).toEqual([]);
    expect(d.coverage('maria/board-car')).toMatchObject({ detectors: [], watched: ['voltageV'] });
    // the same readings from a car that measures everything do open it
    const full = createDetection();
    const fired: Signal[] = [];
    for (let s = 0; s <= BATTERY_DISCHARGE.fireAfterS; s++) fired.push(...full.observe('maria/car', carT(s, failing(s))));
    expect(kinds(fired)).toEqual(['fire:battery-discharge']);
  });

  it('has the general detector watch the voltage of a voltage-only car board: its fall from 14.1 to 12.1 V opens reading-anomaly', () => {
    const d = createDetection(DETECTORS, { general: FAST });
    const out: Array<[number, Signal]> = [];
    for (let s = 0; s <= 900; s++) for (const sig of d.observe('maria/board-car', carT(s, { ...failing(s), voltageV: failing(s).voltageV + 0.01 * Math.sin(s) }), VOLTAGE_ONLY)) out.push([s, sig]);
    expect(out.map(([, sig]) => `${sig.type}:${sig.kind}`)).toEqual([`fire:${READING_ANOMALY_KIND}`]);
    const [s, fire] = out[0]!;
    expect(s).toBeGreaterThan(600);
    expect(s).toBeLessThanOrEqual(600 + 60 + FAST.bucketS);
    expect(fire.evidence).toMatchObject({ reading: 'voltageV', value: expect.closeTo(12.1, 1) });
  });

  it('watches extra readings on every device, a simulated one too, and names them as extra', () => {
    const d = createDetection(DETECTORS, { general: FAST });
    const out: Signal[] = [];
    for (let s = 0; s <= 600; s++) out.push(...d.observe('maria/car', carT(s, { engineRunning: false, currentA: 0, speedKmh: 0 }, { humidityPct: s < 300 ? 40 + (s % 3) * 0.1 : 70 })));
    expect(out.map((x) => [x.kind, x.evidence.reading])).toEqual([[READING_ANOMALY_KIND, 'extra.humidityPct']]);
  });

  it('watches the declared extra readings only, or the first MAX_EXTRA_READINGS names it sees, and counts the others', () => {
    const names = Array.from({ length: MAX_EXTRA_READINGS + 4 }, (_, i) => `pin${i}`);
    const half = (from: number) => Object.fromEntries(names.slice(from, from + MAX_EXTRA_READINGS / 2 + 2).map((n) => [n, 1]));
    const d = createDetection();
    // undeclared: 10 names, then 10 others: the first 16 seen are watched, the last 4 are not
    d.observe('maria/board', carT(0, {}, half(0)));
    d.observe('maria/board', carT(1, {}, half(10)));
    expect(d.unwatched()).toBe(4);
    // declared: only those
    const declared = createDetection();
    declared.observe('maria/board', carT(2, {}, { pin1: 1, pin2: 2, other: 3 }), { extra: ['pin1', 'pin2'] });
    expect(declared.unwatched()).toBe(1);
  });

  it('plans again when a device announces other readings: a board that gains a current sensor gets the battery detectors', () => {
    const d = createDetection(DETECTORS, { general: false });
    const out: Signal[] = [];
    for (let s = 0; s <= BATTERY_DISCHARGE.fireAfterS; s++) out.push(...d.observe('maria/board-car', carT(s, failing(0)), VOLTAGE_ONLY));
    expect(out).toEqual([]);
    const withCurrent = { measures: ['voltageV', 'currentA', 'engineRunning'] };
    const start = BATTERY_DISCHARGE.fireAfterS + 1;
    for (let s = start; s <= start + BATTERY_DISCHARGE.fireAfterS; s++) out.push(...d.observe('maria/board-car', carT(s, failing(0)), withCurrent));
    expect(kinds(out)).toEqual(['fire:battery-discharge']);
    expect(d.coverage('maria/board-car')?.detectors).toContain('battery-discharge');
  });

  it('gives the general detector nothing to watch on a device of its kind that measures everything', () => {
    const d = createDetection(DETECTORS, { general: FAST });
    const out: Signal[] = [];
    // a fridge whose room temperature swings wildly: covered by fridge-duty, so the general detector stays out
    for (let s = 0; s <= 600; s++) out.push(...d.observe('maria/fridge', { v: 1, ts: at(s), seq: ++seq, kind: 'fridge', readings: fridge({ ambientTempC: s < 300 ? 21 : 35 }) }));
    expect(out).toEqual([]);
    expect(d.coverage('maria/fridge')).toMatchObject({ watched: [], extra: null });
  });
});
