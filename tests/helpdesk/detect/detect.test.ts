import { describe, expect, it } from 'vitest';
import type { DeviceKind, Telemetry } from '../../../contracts/index.js';
import { BATTERY_DISCHARGE, batteryDischarge } from '../../../helpdesk/detect/battery-discharge.js';
import { batteryParasitic } from '../../../helpdesk/detect/battery-parasitic.js';
import { batteryWeak } from '../../../helpdesk/detect/battery-weak.js';
import { fridgeDuty } from '../../../helpdesk/detect/fridge-duty.js';
import { DETECTORS, createDetection } from '../../../helpdesk/detect/detect.js';
import type { Detector, Signal } from '../../../helpdesk/detect/detector.js';
import { FRIDGE_DOOR, fridgeDoorOpen } from '../../../helpdesk/detect/fridge-door-open.js';
import { FRIDGE_WARM, fridgeWarm } from '../../../helpdesk/detect/fridge-warm.js';
import { WASHER_DRAIN, washerDrain } from '../../../helpdesk/detect/washer-drain.js';
import { WASHER_HEATER, washerHeater } from '../../../helpdesk/detect/washer-heater.js';
import { at, car, fridge, washer } from './series.js';

const BF = BATTERY_DISCHARGE.fireAfterS;
const BC = BATTERY_DISCHARGE.clearAfterS;
const DRAINING = BATTERY_DISCHARGE.fireBelowA - 2;
const BAND = (BATTERY_DISCHARGE.fireBelowA + BATTERY_DISCHARGE.clearAboveA) / 2;

let seq = 0;
const carT = (s: number, currentA: number): Telemetry => ({ v: 1, ts: at(s), seq: ++seq, kind: 'car-battery', readings: car({ currentA }) });
const fridgeT = (s: number, cabinetTempC: number, doorOpen: boolean): Telemetry => ({
  v: 1,
  ts: at(s),
  seq: ++seq,
  kind: 'fridge',
  readings: fridge({ setpointC: 4, cabinetTempC, doorOpen }),
});
const washerT = (s: number, over: Parameters<typeof washer>[0]): Telemetry => ({ v: 1, ts: at(s), seq: ++seq, kind: 'washer', readings: washer(over) });

/** a detector that reports `kind` on every reading, to see the order of signals */
function always<K extends DeviceKind>(kind: string, deviceKind: K): Detector<K, number> {
  return {
    kind,
    deviceKind,
    needs: [],
    init: () => 0,
    update: (n, ts) => ({ state: n + 1, signal: { type: 'fire', kind, severity: 'low', at: ts, evidence: { expected: '', observed: String(n + 1) } } }),
  };
}

const kinds = (signals: readonly Signal[]) => signals.map((s) => `${s.type}:${s.kind}`);

describe('createDetection', () => {
  it('runs the detectors of each device kind in a fixed order', () => {
    expect(DETECTORS).toEqual({
      'car-battery': [batteryDischarge, batteryParasitic, batteryWeak],
      fridge: [fridgeWarm, fridgeDoorOpen, fridgeDuty],
      washer: [washerHeater, washerDrain],
    });
  });

  it('returns no signals for healthy telemetry', () => {
    const d = createDetection();
    for (let s = 0; s < 600; s++) {
      expect(d.observe('car-1', carT(s, 5))).toEqual([]);
      expect(d.observe('fridge-1', fridgeT(s, 4.5, false))).toEqual([]);
      expect(d.observe('washer-1', washerT(s, { phase: 'heat', powerW: 2000 }))).toEqual([]);
    }
  });

  it('fires on the reading where a detector fires, with that reading as the time', () => {
    const d = createDetection();
    const out: Array<[number, readonly Signal[]]> = [];
    for (let s = 0; s <= BF; s++) out.push([s, d.observe('car-1', carT(s, DRAINING))]);
    expect(out.filter(([, sig]) => sig.length > 0).map(([s, sig]) => [s, kinds(sig)])).toEqual([[BF, ['fire:battery-discharge']]]);
    expect(out[BF]![1][0]).toMatchObject({ at: at(BF) });
  });

  it('keeps a separate state per device id: a healthy car does not reset a discharging one', () => {
    const d = createDetection();
    const fired: string[] = [];
    for (let s = 0; s <= BF; s++) {
      for (const sig of d.observe('car-a', carT(s, DRAINING))) fired.push(`car-a:${sig.kind}@${s}`);
      for (const sig of d.observe('car-b', carT(s, 6))) fired.push(`car-b:${sig.kind}@${s}`);
    }
    expect(fired).toEqual([`car-a:battery-discharge@${BF}`]);
  });

  it('keeps a separate state per device id: a second car does not continue the count of the first', () => {
    const d = createDetection();
    const fired: string[] = [];
    // car-a discharges for 2/3 of the sustain time, then car-b for 2/3: together more than enough
    const k = Math.floor((BF * 2) / 3);
    for (let s = 0; s < k; s++) fired.push(...kinds(d.observe('car-a', carT(s, DRAINING))).map((x) => `car-a:${x}`));
    for (let s = k; s < 2 * k; s++) fired.push(...kinds(d.observe('car-b', carT(s, DRAINING))).map((x) => `car-b:${x}`));
    expect(fired).toEqual([]);
    // each car fires on its own sustain time
    expect(kinds(d.observe('car-a', carT(BF, DRAINING)))).toEqual(['fire:battery-discharge']);
    expect(kinds(d.observe('car-b', carT(k + BF, DRAINING)))).toEqual(['fire:battery-discharge']);
  });

  it('keeps an open incident per device: one device clearing does not clear another', () => {
    const d = createDetection();
    for (let s = 0; s <= BF; s++) {
      d.observe('car-a', carT(s, DRAINING));
      d.observe('car-b', carT(s, DRAINING));
    }
    const fired: string[] = [];
    for (let s = BF + 1; s <= BF + 1 + 3 * BC; s++) {
      fired.push(...kinds(d.observe('car-a', carT(s, 6))).map((k) => `car-a:${k}@${s}`));
      fired.push(...kinds(d.observe('car-b', carT(s, BAND))).map((k) => `car-b:${k}@${s}`));
    }
    expect(fired).toEqual([`car-a:clear:battery-discharge@${BF + 1 + BC}`]);
  });

  // warm from 0 s and door open from DOOR_FROM s: both detectors fire on the reading at BOTH s
  const BOTH = Math.max(FRIDGE_WARM.fireAfterS, FRIDGE_DOOR.fireAfterS);
  const DOOR_FROM = BOTH - FRIDGE_DOOR.fireAfterS;
  const WARM_FROM = BOTH - FRIDGE_WARM.fireAfterS;
  const warmAndOpen = (s: number) => fridgeT(s, s >= WARM_FROM ? 9.5 : 4, s >= DOOR_FROM);

  it('returns signals of one reading in detector order', () => {
    const d = createDetection();
    const all: Array<[number, string[]]> = [];
    for (let s = 0; s <= BOTH; s++) {
      const sig = d.observe('fridge-1', warmAndOpen(s));
      if (sig.length) all.push([s, kinds(sig)]);
    }
    expect(all).toEqual([[BOTH, ['fire:fridge-warm', 'fire:fridge-door-open']]]);
  });

  it('follows the order of the detectors it is given', () => {
    const d = createDetection({ ...DETECTORS, fridge: [fridgeDoorOpen, fridgeWarm] });
    let last: readonly Signal[] = [];
    for (let s = 0; s <= BOTH; s++) last = d.observe('fridge-1', warmAndOpen(s));
    expect(kinds(last)).toEqual(['fire:fridge-door-open', 'fire:fridge-warm']);
  });

  it('runs only the detectors of the telemetry kind, each with its own state', () => {
    const d = createDetection({
      'car-battery': [always('c1', 'car-battery')],
      fridge: [always('f1', 'fridge'), always('f2', 'fridge'), always('f3', 'fridge')],
      washer: [always('w1', 'washer')],
    });
    expect(kinds(d.observe('fridge-1', fridgeT(0, 4, false)))).toEqual(['fire:f1', 'fire:f2', 'fire:f3']);
    const second = d.observe('fridge-1', fridgeT(1, 4, false));
    expect(second.map((s) => s.evidence.observed)).toEqual(['2', '2', '2']);
    expect(kinds(d.observe('car-1', carT(2, 5)))).toEqual(['fire:c1']);
    expect(d.observe('fridge-2', fridgeT(3, 4, false)).map((s) => s.evidence.observed)).toEqual(['1', '1', '1']);
    expect(d.observe('fridge-1', fridgeT(4, 4, false)).map((s) => s.evidence.observed)).toEqual(['3', '3', '3']);
  });

  it('runs both washer detectors on washer telemetry', () => {
    const d = createDetection();
    const fired: string[] = [];
    // a dead heater, then a blocked drain
    const H = WASHER_HEATER.fireAfterS;
    const D = WASHER_DRAIN.fireAfterS;
    for (let s = 0; s <= H; s++) fired.push(...kinds(d.observe('washer-1', washerT(s, { phase: 'heat', powerW: 100 }))).map((k) => `${k}@${s}`));
    for (let s = H + 1; s <= H + 1 + D; s++) {
      fired.push(...kinds(d.observe('washer-1', washerT(s, { phase: 'drain', powerW: 40, waterLevelL: 11 }))).map((k) => `${k}@${s}`));
    }
    expect(fired).toEqual([`fire:washer-heater@${H}`, `fire:washer-drain@${H + 1 + D}`]);
  });
});

describe('createDetection with bad timing', () => {
  it('skips and counts duplicated and out-of-order timestamps without touching detector state', () => {
    const d = createDetection();
    const tel = (s: number, over: Parameters<typeof car>[0] = {}): Telemetry => ({ v: 1, ts: at(s), seq: s + 1, kind: 'car-battery', readings: car(over) });
    const discharging = { engineRunning: true, currentA: -20 };
    for (let s = 0; s < 30; s++) d.observe('car', tel(s, discharging));
    // a stale healthy reading would break the discharge window if it were processed
    expect(d.observe('car', tel(10, { engineRunning: true, currentA: 5 }))).toEqual([]);
    expect(d.observe('car', tel(29, { engineRunning: true, currentA: 5 }))).toEqual([]);
    expect(d.skipped()).toBe(2);
    const fired = [];
    for (let s = 30; s <= BATTERY_DISCHARGE.fireAfterS + 1; s++) fired.push(...d.observe('car', tel(s, discharging)));
    expect(fired.map((x) => x.type)).toEqual(['fire']);
  });

  it('does not count a condition as held across a gap in the readings', () => {
    const d = createDetection();
    const tel = (s: number): Telemetry => ({ v: 1, ts: at(s), seq: s + 1, kind: 'car-battery', readings: car({ engineRunning: true, currentA: -20 }) });
    const out = [];
    for (let s = 0; s < 30; s++) out.push(...d.observe('car', tel(s)));
    // 10 minutes of silence, then 40 s more: only 40 s are known to have held
    for (let s = 630; s < 670; s++) out.push(...d.observe('car', tel(s)));
    expect(out).toEqual([]);
    for (let s = 670; s < 700; s++) out.push(...d.observe('car', tel(s)));
    expect(out.map((x) => x.type)).toEqual(['fire']);
  });
});
