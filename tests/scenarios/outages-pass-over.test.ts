/**
 * A device host moves its devices through scenarios/outages.ts, which passes over a quiet device's
 * ticks (DeviceAgent.quietUntil) and brings it up to the last window before anything reads its time.
 * That must be invisible: two sets of the same devices (same params and seeds) through a real aedes
 * broker on a loopback port, one passed over, one ticked every window, with outages of both kinds,
 * commands while a device is quiet and after it was passed over, send the same telemetry and events
 * byte for byte to a real mqtt.js observer, each in the same window, and end with the same counts and
 * model states.
 */
import { describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { createOutages } from '../../scenarios/outages.js';
import type { Outage } from '../../scenarios/schema.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

const T0 = Date.parse('2020-11-02T00:00:00+01:00');
const MIN = 60_000;
const H = 60 * MIN;
const iso = (t: number): string => new Date(t).toISOString();

const DEVICES = [
  {
    id: 'car',
    kind: 'car-battery' as const,
    params: {
      initialSoc: 0.6,
      trips: [{ start: T0 + 8 * H, end: T0 + 8 * H + 40 * MIN }, { start: T0 + 18 * H, end: T0 + 19 * H + 15 * MIN, speedKmh: 80 }],
      faults: [
        { kind: 'parasitic-drain', at: T0 + 2 * H + 30_500, currentA: 0.8, consumer: 'dashcam', circuit: 'accessory' },
        { kind: 'failing-alternator', at: T0 + 18 * H + 20 * MIN, outputA: 30 },
      ],
    },
  },
  {
    id: 'fridge',
    kind: 'fridge' as const,
    params: { randomDoorOpeningsPerDay: 12, faults: [{ kind: 'worn-seal', at: T0 + 6 * H, uaFactor: 2 }] },
  },
  { id: 'car2', kind: 'car-battery' as const, params: { initialSoc: 0.8, trips: [{ start: T0 + 7 * H, end: T0 + 7 * H + 25 * MIN }] } },
];

/** commands sent to both sets after the window ending then: the car's while it is parked and quiet */
const COMMANDS = [
  { after: T0 + 3 * H + 2 * MIN, device: 'car', action: { action: 'switch-off-consumer', consumer: 'dashcam' } },
  { after: T0 + 12 * H + 7 * MIN, device: 'fridge', action: { action: 'set-setpoint', celsius: 5 } },
  { after: T0 + 21 * H + 13 * MIN, device: 'car', action: { action: 'display-message', ticketId: 't-1', text: 'please drive to a garage' } },
];

describe('devices passed over while quiet', () => {
  const net = observedBroker();
  const payloads = (deviceId: string, channel: 'telemetry' | 'event'): string[] =>
    net.seen.filter((m) => m.topic === deviceTopic('ana', deviceId, channel)).map((m) => m.payload);

  it('send what they send ticked every window, through outages and commands', async () => {
    const sets = [
      { suffix: 'ticked', passOver: false },
      { suffix: 'passed', passOver: true },
    ].map(({ suffix, passOver }) => {
      const ticks = { n: 0 };
      const agents: Agent[] = DEVICES.map((d) => {
        const a = createAgent({
          customerId: 'ana', deviceId: `${d.id}-${suffix}`, model: KINDS[d.kind], params: d.params, seed: 9, brokerUrl: net.url,
          startAt: T0, log: silentLogger(), stepS: 60, report: { mode: 'exception', heartbeatS: 900 }, lookAhead: true,
        });
        const tick = a.tick.bind(a);
        a.tick = (t: number) => (ticks.n++, tick(t));
        return a;
      });
      // shorter than the heartbeat: a device comes back before the time its state was ahead to
      const outages: Outage[] = [
        { customer: 'ana', device: `car-${suffix}`, from: iso(T0 + 10 * H + 30_000), to: iso(T0 + 10 * H + 5 * MIN), mode: 'offline' },
        { customer: 'ana', device: `fridge-${suffix}`, from: iso(T0 + 14 * H), to: iso(T0 + 14 * H + 6 * MIN), mode: 'silent' },
        // a parked car that says little but its heartbeat, down for two minutes at two moments of its quarter-hour
        { customer: 'ana', device: `car2-${suffix}`, from: iso(T0 + 12 * H + 30_000), to: iso(T0 + 12 * H + 2 * MIN), mode: 'offline' },
        { customer: 'ana', device: `car2-${suffix}`, from: iso(T0 + 15 * H + 7 * MIN + 30_000), to: iso(T0 + 15 * H + 9 * MIN), mode: 'offline' },
        { customer: 'ana', device: `car2-${suffix}`, from: iso(T0 + 16 * H + 11 * MIN + 30_000), to: iso(T0 + 16 * H + 12 * MIN), mode: 'silent' },
      ];
      return { suffix, agents, ticks, published: [] as string[], outages: createOutages(outages, agents, { passOver }) };
    });
    for (const s of sets) for (const a of s.agents) await a.start();
    const windows = (24 * H) / MIN;
    let seq = 0;
    for (let t = T0 + MIN; t <= T0 + 24 * H; t += MIN) {
      for (const s of sets) {
        await s.outages.advance(t - MIN, t, () => seq);
        // what each device has published by the end of each window: a message sent a window late shows here
        s.published.push(s.agents.map((a) => a.count('published')).join(' '));
      }
      for (const c of COMMANDS.filter((x) => x.after === t)) {
        seq++;
        const command = JSON.stringify({ v: 1, ts: t, seq, commandId: `c-${seq}`, ...c.action });
        for (const s of sets) {
          const a = s.agents[DEVICES.findIndex((d) => d.id === c.device)]!;
          // as a device host does before it releases commands to a device (device-host.ts)
          s.outages.wake(a);
          const before = a.stats().commandsReceived;
          await net.observer.publishAsync(deviceTopic('ana', a.deviceId, 'command'), command, { qos: 1 });
          await until(() => a.stats().commandsReceived === before + 1, 5000);
        }
      }
    }
    for (const s of sets) s.outages.ownAll();
    for (const s of sets) for (const a of s.agents) await a.drained();
    const [ticked, passed] = sets as [(typeof sets)[0], (typeof sets)[0]];
    const arrived = (a: Agent): boolean => payloads(a.deviceId, 'telemetry').length === a.stats().telemetry && payloads(a.deviceId, 'event').length === a.stats().events;
    await until(() => sets.every((s) => s.agents.every(arrived)), 5000);
    expect(passed.published).toEqual(ticked.published);
    for (const [i, d] of DEVICES.entries()) {
      for (const channel of ['telemetry', 'event'] as const) {
        expect(payloads(`${d.id}-passed`, channel), `${d.id} ${channel}`).toEqual(payloads(`${d.id}-ticked`, channel));
      }
      expect(passed.agents[i]!.stats()).toEqual(ticked.agents[i]!.stats());
      expect(passed.agents[i]!.modelState()).toEqual(ticked.agents[i]!.modelState());
    }
    // the commands were applied and the outages happened: the sets said something worth comparing
    expect(payloads('car-ticked', 'event').some((p) => p.includes('"commandId":"c-1"'))).toBe(true);
    expect(payloads('fridge-ticked', 'event').some((p) => p.includes('"commandId":"c-2"'))).toBe(true);
    expect(payloads('car-ticked', 'event').some((p) => p.includes('"commandId":"c-3"'))).toBe(true);
    expect(ticked.agents.every((a) => a.stats().commandsRejected === 0)).toBe(true);
    expect(ticked.agents[0]!.stats().reconnects + ticked.agents[0]!.stats().published).toBeGreaterThan(50);
    // every window ticked every device that was up; the passed-over set ticked a small part of that
    expect(ticked.ticks.n).toBeGreaterThan(DEVICES.length * windows - 60);
    expect(passed.ticks.n).toBeLessThan(ticked.ticks.n / 3);
    for (const s of sets) for (const a of s.agents) await a.stop();
  }, 60_000);
});
