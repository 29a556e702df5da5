/**
 * A washer board's own logic, pure (devices/drivers/washer-cycle.ts): the offer, the schedule, the
 * press at the planned time (and the fail-safe press), the cycle's start and end from power, and
 * "done by 07:00" in local time (devices/drivers/local-time.ts).
 */
import { describe, expect, it } from 'vitest';
import { EventBody } from '../../../contracts/index.js';
import { arm, initialWasherCycle, observe, schedule, washerStatus, type WasherCycleState, type WasherRules } from '../../../devices/drivers/washer-cycle.js';
import { parseTimeOfDay as minuteOfDay, nextLocalTime, offsetMsAt } from '../../../contracts/local-time.js';
import { powerSequence } from '../../../devices/kinds/washer-programmes.js';

const SLOTS = powerSequence('cotton-40');
const DURATION_MS = SLOTS.reduce((s, x) => s + x.durationS, 0) * 1000;
const RULES: WasherRules = { runningAboveW: 5, heatingAboveW: 1000, startAfterS: 10, endAfterS: 300, startConfirmS: 600, programme: 'cotton-40', programmeS: DURATION_MS / 1000 };
/** 20:30 in Berlin (CET) on Monday 2 November 2020 */
const T0 = Date.UTC(2020, 10, 2, 19, 30);
const H = 3_600_000;

/** Runs `observe` once a second from `from` to `to` at `powerW`, collecting events and presses. */
function run(s0: WasherCycleState, from: number, to: number, powerW: (t: number) => number) {
  let s = s0;
  const events: Array<{ at: number; body: EventBody }> = [];
  const presses: number[] = [];
  const notes: string[] = [];
  for (let t = from; t <= to; t += 1000) {
    const r = observe(s, t, powerW(t), RULES);
    s = r.state;
    events.push(...r.events);
    if (r.press) presses.push(t);
    notes.push(...r.notes.map((n) => `${n.code ?? n.level}: ${n.message}`));
  }
  return { s, events, presses, notes };
}

describe('washer board: offer, plan, press, cycle', () => {
  it('arms: a flex offer from now to the deadline, valid by the contract', () => {
    const a = arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 10.5 * H });
    expect(a.events).toHaveLength(1);
    const body = EventBody.parse(a.events[0]!.body);
    expect(body).toMatchObject({ type: 'flex-offer', programme: 'cotton-40', earliestStart: T0, latestEnd: T0 + 10.5 * H });
    expect(a.events[0]!.at).toBe(T0);
    expect(a.state.offer!.offerId).toMatch(/^offer-\d+$/);
    // a deadline the programme cannot meet becomes the earliest end it can
    expect(arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 60_000 }).state.offer!.latestEnd).toBe(T0 + DURATION_MS);
  });

  it('keeps a schedule for its offer that fits the window, and refuses others with codes', () => {
    const { state } = arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 10.5 * H });
    const id = state.offer!.offerId;
    expect(schedule(state, id, T0 + 6 * H)).toMatchObject({ ok: true, state: { startAt: T0 + 6 * H } });
    expect(schedule(state, 'offer-1', T0 + 6 * H)).toMatchObject({ ok: false, code: 'EVN_ERR_NO_SUCH_OFFER' });
    expect(schedule(state, id, T0 - 1)).toMatchObject({ ok: false, code: 'EVN_ERR_OUTSIDE_WINDOW' });
    expect(schedule(state, id, T0 + 10.5 * H - DURATION_MS + 1)).toMatchObject({ ok: false, code: 'EVN_ERR_OUTSIDE_WINDOW' });
    expect(schedule(initialWasherCycle(), id, T0)).toMatchObject({ ok: false, code: 'EVN_ERR_NO_SUCH_OFFER' });
  });

  it('presses start once at the planned time; the power that follows starts the cycle, stamped at the press', () => {
    const armed = arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 10.5 * H });
    const planned = T0 + 6 * H;
    const sch = schedule(armed.state, armed.state.offer!.offerId, planned);
    if (!sch.ok) throw new Error(sch.detail);
    expect(washerStatus(sch.state, T0, 0, RULES)).toEqual({ phase: 'scheduled', remainingS: 6 * 3600 + DURATION_MS / 1000 });
    // the machine draws power 4 s after the press (door lock, fill valve, drum)
    const power = (t: number) => (t >= planned + 4000 && t < planned + DURATION_MS ? 104 : 0.5);
    const r = run(sch.state, planned - 60_000, planned + DURATION_MS + 400_000, power);
    expect(r.presses).toEqual([planned]);
    expect(r.events.map((e) => [e.body.type === 'cycle' && e.body.state, e.at])).toEqual([
      ['started', planned],
      ['finished', planned + DURATION_MS],
    ]);
    expect(r.s).toMatchObject({ running: false, offer: null, startAt: null, pressedAt: null });
  });

  it('with no schedule, presses start at the latest start that still meets the deadline (fail-safe)', () => {
    const armed = arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 10.5 * H });
    const latest = T0 + 10.5 * H - DURATION_MS;
    const r = run(armed.state, latest - 5000, latest + 5000, () => 0);
    expect(r.presses).toEqual([latest]);
    expect(r.notes.join('\n')).toMatch(/no schedule arrived/);
  });

  it('a press the power never confirms is a coded warning, and the board does not press again', () => {
    const armed = arm(initialWasherCycle(), T0, { programme: 'cotton-40', slots: SLOTS, latestEnd: T0 + 10.5 * H });
    const sch = schedule(armed.state, armed.state.offer!.offerId, T0 + H);
    if (!sch.ok) throw new Error(sch.detail);
    const r = run(sch.state, T0 + H, T0 + 10.5 * H, () => 0.5);
    expect(r.presses).toEqual([T0 + H]);
    expect(r.notes.join('\n')).toMatch(/EVN_ERR_WASHER_NO_START: start was pressed .* the power never rose/);
    expect(r.s.offer).toBeNull();
  });

  it('a cycle started by hand is a cycle too (stamped when the power rose); short blips are not', () => {
    const start = T0 + H;
    const power = (t: number) => (t === T0 + 60_000 || (t >= start && t < start + H) ? 90 : 0);
    const r = run(initialWasherCycle(), T0, start + 2 * H, power);
    expect(r.presses).toEqual([]);
    expect(r.events.map((e) => [e.body.type === 'cycle' && e.body.state, e.at])).toEqual([
      ['started', start],
      ['finished', start + H],
    ]);
  });
});

describe('done by a local time', () => {
  const BERLIN = 'Europe/Berlin';
  it('reads "07:00" and finds the next 07:00 in the zone, daylight saving included', () => {
    expect(minuteOfDay('07:00')).toBe(420);
    expect(minuteOfDay('7:30')).toBe(450);
    expect(minuteOfDay('24:00')).toBeNull();
    expect(minuteOfDay('seven')).toBeNull();
    // winter (UTC+1): 20:30 on 2 Nov -> 07:00 on 3 Nov = 06:00 UTC
    expect(nextLocalTime(T0, 420, BERLIN)).toBe(Date.UTC(2020, 10, 3, 6));
    // summer (UTC+2)
    expect(nextLocalTime(Date.UTC(2020, 7, 8, 12), 420, BERLIN)).toBe(Date.UTC(2020, 7, 9, 5));
    // across the change to winter time on 25 October 2020: 07:00 CET that morning is 06:00 UTC
    expect(nextLocalTime(Date.UTC(2020, 9, 24, 20), 420, BERLIN)).toBe(Date.UTC(2020, 9, 25, 6));
    // already past 07:00 today -> tomorrow; exactly 07:00 -> now
    expect(nextLocalTime(Date.UTC(2020, 10, 3, 6), 420, BERLIN)).toBe(Date.UTC(2020, 10, 3, 6));
    expect(nextLocalTime(Date.UTC(2020, 10, 3, 6, 1), 420, BERLIN)).toBe(Date.UTC(2020, 10, 4, 6));
    expect(offsetMsAt('UTC', T0)).toBe(0);
    expect(nextLocalTime(T0, 420, 'UTC')).toBe(Date.UTC(2020, 10, 3, 7));
    // a fixed offset, as a board file may give instead of a zone name
    expect(nextLocalTime(Date.UTC(2020, 7, 8, 12), 420, '+01:00')).toBe(Date.UTC(2020, 7, 9, 6));
  });
});
