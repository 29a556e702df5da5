/** `--broker URL`: every component connects to a broker the replay did not start. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import mqtt from 'mqtt';
import { createBroker } from '../../broker/server.js';
import { parseScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';

/** The day in 2020, cut to a short stretch of the evening. */
function slice(start: string, end: string) {
  const text = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
    .replace(/^start: .*$/m, `start: "${start}"`)
    .replace(/^end: .*$/m, `end: "${end}"`);
  return parseScenario(text, 'scenarios/slice.yaml');
}

describe('a replay on a broker given by URL', () => {
  it('runs every message through that broker and tells the same story', async () => {
    const broker = await createBroker({ port: 0 }).start();
    try {
      const scenario = slice('2020-11-02T18:30:00+01:00', '2020-11-02T19:00:00+01:00');
      const { report } = await replay({ scenario, log: silentLogger(), brokerUrl: broker.url });
      expect(broker.stats().published).toBeGreaterThanOrEqual(report.messages.published);
      expect(report.tickets.map((t) => [t.kind, t.channel, t.state])).toEqual([['battery-discharge', 'car-display', 'resolved']]);
    } finally {
      await broker.stop();
    }
  }, 60_000);
});

describe('a replay with Home Assistant discovery on', () => {
  it('leaves a retained discovery config for every device on the broker', async () => {
    const broker = await createBroker({ port: 0 }).start();
    try {
      await replay({ scenario: slice('2020-11-02T18:30:00+01:00', '2020-11-02T18:35:00+01:00'), log: silentLogger(), brokerUrl: broker.url, homeAssistant: true });
      const client = await mqtt.connectAsync(broker.url, { clientId: 'ha-observer' });
      const topics = new Set<string>();
      client.on('message', (topic, payload) => payload.length && topics.add(topic.split('/').slice(0, 3).join('/')));
      await client.subscribeAsync('homeassistant/#', { qos: 1 });
      await new Promise((r) => setTimeout(r, 300));
      await client.endAsync();
      const nodes = [...topics].map((t) => t.split('/')[2]).sort();
      expect(new Set(nodes).size).toBe(3);
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
