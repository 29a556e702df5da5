/**
 * A device agent reporting by exception, against a real aedes broker on a loopback port with a real
 * mqtt.js observer: its announce says so, it sends far fewer messages than a periodic one over the
 * same hours, never stays quiet longer than its heartbeat, sends what changed at the sample it
 * changed, and sends its first sample again after a restart.
 */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, type Telemetry } from '../../contracts/index.js';
import { createAgent, type AgentOptions } from '../../devices/agent.js';
import { KINDS } from '../../devices/kinds/index.js';
import { silentLogger } from '../../log/logger.js';
import { observedBroker } from '../helpers/observed-broker.js';
import { until } from '../helpers/until.js';

const log = silentLogger();
const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const HOURS = 6;
/** a parked car that cranks, drives 40 min and parks again, within the six hours */
const car = { trips: [{ start: '2020-11-02T09:00:00+01:00', end: '2020-11-02T09:40:00+01:00', speedKmh: 50 }].map((t) => ({ ...t, start: Date.parse(t.start), end: Date.parse(t.end) })) };

describe('device agent reporting by exception', () => {
  const net = observedBroker();

  const agentOf = (deviceId: string, extra: Partial<AgentOptions>) =>
    createAgent({ customerId: 'maria', deviceId, model: KINDS['car-battery'], params: car, seed: 3, brokerUrl: net.url, startAt: T0, log, stepS: 10, ...extra });

  const telemetryOf = (deviceId: string): Telemetry[] =>
    net.seen.filter((m) => m.topic === deviceTopic('maria', deviceId, 'telemetry')).map((m) => {
      const r = decode(m.topic, m.payload);
      if (!r.ok || r.value.channel !== 'telemetry') throw new Error(`not telemetry: ${m.payload}`);
      return r.value.payload;
    });

  /** runs the agent window by window (the replay's 10 s) over the hours, and waits until the broker has everything */
  async function live(agent: ReturnType<typeof createAgent>, from = T0, hours = HOURS): Promise<void> {
    for (let t = from + 10_000; t <= from + hours * 3600_000; t += 10_000) agent.tick(t);
    await agent.drained();
  }

  it('says so in its announce: the heartbeat as reportEveryS, the mode and its sample period', async () => {
    const a = agentOf('car-rbe-announce', { report: { mode: 'exception', heartbeatS: 900 } });
    await a.start();
    const topic = deviceTopic('maria', 'car-rbe-announce', 'announce');
    await until(() => net.seen.some((m) => m.topic === topic), 2000);
    const r = decode(topic, net.seen.find((m) => m.topic === topic)!.payload);
    expect(r.ok && r.value.payload).toMatchObject({ kind: 'car-battery', reportEveryS: 900, report: { mode: 'exception', heartbeatS: 900, sampleEveryS: 10 } });
    // a periodic agent's announce is as it always was: no report, reportEveryS its interval
    const p = agentOf('car-periodic-announce', { telemetryEveryS: 60 });
    await p.start();
    const ptopic = deviceTopic('maria', 'car-periodic-announce', 'announce');
    await until(() => net.seen.some((m) => m.topic === ptopic), 2000);
    const body = JSON.parse(net.seen.find((m) => m.topic === ptopic)!.payload) as Record<string, unknown>;
    expect(body.reportEveryS).toBe(60);
    expect(body).not.toHaveProperty('report');
    await a.stop();
    await p.stop();
  });

  it('sends far fewer messages than every 60 s, never quiet past its heartbeat, and a change at the sample it happened', async () => {
    const rbe = agentOf('car-rbe', { report: { mode: 'exception', heartbeatS: 900 } });
    const periodic = agentOf('car-60', { telemetryEveryS: 60 });
    await rbe.start();
    await periodic.start();
    await live(rbe);
    await live(periodic);
    await until(() => telemetryOf('car-rbe').length === rbe.stats().telemetry && telemetryOf('car-60').length === periodic.stats().telemetry, 5000);
    const sent = telemetryOf('car-rbe');
    expect(telemetryOf('car-60')).toHaveLength(HOURS * 60);
    // parked for hours: heartbeats; driving: what changes
    expect(sent.length).toBeLessThan(HOURS * 60 / 4);
    expect(sent[0]!.ts).toBe(T0 + 10_000);
    const gaps = sent.slice(1).map((m, i) => m.ts - sent[i]!.ts);
    expect(Math.max(...gaps)).toBe(900_000);
    // the engine started and stopped: each at the very sample, as the 10-s samples saw it
    const engine = sent.filter((m, i) => i > 0 && m.kind === 'car-battery' && sent[i - 1]!.kind === 'car-battery' && m.readings.engineRunning !== (sent[i - 1]!.readings as { engineRunning: boolean }).engineRunning);
    expect(engine.map((m) => m.ts)).toEqual([Date.parse('2020-11-02T09:00:10+01:00'), Date.parse('2020-11-02T09:40:10+01:00')]);
    await rbe.stop();
    await periodic.stop();
  });

  it('sends its first sample again after a restart, whatever changed', async () => {
    const a = agentOf('car-restart', { report: { mode: 'exception', heartbeatS: 900 } });
    await a.start();
    await live(a, T0, 0.1);
    await a.kill();
    const before = a.stats().telemetry;
    await a.start(T0 + 3600_000);
    a.tick(T0 + 3600_000 + 10_000);
    await a.drained();
    expect(a.stats().telemetry).toBe(before + 1);
    await until(() => telemetryOf('car-restart').some((m) => m.ts === T0 + 3600_000 + 10_000), 2000);
    await a.stop();
  });
});
