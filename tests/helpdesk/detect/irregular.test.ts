/**
 * Detectors on a device that reports by exception: a reading holds until the next message, messages
 * come a heartbeat apart when nothing changes and in bursts when something does. Durations are event
 * time, means are weighted by time, a quiet device is neither silent nor a broken window, and a burst
 * of messages weighs no more than the minutes it spans.
 */
import { describe, expect, it } from 'vitest';
import type { ReportMode, Telemetry } from '../../../contracts/index.js';
import { createDetection } from '../../../helpdesk/detect/detect.js';
import { batteryParasitic } from '../../../helpdesk/detect/battery-parasitic.js';
import type { Detector, Signal } from '../../../helpdesk/detect/detector.js';
import { fridgeDoorOpen } from '../../../helpdesk/detect/fridge-door-open.js';
import { fridgeDuty } from '../../../helpdesk/detect/fridge-duty.js';
import { createReadingWatch } from '../../../helpdesk/detect/reading-anomaly.js';
import { createSilence, SILENCE_KIND } from '../../../helpdesk/detect/silence.js';
import { sustained } from '../../../helpdesk/detect/sustained.js';
import type { DeviceKind, ReadingsOf } from '../../../contracts/index.js';
import { at, car, fridge } from './series.js';

const RBE: ReportMode = { mode: 'exception', heartbeatS: 900, sampleEveryS: 10 };

/** messages at the given seconds, through a detector with or without report-by-exception; the signals with the second they came at */
function run<K extends DeviceKind, S>(d: Detector<K, S>, msgs: Array<[number, ReadingsOf<K>]>, report?: ReportMode): Array<{ atS: number; msgS: number; signal: Signal }> {
  let state = d.init();
  const out: Array<{ atS: number; msgS: number; signal: Signal }> = [];
  for (const [s, r] of msgs) {
    const x = d.update(state, at(s), r, report);
    state = x.state;
    if (x.signal) out.push({ atS: (x.signal.at - at(0)) / 1000, msgS: s, signal: x.signal });
  }
  return out;
}

describe('sustained conditions by exception', () => {
  it('a door that opened and sent nothing more is open from its message on: fired at the moment it had been open 3 min', () => {
    // door opens at 100 s; the next message is the heartbeat 900 s later, still open
    const msgs: Array<[number, ReturnType<typeof fridge>]> = [[0, fridge()], [100, fridge({ doorOpen: true })], [1000, fridge({ doorOpen: true })]];
    const [x, ...more] = run(fridgeDoorOpen, msgs, RBE);
    expect(more).toEqual([]);
    expect(x).toMatchObject({ atS: 280, msgS: 1000, signal: { type: 'fire', kind: 'fridge-door-open', evidence: { since: at(100) } } });
    // periodic, the same messages are a gap: nobody saw the door in between, no ticket
    expect(run(fridgeDoorOpen, msgs)).toEqual([]);
  });

  it('a door closed again before 3 min is not a ticket, however long the next message takes', () => {
    expect(run(fridgeDoorOpen, [[0, fridge()], [100, fridge({ doorOpen: true })], [150, fridge()], [1050, fridge()]], RBE)).toEqual([]);
  });

  it('a condition that ended counts only until the last sample that saw it: three open samples a minute apart are 2 min, not 3', () => {
    // a healthy fridge of the 10,000-home fleet (home-06938, 2020-11-02): short openings caught by the samples
    // at 12:57, 12:58 and 12:59 (a message at 12:57 for the door, at 12:59 for the cabinet), closed at 13:00
    const minute: ReportMode = { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 };
    const seen = [[0, fridge()], [420, fridge({ doorOpen: true })], [540, fridge({ doorOpen: true, cabinetTempC: 5.2 })], [600, fridge({ cabinetTempC: 5.2 })]] as Array<[number, ReturnType<typeof fridge>]>;
    expect(run(fridgeDoorOpen, seen, minute)).toEqual([]);
    // periodic, the same door is four messages (a sample each): 2 min, no ticket either
    expect(run(fridgeDoorOpen, [[0, fridge()], [420, fridge({ doorOpen: true })], [480, fridge({ doorOpen: true })], [540, fridge({ doorOpen: true })], [600, fridge()]])).toEqual([]);
    // a fourth open sample (12:57 to 13:00 seen open, closed at 13:01): 3 min, fired when the 3 min had passed
    const [x, ...more] = run(fridgeDoorOpen, [[0, fridge()], [420, fridge({ doorOpen: true })], [660, fridge()]], minute);
    expect(more).toEqual([]);
    expect(x).toMatchObject({ atS: 600, msgS: 660, signal: { type: 'fire', kind: 'fridge-door-open', evidence: { since: at(420) } } });
  });

  it('a parasitic drain seen only at heartbeats fires 15 min after it began, with the time-weighted mean', () => {
    const parked = (currentA: number) => car({ engineRunning: false, speedKmh: 0, currentA, voltageV: 12.4 });
    // 1 A from 60 s; a burst of messages at 1.5 A for 10 s, then 1 A again, quiet until the heartbeat
    const msgs: Array<[number, ReturnType<typeof car>]> = [[0, parked(-0.03)], [60, parked(-1)], [70, parked(-1.5)], [71, parked(-1.5)], [72, parked(-1.5)], [80, parked(-1)], [980, parked(-1)]];
    const [x] = run(batteryParasitic, msgs, RBE);
    expect(x).toMatchObject({ atS: 960, msgS: 980, signal: { type: 'fire', kind: 'battery-parasitic' } });
    // 10 s at 1.5 A and 890 s at 1 A: not the mean of the seven messages
    expect(x!.signal.evidence.meanCurrentA).toBeCloseTo(-(10 * 1.5 + 890 * 1) / 900, 3);
    expect(x!.signal.evidence.windowS).toBe(900);
  });

  it('a gap longer than a heartbeat and a sample breaks the window: nobody saw the condition hold', () => {
    const parked = (currentA: number) => car({ engineRunning: false, speedKmh: 0, currentA });
    expect(run(batteryParasitic, [[0, parked(-1)], [911, parked(-1)]], RBE)).toEqual([]);
    expect(run(batteryParasitic, [[0, parked(-1)], [910, parked(-1)]], RBE)).toHaveLength(1);
  });

  it('clears in event time too: the condition gone for clearAfterS before the next message', () => {
    const toy = sustained({
      kind: 'toy', deviceKind: 'fridge', needs: ['cabinetTempC'], metric: (r) => r.cabinetTempC,
      fireWhen: (r) => r.cabinetTempC > 10, fireAfterS: 60, clearWhen: (r) => r.cabinetTempC < 5, clearAfterS: 60,
      severity: () => 'low', fireEvidence: () => ({ expected: '', observed: '' }), clearEvidence: () => ({ expected: '', observed: '' }),
    });
    const out = run(toy, [[0, fridge({ cabinetTempC: 11 })], [300, fridge({ cabinetTempC: 4 })], [1000, fridge({ cabinetTempC: 4 })]], RBE);
    expect(out.map((o) => `${o.signal.type}@${o.atS}/${o.msgS}`)).toEqual(['fire@60/300', 'clear@360/1000']);
  });
});

describe('the watermark decides what held long enough on a quiet device', () => {
  it('fires a door left open at the moment it had been open 3 min, once, with no message since', () => {
    const detection = createDetection();
    const msg = (s: number, doorOpen: boolean): Telemetry => ({ v: 1, ts: at(s), seq: s + 1, kind: 'fridge', readings: fridge({ doorOpen }) });
    expect(detection.observe('maria/fridge', msg(0, false), undefined, RBE)).toEqual([]);
    expect(detection.observe('maria/fridge', msg(100, true), undefined, RBE)).toEqual([]);
    expect(detection.tick(at(279))).toEqual([]);
    const [x, ...more] = detection.tick(at(290));
    expect(more).toEqual([]);
    expect(x).toMatchObject({ deviceKey: 'maria/fridge', signal: { type: 'fire', kind: 'fridge-door-open', at: at(280) } });
    expect(detection.armed()).toBe(0);
    // the heartbeat, door still open: nothing new; the door shut: cleared after 10 s, by the next tick
    expect(detection.observe('maria/fridge', msg(1000, true), undefined, RBE)).toEqual([]);
    expect(detection.observe('maria/fridge', msg(1200, false), undefined, RBE)).toEqual([]);
    expect(detection.tick(at(1215)).map((y) => `${y.signal.type}@${(y.signal.at - at(0)) / 1000}`)).toEqual(['clear@1210']);
  });

  it('never holds a reading past a heartbeat and a sample: then the device is silent, not steady', () => {
    const detection = createDetection();
    const msg = (s: number, doorOpen: boolean): Telemetry => ({ v: 1, ts: at(s), seq: s + 1, kind: 'fridge', readings: fridge({ doorOpen }) });
    const report: ReportMode = { mode: 'exception', heartbeatS: 60, sampleEveryS: 10 };
    detection.observe('maria/fridge', msg(0, true), undefined, report);
    expect(detection.tick(at(3600))).toEqual([]);
    // a periodic device is never held
    const periodic = createDetection();
    periodic.observe('maria/fridge', msg(0, true));
    expect(periodic.tick(at(3600))).toEqual([]);
    expect(periodic.armed()).toBe(0);
  });
});

describe('the devices armed: a condition in progress on a device reporting by exception', () => {
  const msg = (s: number, doorOpen: boolean): Telemetry => ({ v: 1, ts: at(s), seq: s + 1, kind: 'fridge', readings: fridge({ doorOpen }) });

  it('a device that reports periodically from now on is no longer armed, and its held door is never decided', () => {
    const detection = createDetection();
    detection.observe('maria/fridge', msg(0, true), undefined, RBE);
    expect(detection.armed()).toBe(1);
    detection.observe('maria/fridge', msg(10, true));
    expect(detection.armed()).toBe(0);
    expect(detection.tick(at(3600))).toEqual([]);
  });

  it('a device that announces other readings starts a fresh plan: the old plan\'s condition is not decided any more', () => {
    const detection = createDetection();
    detection.observe('maria/fridge', msg(0, true), undefined, RBE);
    expect(detection.armed()).toBe(1);
    // it now measures only its cabinet: the door detector does not run on it, nothing is in progress
    detection.observe('maria/fridge', msg(10, true), { measures: ['cabinetTempC'] }, RBE);
    expect(detection.armed()).toBe(0);
    expect(detection.tick(at(3600))).toEqual([]);
  });

  it('a reading not newer than the last one is skipped, across a checkpoint too', () => {
    const detection = createDetection();
    detection.observe('maria/fridge', msg(100, false), undefined, RBE);
    detection.observe('maria/fridge', msg(100, true), undefined, RBE);
    expect(detection.skipped()).toBe(1);
    const again = createDetection();
    again.restore(detection.snapshot());
    expect(again.snapshot().lastTs).toEqual(new Map([['maria/fridge', at(100)]]));
    again.observe('maria/fridge', msg(50, true), undefined, RBE);
    expect(again.skipped()).toBe(2);
    expect(again.armed()).toBe(0);
  });
});

describe('fridge duty by exception', () => {
  /** a fridge whose compressor runs `onS` of every `cycleS`, reporting only its switches (and heartbeats) for `hours` */
  function cycles(onS: number, cycleS: number, hours: number, fromS = 0): Array<[number, ReturnType<typeof fridge>]> {
    const out: Array<[number, ReturnType<typeof fridge>]> = [];
    for (let t = fromS; t < fromS + hours * 3600; t += cycleS) {
      out.push([t, fridge({ compressorOn: true, powerW: 64 })], [t + onS, fridge({ compressorOn: false, powerW: 0 })]);
      // the heartbeat, when nothing else was sent for 15 min
      if (cycleS - onS > 900) out.push([t + onS + 900, fridge({ compressorOn: false, powerW: 0 })]);
    }
    return out;
  }

  it('stays quiet on a steady duty with messages only at the switches, and fires when the duty doubles', () => {
    const healthy = cycles(270, 1500, 36);
    expect(run(fridgeDuty, healthy, RBE)).toEqual([]);
    const worse = [...healthy, ...cycles(600, 1500, 12, 36 * 3600)];
    const [x] = run(fridgeDuty, worse, RBE);
    expect(x).toMatchObject({ signal: { type: 'fire', kind: 'fridge-duty' } });
    // by time, the duty is the share of time on: 18 % healthy, not the 50 % of messages that say "on"
    expect(x!.signal.evidence.baselineDutyPct).toBeCloseTo(18, 0);
  });

  it('completes its 30 min at the watermark on the held duty, not at the next message', () => {
    const worse = [...cycles(270, 1500, 36), ...cycles(600, 1500, 12, 36 * 3600)];
    let state = fridgeDuty.init();
    for (const [s, r] of worse) {
      state = fridgeDuty.update(state, at(s), r, RBE).state;
      const due = fridgeDuty.pending!(state, RBE);
      if (due === null) continue;
      // nothing decided before it is due; at the watermark past it, fired at the moment it was due
      expect(fridgeDuty.hold!(state, due - 1000, RBE).signal).toBeUndefined();
      const held = fridgeDuty.hold!(state, due + 5 * 60_000, RBE);
      expect(held.signal).toMatchObject({ type: 'fire', kind: 'fridge-duty', at: due });
      return;
    }
    throw new Error('the condition never began');
  });
});

describe('the general detector by exception', () => {
  /** humidity steady at 40 % (heartbeats only) for 3 h, with one burst of 30 messages at 41 % within a minute each hour; then 55 % held by heartbeats */
  function feedHumidity(report?: ReportMode): { learning: Signal[]; fired: Signal[] } {
    const watch = createReadingWatch({ learnS: 3600 });
    const msgs: Array<[number, number]> = [];
    for (let h = 0; h < 3; h++) {
      const base = h * 3600;
      msgs.push([base, 40], [base + 900, 40], [base + 1800, 40]);
      for (let k = 1; k <= 30; k++) msgs.push([base + 1800 + k, 41]);
      msgs.push([base + 1832, 40], [base + 2700, 40]);
    }
    const learning = msgs.flatMap(([s, x]) => watch.observe(at(s), [['humidityPct', x]], report));
    const fired: Signal[] = [];
    for (let k = 0; k <= 8; k++) fired.push(...watch.observe(at(3 * 3600 + k * 900), [['humidityPct', 55]], report));
    return { learning, fired };
  }

  it('learns minutes, not messages: a burst is one minute of the baseline, and the minutes a quiet reading held count', () => {
    const { learning, fired } = feedHumidity(RBE);
    expect(learning).toEqual([]);
    const [x] = fired;
    expect(x).toMatchObject({ type: 'fire', kind: 'reading-anomaly' });
    // 3 h of one-minute buckets, the held ones included; the three burst minutes barely move the mean
    const baseline = x!.evidence.baseline as { buckets: number; mean: number };
    expect(baseline.buckets).toBeGreaterThanOrEqual(170);
    expect(baseline.mean).toBeCloseTo(40, 1);
    // the new level, held by heartbeats, fills its minutes too: caught within 15 min
    expect(x!.at - at(3 * 3600)).toBeLessThanOrEqual(15 * 60_000);
  });

  it('(a periodic device is judged by the buckets its messages fall in, as before)', () => {
    const { fired } = feedHumidity();
    expect((fired[0]!.evidence.baseline as { buckets: number }).buckets).toBeLessThan(30);
  });
});

describe('silence by exception', () => {
  it('does not call a quiet device reporting by exception silent before two heartbeats, whatever its messages learned', () => {
    const s = createSilence();
    s.declare('maria', 'fridge', RBE);
    // a burst every 5 s (learned interval: 5 s), then quiet: a steady fridge sends its heartbeat only
    for (let t = 0; t <= 60; t += 5) s.heard('maria', 'fridge', at(t), at(t));
    const lookup = () => ({ reportEveryS: 900 });
    expect(s.tick(at(60 + 900), lookup)).toEqual([]);
    expect(s.heard('maria', 'fridge', at(960), at(960))).toBeUndefined();
    expect(s.tick(at(960 + 2 * 900 + 10 - 1), lookup)).toEqual([]);
    const [x] = s.tick(at(960 + 2 * 900 + 10 + 5), lookup);
    expect(x!.signal).toMatchObject({ type: 'fire', kind: SILENCE_KIND, at: at(960 + 1810), evidence: { report: 'exception', heartbeatS: 900, silentAfterS: 1810, expected: 'telemetry at least every 15 min (its heartbeat)' } });
  });

  it('forgets the mode when the device announces periodic reporting again', () => {
    const s = createSilence();
    s.declare('maria', 'fridge', RBE);
    for (let t = 0; t <= 60; t += 5) s.heard('maria', 'fridge', at(t), at(t));
    s.declare('maria', 'fridge', undefined);
    // periodic with a learned 5-s interval: silent after minSilentS (600 s)
    expect(s.tick(at(60 + 601), () => ({}))).toHaveLength(1);
  });
});
