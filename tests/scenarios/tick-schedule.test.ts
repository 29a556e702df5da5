/**
 * A fleet host ticks only the devices whose time has come (scenarios/engine/tick-schedule.ts, through the
 * outage drill's window loop): a device ahead of its time or at rest is skipped until its `wakeAt`. What the
 * devices send must be what they send ticked every window: two copies of 12 homes of the bench fleet (cars,
 * fridges, washers; reporting by exception), the same params and seeds, one ticked every window, the other
 * through the host's loop, each over its own connection to a real aedes broker on a loopback port, seen by a
 * real mqtt.js observer. Commands come in the middle of quiet stretches (a skipped device catches up before
 * they are released), the hello of a reconnect is made on the way, and the day ends with every goodbye.
 */
import { describe, expect, it } from 'vitest';
import { deviceKey, deviceTopic } from '../../contracts/index.js';
import { createAgent, type Agent } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { deviceSeed } from '../../scenarios/engine/seed.js';
import { createOutages } from '../../scenarios/outages.js';
import { agentTelemetryOptions } from '../../scenarios/telemetry-options.js';
import { loadFleetScenario } from '../../bench/fleet-scenario.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

describe('a host ticks only the devices whose time has come', () => {
  const net = observedBroker();

  it('sends what ticking every device every window sends, commands and a reconnect hello included, with far fewer ticks', async () => {
    const loaded = loadFleetScenario({ homes: 12 });
    const log = silentLogger();
    const movedTo = { at: -Infinity };
    const make = (copy: 'every' | 'host', d: (typeof loaded.devices)[number]): Agent =>
      createAgent({
        customerId: `${copy}-${d.customerId}`, deviceId: d.id, model: KINDS[d.kind], params: d.params, seed: deviceSeed(7, d.customerId, d.id),
        brokerUrl: net.url, startAt: loaded.startMs, log, ...agentTelemetryOptions(loaded), lookAhead: true, ...(copy === 'host' ? { movedTo } : {}),
      });
    const every = loaded.devices.map((d) => make('every', d));
    const host = loaded.devices.map((d) => make('host', d));
    const kinds = new Set(loaded.devices.map((d) => d.kind));
    expect(kinds).toEqual(new Set(['car-battery', 'fridge', 'washer']));
    for (const a of [...every, ...host]) await a.start();
    let hostTicks = 0;
    for (const a of host) {
      const tick = a.tick.bind(a);
      a.tick = (t: number) => (hostTicks++, tick(t));
    }
    const outages = createOutages([], host, movedTo);
    const windowMs = loaded.scenario.windowS * 1000;
    // commands a car and a fridge get, after the window ending then (most devices are quiet then)
    const car = loaded.devices.findIndex((d) => d.kind === 'car-battery');
    const fridge = loaded.devices.findIndex((d) => d.kind === 'fridge');
    const commands = [
      { after: loaded.startMs + 3 * 3_600_000 + 7 * 60_000, device: car, action: { action: 'display-message', ticketId: 't-1', text: 'a garage, please' } },
      { after: loaded.startMs + 9 * 3_600_000 + 2 * 60_000, device: fridge, action: { action: 'set-setpoint', celsius: 3 } },
      { after: loaded.startMs + 9 * 3_600_000 + 41 * 60_000, device: fridge, action: { action: 'report-inventory' } },
    ];
    const greetings: Array<[string, string]> = [];
    let windows = 0;
    let seq = 0;
    for (let to = loaded.startMs + windowMs; to <= loaded.endMs; to += windowMs) {
      windows++;
      for (const a of every) a.tick(to);
      await outages.advance(to - windowMs, to, () => 0);
      for (const c of commands.filter((x) => x.after === to)) {
        seq++;
        // stamped before the window's end, as a pipelined helpdesk's are: it applies at the device's time, which a skipped device must catch up to
        const command = JSON.stringify({ v: 1, ts: to - 20 * 60_000, seq, commandId: `c-${seq}`, ...c.action });
        const pair = [every[c.device]!, host[c.device]!];
        for (const a of pair) await net.observer.publishAsync(deviceTopic(a.customerId, a.deviceId, 'command'), command, { qos: 1 });
        const n = commands.filter((x) => x.device === c.device && x.after <= to).length;
        await until(() => pair.every((a) => a.stats().commandsReceived === n), 5000);
        outages.commanded(host[c.device]!);
      }
      // what a reconnect would say now, in the middle of the day: the skipped devices catch up first
      if (to === loaded.startMs + 14 * 3_600_000 + 33 * 60_000) {
        for (let i = 0; i < every.length; i++) greetings.push([every[i]!.greeting().online, host[i]!.greeting().online]);
      }
    }
    for (const a of [...every, ...host]) await a.drained();
    const sent = (a: Agent): number => a.stats().telemetry + a.stats().events;
    const seen = (a: Agent, channel: 'telemetry' | 'event'): string[] =>
      net.seen.filter((m) => m.topic === deviceTopic(a.customerId, a.deviceId, channel)).map((m) => m.payload);
    await until(() => [...every, ...host].every((a) => seen(a, 'telemetry').length + seen(a, 'event').length === sent(a)), 10_000);
    for (let i = 0; i < every.length; i++) {
      const key = deviceKey(loaded.devices[i]!.customerId, loaded.devices[i]!.id);
      expect(seen(host[i]!, 'telemetry'), key).toEqual(seen(every[i]!, 'telemetry'));
      expect(seen(host[i]!, 'event'), key).toEqual(seen(every[i]!, 'event'));
      expect(host[i]!.stats(), key).toEqual(every[i]!.stats());
    }
    // the commands were applied, each where it would have been
    expect(seen(host[fridge]!, 'event').filter((p) => p.includes('"command-result"'))).toHaveLength(2);
    expect(seen(host[car]!, 'event').filter((p) => p.includes('"command-result"'))).toHaveLength(1);
    for (const [a, b] of greetings) expect(b).toBe(a);
    // the goodbyes at the end of the day carry the same time
    for (const a of [...every, ...host]) await a.stop();
    const goodbyes = (copy: Agent[]): string[] => copy.map((a) => net.seen.filter((m) => m.topic === deviceTopic(a.customerId, a.deviceId, 'availability')).at(-1)?.payload ?? '');
    await until(() => goodbyes(host).every((p) => p.includes('disconnected')) && goodbyes(every).every((p) => p.includes('disconnected')), 5000);
    expect(goodbyes(host)).toEqual(goodbyes(every));
    // most of the host's devices were quiet most of the day
    expect(hostTicks).toBeLessThan(0.5 * windows * host.length);
  });
});
