import { describe, expect, it } from 'vitest';
import { scaledClock } from '../../contracts/clock.js';
import { clockFrom } from '../../cli/clock-option.js';
import { realClock } from '../../contracts/clock.js';

describe('scaledClock', () => {
  it('starts at the given time and runs rate times faster than the wall', () => {
    let wall = 1_000;
    const c = scaledClock({ startMs: Date.UTC(2026, 10, 30, 1), rate: 600, wall: () => wall });
    expect(c.now()).toBe(Date.UTC(2026, 10, 30, 1));
    wall += 6_000; // six wall seconds: one hour of event time
    expect(c.now()).toBe(Date.UTC(2026, 10, 30, 2));
  });

  it('reads the same time in two processes made at different wall times with the same origin', () => {
    let wall = 50_000;
    const startMs = Date.UTC(2026, 10, 30, 1);
    const first = scaledClock({ startMs, rate: 20, originMs: 40_000, wall: () => wall });
    wall += 28_000; // the second process starts 28 s later
    const second = scaledClock({ startMs, rate: 20, originMs: 40_000, wall: () => wall });
    expect(second.now()).toBe(first.now());
    expect(first.now()).toBe(startMs + 38_000 * 20);
  });

  it('refuses a rate that is not positive and a start that is not a time, with the code', () => {
    expect(() => scaledClock({ startMs: 0, rate: 0 })).toThrow(/EVN_ERR_CLOCK/);
    expect(() => scaledClock({ startMs: Number.NaN, rate: 1 })).toThrow(/EVN_ERR_CLOCK/);
  });
});

describe('--clock-start / --clock-rate', () => {
  it('is the real clock without them', () => {
    expect(clockFrom({})).toBe(realClock);
  });

  it('parses an ISO start and a rate', () => {
    const c = clockFrom({ 'clock-start': '2026-11-30T01:00:00Z', 'clock-rate': '60' });
    expect(Math.abs(c.now() - Date.UTC(2026, 10, 30, 1))).toBeLessThan(60_000);
  });

  it('names the option and the value it could not use', () => {
    expect(() => clockFrom({ 'clock-start': 'tomorrow' })).toThrow(/--clock-start .* 'tomorrow'/);
    expect(() => clockFrom({ 'clock-rate': '-2' })).toThrow(/--clock-rate .* '-2'/);
    expect(() => clockFrom({ 'clock-rate': '2', 'clock-origin': 'soon' })).toThrow(/--clock-origin .* 'soon'/);
    expect(() => clockFrom({ 'clock-origin': '2026-11-30T06:00:00Z' })).toThrow(/--clock-origin goes with/);
  });
});
