/**
 * Silence is an incident, in event time: no telemetry for N times the reporting interval (declared or
 * learned), or an offline availability lasting M minutes, raises device-offline at the moment the
 * limit passed; the next telemetry clears it.
 */
import { describe, expect, it } from 'vitest';
import { createSilence, SILENCE, SILENCE_KIND, type SilenceLookup } from '../../../helpdesk/detect/silence.js';
import type { ReportMode } from '../../../contracts/index.js';
import { T0, at } from './series.js';

const MIN = 60;
const declared = (reportEveryS?: number): SilenceLookup => () => (reportEveryS === undefined ? {} : { reportEveryS });

/** telemetry of maria/fridge every `everyS` s from `from` to `to` (inclusive) */
function report(s: ReturnType<typeof createSilence>, from: number, to: number, everyS: number) {
  const out = [];
  for (let t = from; t <= to; t += everyS) {
    const signal = s.heard('maria', 'fridge', at(t), at(t));
    if (signal) out.push({ t, signal });
  }
  return out;
}

describe('silence', () => {
  it('fires when a device that declared 60 s has sent nothing for N intervals, timed when the limit passed', () => {
    const s = createSilence();
    report(s, 0, 600, 60);
    const limit = SILENCE.intervals * 60;
    expect(s.tick(at(600 + limit - 1), declared(60))).toEqual([]);
    const [x, ...more] = s.tick(at(600 + limit + 25), declared(60));
    expect(more).toEqual([]);
    expect(x).toMatchObject({ customerId: 'maria', deviceId: 'fridge', signal: { type: 'fire', kind: SILENCE_KIND, severity: 'medium', at: at(600 + limit) } });
    expect(x!.signal.evidence).toMatchObject({
      cause: 'silent', lastHeardAt: at(600), since: at(600), reportEveryS: 60, silentAfterS: limit,
      expected: 'telemetry every 60 s', observed: 'no telemetry for 10 min (it reports every 60 s)',
    });
    // once only
    expect(s.tick(at(600 + 3 * limit), declared(60))).toEqual([]);
  });

  it('is never silent sooner than minSilentS, however fast the device reports', () => {
    const s = createSilence();
    report(s, 0, 100, 1);
    expect(s.tick(at(100 + SILENCE.minSilentS - 1), declared(1))).toEqual([]);
    expect(s.tick(at(100 + SILENCE.minSilentS), declared(1)).map((x) => x.signal.at)).toEqual([at(100 + SILENCE.minSilentS)]);
  });

  it('learns the interval of a device that declared none (the median of its last intervals, after a few)', () => {
    const s = createSilence();
    // every 120 s, with one late message among them: the median is still 120 s
    for (const t of [0, 120, 240, 400, 480, 600, 720]) s.heard('maria', 'fridge', at(t), at(t));
    const limit = SILENCE.intervals * 120;
    expect(s.tick(at(720 + limit - 1), declared())).toEqual([]);
    const [x] = s.tick(at(720 + limit), declared());
    expect(x!.signal.evidence).toMatchObject({ cause: 'silent', reportEveryS: 120, silentAfterS: limit });
  });

  it('raises nothing for a device heard too few times to know its interval, until it goes offline', () => {
    const s = createSilence();
    s.heard('maria', 'fridge', at(0), at(0));
    s.heard('maria', 'fridge', at(30), at(30));
    expect(s.tick(at(10 * 3600), declared())).toEqual([]);
  });

  it('takes the learned interval when the device reports more slowly than it declared, so it does not flap', () => {
    const s = createSilence();
    report(s, 0, 3600, 300);
    // declared 5 s, reports every 5 min: silent after 10 x 5 min, not after minSilentS
    expect(s.tick(at(3600 + SILENCE.minSilentS), declared(5))).toEqual([]);
    expect(s.tick(at(3600 + 10 * 300), declared(5)).map((x) => x.signal.evidence.reportEveryS)).toEqual([300]);
  });

  it('fires after an offline availability that lasted offlineAfterS, counted from when the helpdesk handled it', () => {
    const s = createSilence({ minSilentS: 3600 });
    report(s, 0, 300, 5);
    // handled at 302 s (a last will carries the time its connection began, not when it dropped)
    s.availability('maria', 'fridge', false, 'will', at(302));
    expect(s.tick(at(302 + SILENCE.offlineAfterS - 1), declared(5))).toEqual([]);
    const [x] = s.tick(at(302 + SILENCE.offlineAfterS + 7), declared(5));
    expect(x!.signal).toMatchObject({ at: at(302 + SILENCE.offlineAfterS) });
    expect(x!.signal.evidence).toMatchObject({ cause: 'offline', offlineSince: at(302), lastHeardAt: at(300), availability: 'will', observed: 'offline (its connection dropped) for 10 min, no telemetry for 10 min' });
  });

  it('keeps a last will that sorted before the device\'s last telemetry: that telemetry was sent before the drop', () => {
    const s = createSilence({ minSilentS: 3600 });
    report(s, 0, 290, 5);
    // handled at 300 s with the telemetry of the same batch, which sorts after the will's stale time
    s.availability('maria', 'fridge', false, 'will', at(300));
    for (const t of [295, 300]) s.heard('maria', 'fridge', at(t), at(300));
    const [x] = s.tick(at(300 + SILENCE.offlineAfterS), declared(5));
    expect(x!.signal.evidence).toMatchObject({ cause: 'offline', offlineSince: at(300), lastHeardAt: at(300) });
    // telemetry handled later: it is back
    expect(s.heard('maria', 'fridge', at(2000), at(2000))).toMatchObject({ type: 'clear' });
  });

  it('forgets an offline availability once the device is online again', () => {
    const s = createSilence({ minSilentS: 3600 });
    report(s, 0, 300, 5);
    s.availability('maria', 'fridge', false, 'disconnected', at(310));
    s.availability('maria', 'fridge', true, 'connected', at(320));
    // silent for minSilentS then, not offline
    expect(s.tick(at(300 + SILENCE.offlineAfterS + 60), declared(5))).toEqual([]);
    expect(s.tick(at(300 + 3600), declared(5)).map((x) => x.signal.evidence.cause)).toEqual(['silent']);
  });

  it('clears on the next telemetry: data returns', () => {
    const s = createSilence();
    report(s, 0, 600, 60);
    const [fired] = s.tick(at(600 + 20 * MIN), declared(60));
    expect(fired!.signal.type).toBe('fire');
    // "online" alone does not clear it
    s.availability('maria', 'fridge', true, 'connected', at(600 + 30 * MIN));
    const back = s.heard('maria', 'fridge', at(600 + 35 * MIN), at(600 + 35 * MIN));
    expect(back).toMatchObject({ type: 'clear', kind: SILENCE_KIND, at: at(600 + 35 * MIN), evidence: { lastHeardAt: at(600), silentS: 35 * MIN, observed: 'reporting again after 35 min without telemetry' } });
    // and it may fire again after a new silence
    report(s, 600 + 36 * MIN, 600 + 45 * MIN, 60);
    expect(s.tick(at(600 + 45 * MIN + 10 * MIN), declared(60)).map((x) => x.signal.evidence.lastHeardAt)).toEqual([at(600 + 45 * MIN)]);
  });

  it('raises nothing for a device never heard from, even one that says it is offline', () => {
    const s = createSilence();
    s.availability('maria', 'fridge', false, 'will', at(0));
    expect(s.tick(at(24 * 3600), declared(5))).toEqual([]);
    expect(s.watching()).toBe(0);
  });

  it('forgets a device the helpdesk no longer knows', () => {
    const s = createSilence();
    report(s, 0, 600, 60);
    expect(s.tick(at(3600), () => undefined)).toEqual([]);
    expect(s.watching()).toBe(0);
  });

  it('orders what fires in one tick by event time, then device', () => {
    const s = createSilence();
    for (const [d, last] of [['washer', 500], ['car', 400], ['fridge', 500]] as const) {
      for (let t = 0; t <= last; t += 50) s.heard('maria', d, at(t), at(t));
    }
    expect(s.tick(at(5000), declared(50)).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['car@1000', 'fridge@1100', 'washer@1100']);
  });

  it('measures silence from when the helpdesk heard the device, so a device whose clock lags does not flap', () => {
    const s = createSilence();
    // a board whose clock is 15 min behind the helpdesk's, reporting every 5 s, heard on time
    const LAG = 15 * MIN;
    const fired = [];
    for (let t = 0; t <= 3600; t += 5) {
      const back = s.heard('maria', 'fridge', at(t - LAG), at(t));
      if (back) fired.push(back);
      fired.push(...s.tick(at(t), declared(5)));
    }
    expect(fired).toEqual([]);
  });

  it('does not fire again while a backlog of old telemetry drains after the device is back', () => {
    const s = createSilence();
    report(s, 0, 600, 5);
    expect(s.tick(at(600 + 40 * MIN), declared(5))).toHaveLength(1);
    // back at 40 min: its outbox sends the 30 min it kept, oldest first, one batch a second
    const out = [];
    for (let k = 0; k < 360; k++) {
      const now = at(600 + 40 * MIN + k);
      const back = s.heard('maria', 'fridge', at(600 + 10 * MIN + 5 * k), now);
      if (back) out.push(back.type);
      out.push(...s.tick(now, declared(5)).map((x) => x.signal.type));
    }
    expect(out).toEqual(['clear']);
  });

  it('ignores telemetry that is not newer than the last', () => {
    const s = createSilence();
    report(s, 0, 600, 60);
    expect(s.heard('maria', 'fridge', at(300), at(300))).toBeUndefined();
    expect(s.tick(at(600 + 10 * MIN), declared(60)).map((x) => x.signal.evidence.lastHeardAt)).toEqual([at(600)]);
  });
});

/**
 * A tick passes over a device until it could be due (heard within minSilentS and not offline, or quiet by
 * exception for less than its limit), from a number kept per device; whatever changes that moment must move
 * it: a device looked at too late would fire late.
 */
describe('silence: when a tick looks at a device', () => {
  const BY_EXCEPTION: ReportMode = { mode: 'exception', heartbeatS: 900, sampleEveryS: 60 };

  it('a device reporting by exception that goes offline fires offlineAfterS later, long before its heartbeats are up', () => {
    const s = createSilence();
    s.declare('maria', 'fridge', BY_EXCEPTION);
    s.heard('maria', 'fridge', at(0), at(0));
    s.heard('maria', 'fridge', at(60), at(60));
    s.availability('maria', 'fridge', false, 'will', at(120));
    expect(s.tick(at(120 + SILENCE.offlineAfterS - 1), declared())).toEqual([]);
    const [x, ...more] = s.tick(at(120 + SILENCE.offlineAfterS), declared());
    expect(more).toEqual([]);
    expect(x!.signal).toMatchObject({ type: 'fire', at: at(120 + SILENCE.offlineAfterS), evidence: { cause: 'offline' } });
  });

  it('a device that stops reporting by exception is held to its reporting interval again', () => {
    const s = createSilence();
    s.declare('maria', 'fridge', BY_EXCEPTION);
    report(s, 0, 600, 60);
    s.declare('maria', 'fridge', undefined);
    const limit = SILENCE.intervals * 60;
    expect(s.tick(at(600 + limit - 1), declared(60))).toEqual([]);
    expect(s.tick(at(600 + limit), declared(60)).map((x) => x.signal.at)).toEqual([at(600 + limit)]);
  });

  it('asks the directory nothing about a device heard within minSilentS', () => {
    const s = createSilence();
    let asked = 0;
    const lookup: SilenceLookup = () => (asked++, { reportEveryS: 60 });
    for (let t = 0; t <= 3600; t += 60) {
      s.heard('maria', 'fridge', at(t), at(t));
      expect(s.tick(at(t + 30), lookup)).toEqual([]);
    }
    expect(asked).toBe(0);
    expect(s.tick(at(3600 + 600), lookup)).toHaveLength(1);
    expect(asked).toBe(1);
  });

  it('goes on watching every other device, new ones too, after forgetting one', () => {
    const s = createSilence();
    const gone = new Set(['car']);
    const lookup: SilenceLookup = (_c, d) => (gone.has(d) ? undefined : { reportEveryS: 60 });
    for (const d of ['car', 'fridge', 'washer']) for (let t = 0; t <= 600; t += 60) s.heard('maria', d, at(t), at(t));
    expect(s.tick(at(1300), lookup).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['fridge@1200', 'washer@1200']);
    expect(s.watching()).toBe(2);
    // a new device, then the washer back and reporting on while the new one goes quiet
    for (let t = 1400; t <= 2000; t += 60) s.heard('maria', 'boiler', at(t), at(t));
    for (let t = 1400; t <= 4000; t += 60) s.heard('maria', 'washer', at(t), at(t));
    expect(s.tick(at(1400 + 1199), lookup)).toEqual([]);
    expect(s.tick(at(4000), lookup).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['boiler@2600']);
    // the fridge, silent since 600, fires no more; once back, it is watched again
    expect(s.heard('maria', 'fridge', at(4100), at(4100))).toMatchObject({ type: 'clear' });
    expect(s.tick(at(4100 + 599), lookup).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['washer@4580']);
    expect(s.tick(at(4100 + 600), lookup).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['fridge@4700']);
  });

  it('a checkpoint keeps none of the watch\'s own bookkeeping, and a restored watch fires as the first', () => {
    const a = createSilence();
    a.declare('maria', 'fridge', BY_EXCEPTION);
    report(a, 0, 600, 60);
    a.heard('maria', 'car', at(0), at(0));
    const saved = a.snapshot();
    expect(Object.keys(saved.devices.get('maria/fridge')!).sort()).not.toContain('slot');
    const asSaved = JSON.stringify([...saved.devices]);
    const b = createSilence();
    b.restore(saved);
    // what the first does after the snapshot does not reach the copy
    a.heard('maria', 'fridge', at(660), at(660));
    expect(JSON.stringify([...saved.devices])).toBe(asSaved);
    const due = 600 + 2 * 900 + 60;
    expect(b.tick(at(due - 1), declared(60)).map((x) => x.deviceId)).toEqual(['car']);
    expect(b.tick(at(due), declared(60)).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['fridge@2460']);
    // restored over a watch that knew the device already: the snapshot's record and report win
    const c = createSilence();
    c.heard('maria', 'fridge', at(0), at(0));
    c.restore(saved);
    expect(c.watching()).toBe(2);
    expect(c.snapshot().reports.get('maria/fridge')).toEqual(BY_EXCEPTION);
    expect(c.tick(at(due), declared(60)).map((x) => `${x.deviceId}@${(x.signal.at - T0) / 1000}`)).toEqual(['car@600', 'fridge@2460']);
  });
});
