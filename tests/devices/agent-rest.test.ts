/**
 * A device agent whose model rests (KindModel.restsUntil: an idle washer) counts the steps at rest
 * instead of taking them, and what it sends is exactly what it sends taking every step: the same
 * telemetry and events, byte for byte, through a real aedes broker on a loopback port to a real mqtt.js
 * observer, and the same model state at the end. Each washer of a pair has the same params and seed;
 * one is given the washer model without its rest.
 */
import { describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { createAgent, type Agent, type AgentOptions } from '../../devices/agent.js';
import { washer } from '../../devices/kinds/washer.js';
import type { AnyKindModel } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const MIN = 60_000;
const H = 60 * MIN;

/** the washer model, its steps counted; `rest: false` takes its rest away */
function counted(rest: boolean): { model: AnyKindModel; steps: () => number } {
  let n = 0;
  const base = washer as unknown as AnyKindModel;
  const model: AnyKindModel = {
    ...base,
    stepOwned: (s, dtS, t) => (n++, base.stepOwned(s, dtS, t)),
    ...(rest ? {} : { restsUntil: undefined, advanceRest: undefined }),
  };
  return { model, steps: () => n };
}

describe('device agent with a model at rest', () => {
  const net = observedBroker();

  const payloads = (deviceId: string, channel: 'telemetry' | 'event'): string[] =>
    net.seen.filter((m) => m.topic === deviceTopic('maria', deviceId, channel)).map((m) => m.payload);

  /**
   * Two washers, one resting and one taking every step, ticked window by window to `to`; `onWindow`
   * may act between windows (send a command to both). Returns both, and how many steps each took.
   */
  async function pair(name: string, options: Partial<AgentOptions>, to: number, windowMs: number, onWindow?: (t: number, agents: Agent[]) => Promise<void>) {
    const rests = counted(true);
    const steps = counted(false);
    const make = (deviceId: string, model: AnyKindModel): Agent =>
      createAgent({ customerId: 'maria', deviceId, model, params: {}, seed: 5, brokerUrl: net.url, startAt: T0, log: silentLogger(), ...options });
    const a = make(`${name}-rests`, rests.model);
    const b = make(`${name}-steps`, steps.model);
    await a.start();
    await b.start();
    for (let t = T0 + windowMs; t <= to; t += windowMs) {
      a.tick(t);
      b.tick(t);
      await onWindow?.(t, [a, b]);
    }
    await a.drained();
    await b.drained();
    await until(() => payloads(`${name}-rests`, 'telemetry').length === a.stats().telemetry && payloads(`${name}-steps`, 'telemetry').length === b.stats().telemetry, 5000);
    await until(() => payloads(`${name}-rests`, 'event').length === a.stats().events && payloads(`${name}-steps`, 'event').length === b.stats().events, 5000);
    return { a, b, restSteps: rests.steps(), allSteps: steps.steps() };
  }

  /** what both sent and hold must be the same */
  function expectSame(name: string, r: { a: Agent; b: Agent }): void {
    expect(payloads(`${name}-rests`, 'telemetry')).toEqual(payloads(`${name}-steps`, 'telemetry'));
    expect(payloads(`${name}-rests`, 'event')).toEqual(payloads(`${name}-steps`, 'event'));
    expect(r.a.modelState()).toEqual(r.b.modelState());
    expect(r.a.stats()).toEqual(r.b.stats());
  }

  it('reporting by exception over a day: two loads, one scheduled by command, one starting by itself; far fewer steps taken', async () => {
    const params = {
      loads: [
        { at: T0 + 2 * H + 7 * MIN, deadline: T0 + 8 * H, offerId: 'wash-1' },
        { at: T0 + 13 * H + 31 * MIN, deadline: T0 + 17 * H + 7 * MIN, offerId: 'wash-2', programme: 'quick-30' },
      ],
    };
    let sent = false;
    const r = await pair('rbe', { params, stepS: 60, report: { mode: 'exception', heartbeatS: 900 } }, T0 + 24 * H, MIN, async (t, agents) => {
      // the first offer scheduled an hour after it came, as a helpdesk would; the second is left alone: it starts
      // by itself at the latest start that meets its deadline
      if (sent || t !== T0 + 3 * H) return;
      sent = true;
      const command = JSON.stringify({ v: 1, ts: t, seq: 1, commandId: 'c-1', action: 'schedule-start', offerId: 'wash-1', startAt: T0 + 4 * H });
      for (const id of ['rbe-rests', 'rbe-steps']) await net.observer.publishAsync(deviceTopic('maria', id, 'command'), command, { qos: 1 });
      // both have it before the next window, which applies it: as a replay's barrier does
      await until(() => agents.every((a) => a.stats().commandsReceived === 1), 5000);
    });
    const events = payloads('rbe-steps', 'event').map((p) => JSON.parse(p) as { type: string; state?: string; ok?: boolean });
    expect(events.filter((e) => e.type === 'flex-offer')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'cycle' && e.state === 'finished')).toHaveLength(2);
    expect(events.some((e) => e.type === 'command-result' && e.ok)).toBe(true);
    const starts = payloads('rbe-steps', 'event').map((p) => JSON.parse(p) as { ts: number; type: string; state?: string }).filter((e) => e.type === 'cycle' && e.state === 'started');
    expect(starts.map((e) => e.ts)).toEqual([T0 + 4 * H, T0 + 16 * H + 37 * MIN]);
    expectSame('rbe', r);
    expect(r.allSteps).toBe(24 * 60);
    // idle most of the day: a step a heartbeat, and every step while an offer is scheduled or a cycle runs
    expect(r.restSteps).toBeLessThan(r.allSteps / 2);
  });

  it('periodic, one-second steps, a blocked drain: a telemetry message a minute from both, the steps between them counted at rest, paused too', async () => {
    const params = {
      loads: [{ at: T0 + 40 * MIN, deadline: T0 + 3 * H, offerId: 'wash-3', programme: 'quick-30' }],
      faults: [{ kind: 'drain-blocked', at: T0 + 2 * H + 35 * MIN }],
    };
    const r = await pair('periodic', { params, stepS: 1, telemetryEveryS: 60 }, T0 + 4 * H, 10_000);
    expect(payloads('periodic-steps', 'telemetry')).toHaveLength(4 * 60);
    // it started by itself at its latest start, and its first drain after the fault stopped it till the end
    const cycle = payloads('periodic-steps', 'event').map((p) => JSON.parse(p) as { type: string; state?: string }).filter((e) => e.type === 'cycle');
    expect(cycle.map((e) => e.state)).toEqual(['started', 'paused']);
    expectSame('periodic', r);
    expect(r.restSteps).toBeLessThan(r.allSteps / 2);
  });
});
