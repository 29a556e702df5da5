import { describe, expect, it } from 'vitest';
import type { ReportMode } from '../../../contracts/index.js';
import type { Detector, Evidence } from '../../../helpdesk/detect/detector.js';
import { fridgeDuty } from '../../../helpdesk/detect/fridge-duty.js';
import { sustained, type Window } from '../../../helpdesk/detect/sustained.js';
import { T0, at, feed, fridge, only, times, trace } from './series.js';

/** fires after 5 s above 10 °C, clears after 3 s below 5 °C; evidence carries the whole window */
const toy = sustained({
  kind: 'toy',
  deviceKind: 'fridge',
  needs: ['cabinetTempC'],
  metric: (r) => r.cabinetTempC,
  fireWhen: (r) => r.cabinetTempC > 10,
  fireAfterS: 5,
  clearWhen: (r) => r.cabinetTempC < 5,
  clearAfterS: 3,
  severity: (_r, w) => (w.max > 20 ? 'critical' : 'low'),
  fireEvidence: (r, w): Evidence => ({ expected: 'cool', observed: `warm ${r.cabinetTempC}`, window: w }),
  clearEvidence: (r, w): Evidence => ({ expected: 'cool', observed: `cool ${r.cabinetTempC}`, window: w }),
});

const temps = (...cs: number[]) => cs.map((c) => fridge({ cabinetTempC: c }));
const windowOf = (s: { evidence: Evidence }) => s.evidence.window as Window;

describe('sustained', () => {
  it('names the detector after its spec', () => {
    expect(toy.kind).toBe('toy');
    expect(toy.deviceKind).toBe('fridge');
  });

  it('fires when the condition has held for exactly fireAfterS seconds of event time', () => {
    expect(feed(toy, temps(11, 11, 11, 11, 11)).emitted).toEqual([]);
    expect(trace(feed(toy, temps(11, 11, 11, 11, 11, 11)).emitted)).toEqual(['fire@5']);
  });

  it('measures the duration by event time, not by the number of readings', () => {
    // one reading every 2 s: the fourth one is 6 s after the first
    const ts = [0, 2, 4, 6].map(at);
    expect(trace(feed(toy, temps(11, 11, 11, 11), { ts }).emitted)).toEqual(['fire@3']);
    // two readings 10 s apart are enough
    expect(trace(feed(toy, temps(11, 11), { ts: [at(0), at(10)] }).emitted)).toEqual(['fire@1']);
  });

  it('hands the window of the readings since the condition began to evidence and severity', () => {
    const s = only(feed(toy, temps(11, 15, 12, 20, 13, 14)).emitted);
    if (s.type !== 'fire') throw new Error('expected fire');
    expect(windowOf(s)).toEqual({ since: T0, seconds: 5, mean: 85 / 6, min: 11, max: 20, first: 11 });
    expect(s.severity).toBe('low');
    expect(s.evidence.observed).toBe('warm 14');
    expect(s).toMatchObject({ kind: 'toy', at: at(5) });
    expect(only(feed(toy, temps(11, 15, 21, 12, 13, 14)).emitted)).toMatchObject({ severity: 'critical' });
  });

  it('starts a fresh window after the condition breaks, forgetting the readings before', () => {
    const s = only(feed(toy, temps(11, 30, 4, 12, 13, 14, 15, 16, 17)).emitted);
    expect(windowOf(s)).toEqual({ since: at(3), seconds: 5, mean: 14.5, min: 12, max: 17, first: 12 });
    expect(s).toMatchObject({ severity: 'low' });
  });

  it('fires once, then waits for the clear condition, ignoring readings between the thresholds', () => {
    const { emitted } = feed(toy, [...temps(11, 11, 11, 11, 11, 11), ...times(100, fridge({ cabinetTempC: 11 })), ...temps(7, 8, 9, 7)]);
    expect(trace(emitted)).toEqual(['fire@5']);
  });

  it('clears with a window of the clear readings only', () => {
    const { emitted } = feed(toy, temps(11, 11, 11, 11, 11, 11, 4, 2, 3, 1));
    expect(trace(emitted)).toEqual(['fire@5', 'clear@9']);
    const c = emitted[1]!.signal;
    expect(c).toMatchObject({ type: 'clear', kind: 'toy', at: at(9) });
    expect(windowOf(c)).toEqual({ since: at(6), seconds: 3, mean: 2.5, min: 1, max: 4, first: 4 });
    expect(c.evidence.observed).toBe('cool 1');
  });

  it('goes back to watching for a fire after a clear', () => {
    const { emitted } = feed(toy, temps(11, 11, 11, 11, 11, 11, 4, 4, 4, 4, 11, 11, 11, 11, 11, 11));
    expect(trace(emitted)).toEqual(['fire@5', 'clear@9', 'fire@15']);
  });

  it('keeps one state a device, changed in place, and decides from what it holds alone (equal states, equal results)', () => {
    const { state } = feed(toy, temps(11, 12, 13));
    const copy = structuredClone(state);
    const a = toy.update(state, at(3), fridge({ cabinetTempC: 14 }));
    // handed over: the state it returns is the one it was given (no new object a message)
    expect(a.state).toBe(state);
    const b = toy.update(copy, at(3), fridge({ cabinetTempC: 14 }));
    expect(b).toEqual(a);
    // and it moves on from there as a fresh copy of it does
    const again = structuredClone(a.state);
    expect(toy.update(a.state, at(4), fridge({ cabinetTempC: 1 }))).toEqual(toy.update(again, at(4), fridge({ cabinetTempC: 1 })));
  });

  it('gives the same signals for the same series (deterministic)', () => {
    const series = times(2000, (i) => fridge({ cabinetTempC: 8 + 6 * Math.sin(i / 7) }));
    expect(feed(toy, series).emitted).toEqual(feed(toy, series).emitted);
  });

  it('agrees with a brute-force reading of its rules on a random walk', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let c = 8;
    const cs = times(20_000, () => (c = Math.min(40, Math.max(-10, c + (rnd() - 0.5) * 4))));
    const { emitted } = feed(toy, temps(...cs));

    // reference: scan with explicit run starts
    const expected: string[] = [];
    let firing = false;
    let start: number | null = null;
    cs.forEach((x, i) => {
      const holds = firing ? x < 5 : x > 10;
      if (!holds) return void (start = null);
      start ??= i;
      if (i - start >= (firing ? 3 : 5)) {
        expected.push(`${firing ? 'clear' : 'fire'}@${i}`);
        firing = !firing;
        start = null;
      }
    });
    expect(expected.length).toBeGreaterThan(10);
    expect(trace(emitted)).toEqual(expected);
  });
});

describe('the last readings a detector keeps (by exception)', () => {
  const report: ReportMode = { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 };

  // a message's readings, kept by reference until the device's next message minutes later, outlived the
  // young generation and died old; the detectors keep a copy of their own, one object a device for the day
  it('are a copy in one object of the detector’s own, the same values, whichever message they came from', () => {
    for (const d of [toy, fridgeDuty] as Array<Detector<'fridge', { last: unknown }>>) {
      let s = d.init();
      let kept: unknown = null;
      for (let i = 0; i < 6; i++) {
        const r = fridge({ cabinetTempC: 4 + i * 2, compressorOn: i % 2 === 0 });
        s = d.update(s, at(i * 300), r, report).state;
        expect(s.last, d.kind).toEqual(r);
        expect(s.last, d.kind).not.toBe(r);
        if (kept !== null) expect(s.last, d.kind).toBe(kept);
        kept = s.last;
        // the message's object changed afterwards changes nothing the detector kept
        r.cabinetTempC = -99;
        expect((s.last as { cabinetTempC: number }).cabinetTempC, d.kind).toBe(4 + i * 2);
      }
    }
  });
});
