/**
 * The agent stamps the events of a long step at the times the model says they happened
 * (StepResult.eventTimes), through a real broker; one-second steps stamp at the step's end as before.
 */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic } from '../../../contracts/index.js';
import { createAgent } from '../../../devices/agent.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { silentLogger } from '../../../log/logger.js';
import { observedBroker } from '../../helpers/observed-broker.js';
import { until } from '../../helpers/until.js';

const T0 = Date.parse('2020-11-02T08:00:00+01:00');
const MIN = 60_000;

describe('agent with long steps', () => {
  const net = observedBroker();

  async function tripEvents(deviceId: string, stepS: number): Promise<Array<{ ts: number; type: string; state?: string }>> {
    const params = { trips: [{ start: T0 + 2 * MIN + 17_000, end: T0 + 9 * MIN + 41_000 }] };
    const agent = createAgent({ customerId: 'maria', deviceId, model: KINDS['car-battery'], params, seed: 1, brokerUrl: net.url, startAt: T0, log: silentLogger(), stepS, telemetryEveryS: 60 });
    await agent.start();
    agent.tick(T0 + 12 * MIN);
    const topic = deviceTopic('maria', deviceId, 'event');
    await until(() => net.seen.filter((m) => m.topic === topic).length === 3, 3000);
    await agent.stop();
    return net.seen
      .filter((m) => m.topic === topic)
      .map((m) => decode(m.topic, m.payload))
      .map((r) => (r.ok ? (r.value.payload as unknown as { ts: number; type: string; state?: string }) : { ts: NaN, type: 'invalid' }));
  }

  it('a 60-s step stamps the trip and crank events when they happened, a 1-s step at its end', async () => {
    const long = await tripEvents('car-60', 60);
    expect(long.map((e) => [e.type, e.state, e.ts - T0])).toEqual([
      ['trip', 'started', 137_000],
      ['crank', undefined, 139_000],
      ['trip', 'ended', 581_000],
    ]);
    const one = await tripEvents('car-1', 1);
    expect(one.map((e) => [e.type, e.state, e.ts - T0])).toEqual([
      ['trip', 'started', 137_000],
      ['crank', undefined, 140_000],
      ['trip', 'ended', 581_000],
    ]);
  });
});
