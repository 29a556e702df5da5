/**
 * A device agent that looks ahead (AgentOptions.lookAhead, devices/look-ahead.ts) takes a quiet device's
 * coming steps at once and sends what the first of them says in its window. What it sends must be what
 * it sends taking each step in its window: the same telemetry and events, byte for byte, through a real
 * aedes broker on a loopback port to a real mqtt.js observer, the same counts and the same model state.
 * Each device of a pair has the same params and seed; the other one's model cannot copy its state
 * (no `copyInto`), so it takes every step in its window. Commands come while the state is ahead, the
 * device restarts, and its state is read in the middle of the day: each brings it back to its time.
 */
import { describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS, type AnyKindModel } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T00:00:00+01:00');
const MIN = 60_000;
const H = 60 * MIN;

/** a kind's model with its steps counted, and its looks ahead (copies); `copies: false` takes copyInto away */
function counted(kind: 'car-battery' | 'fridge', copies: boolean) {
  const base = KINDS[kind];
  const n = { steps: 0, looks: 0 };
  const model: AnyKindModel = {
    ...base,
    stepOwned: (s, dtS, t) => (n.steps++, base.stepOwned(s, dtS, t)),
    copyInto: copies ? (from, into) => (n.looks++, base.copyInto!(from, into)) : undefined,
  };
  return { model, n };
}

interface Day {
  kind: 'car-battery' | 'fridge';
  params: unknown;
  windowMs: number;
  /** commands sent to both after the window ending then */
  commands?: Array<{ after: number; action: Record<string, unknown> }>;
  /** after the window ending then, both restart (connection dropped, connected again, resumed where they were) */
  restartAfter?: number;
  /** after the window ending then, both are asked for their model state */
  lookAfter?: number;
}

describe('device agent looking ahead', () => {
  const net = observedBroker();
  const payloads = (deviceId: string, channel: 'telemetry' | 'event'): string[] =>
    net.seen.filter((m) => m.topic === deviceTopic('ana', deviceId, channel)).map((m) => m.payload);

  async function pair(name: string, d: Day) {
    const looks = counted(d.kind, true);
    const steps = counted(d.kind, false);
    const make = (deviceId: string, model: AnyKindModel): Agent =>
      createAgent({
        customerId: 'ana', deviceId, model, params: d.params, seed: 9, brokerUrl: net.url, startAt: T0, log: silentLogger(),
        stepS: 60, report: { mode: 'exception', heartbeatS: 900 }, lookAhead: true,
      });
    const a = make(`${name}-looks`, looks.model);
    const b = make(`${name}-steps`, steps.model);
    const both = [a, b];
    await a.start();
    await b.start();
    let seq = 0;
    for (let t = T0 + d.windowMs; t <= T0 + 24 * H; t += d.windowMs) {
      for (const x of both) x.tick(t);
      const due = (d.commands ?? []).filter((c) => c.after === t);
      for (const c of due) {
        seq++;
        const command = JSON.stringify({ v: 1, ts: t, seq, commandId: `c-${seq}`, ...c.action });
        for (const id of [`${name}-looks`, `${name}-steps`]) await net.observer.publishAsync(deviceTopic('ana', id, 'command'), command, { qos: 1 });
        // both have it before the next window, which applies it: as a replay's barrier does
        await until(() => both.every((x) => x.stats().commandsReceived === seq), 5000);
      }
      if (t === d.restartAfter) {
        for (const x of both) {
          await x.drained();
          await x.kill();
          await x.start(t + d.windowMs / 2);
        }
      }
      if (t === d.lookAfter) expect(a.modelState()).toEqual(b.modelState());
    }
    for (const x of both) await x.drained();
    const arrived = (x: Agent, id: string): boolean =>
      payloads(id, 'telemetry').length === x.stats().telemetry && payloads(id, 'event').length === x.stats().events;
    await until(() => arrived(a, `${name}-looks`) && arrived(b, `${name}-steps`), 5000);
    expect(payloads(`${name}-looks`, 'telemetry')).toEqual(payloads(`${name}-steps`, 'telemetry'));
    expect(payloads(`${name}-looks`, 'event')).toEqual(payloads(`${name}-steps`, 'event'));
    expect(a.stats()).toEqual(b.stats());
    // every command was a valid one, applied
    expect(b.stats().commandsRejected).toBe(0);
    expect(payloads(`${name}-steps`, 'event').filter((p) => p.includes('"command-result"'))).toHaveLength(seq);
    expect(a.modelState()).toEqual(b.modelState());
    await a.stop();
    await b.stop();
    return { looks: looks.n, steps: steps.n, telemetry: b.stats().telemetry, events: b.stats().events };
  }

  it('a car: a commute, a drain, a weak cell and a failing alternator; a consumer switched off and a message while it looks ahead; one-minute windows', async () => {
    const r = await pair('car', {
      kind: 'car-battery',
      windowMs: MIN,
      params: {
        initialSoc: 0.6,
        trips: [{ start: T0 + 8 * H, end: T0 + 8 * H + 40 * MIN }, { start: T0 + 18 * H, end: T0 + 19 * H + 15 * MIN, speedKmh: 80 }],
        faults: [
          { kind: 'parasitic-drain', at: T0 + 2 * H + 30_500, currentA: 0.8, consumer: 'dashcam', circuit: 'accessory' },
          { kind: 'weak-cell', at: T0 + H, overDays: 2 },
          { kind: 'failing-alternator', at: T0 + 18 * H + 20 * MIN, outputA: 30 },
        ],
      },
      commands: [
        // two minutes after a heartbeat's window: the state is ahead, at the next heartbeat
        { after: T0 + 3 * H + 2 * MIN, action: { action: 'switch-off-consumer', consumer: 'dashcam' } },
        { after: T0 + 21 * H + 7 * MIN, action: { action: 'display-message', ticketId: 't-1', text: 'please drive to a garage' } },
      ],
      lookAfter: T0 + 5 * H + 4 * MIN,
    });
    expect(r.events).toBeGreaterThanOrEqual(6);
    // it looked ahead, and took nearly every step of its day ahead: a look a message, not a look a step
    expect(r.looks.looks).toBeGreaterThan(50);
    expect(r.looks.looks).toBeLessThan(r.telemetry + r.events);
    // the steps it took again after a command (two) or a look at its state are few
    expect(r.looks.steps).toBeGreaterThanOrEqual(r.steps.steps);
    expect(r.looks.steps).toBeLessThan(r.steps.steps + 2 * 60);
  });

  it('a fridge: random openings, a take-out, a worn seal and a failed compressor; a setpoint changed; five-minute windows and a restart', async () => {
    const r = await pair('fridge', {
      kind: 'fridge',
      windowMs: 5 * MIN,
      params: {
        randomDoorOpeningsPerDay: 12,
        takeOut: [{ at: T0 + 9 * H + 12_345, name: 'milk', quantity: 1 }],
        faults: [
          { kind: 'worn-seal', at: T0 + 6 * H, uaFactor: 2 },
          { kind: 'compressor-failure', at: T0 + 20 * H },
        ],
      },
      commands: [{ after: T0 + 12 * H + 5 * MIN, action: { action: 'set-setpoint', celsius: 5 } }],
      restartAfter: T0 + 15 * H + 10 * MIN,
      lookAfter: T0 + 7 * H + 5 * MIN,
    });
    expect(r.looks.looks).toBeGreaterThan(20);
    expect(r.looks.steps).toBeGreaterThanOrEqual(r.steps.steps);
  });
});
