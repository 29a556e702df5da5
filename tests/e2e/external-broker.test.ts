/** `--broker URL`: every component connects to a broker the replay did not start. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createBroker } from '../../broker/server.js';
import { parseScenario } from '../../scenarios/load.js';
import { replay } from '../../scenarios/runner.js';

describe('a replay on a broker given by URL', () => {
  it('runs every message through that broker and tells the same story', async () => {
    const broker = await createBroker({ port: 0 }).start();
    try {
      const text = readFileSync('scenarios/day-in-2020.yaml', 'utf8')
        .replace(/^start: .*$/m, 'start: "2020-11-02T18:30:00+01:00"')
        .replace(/^end: .*$/m, 'end: "2020-11-02T19:00:00+01:00"');
      const scenario = parseScenario(text, 'scenarios/slice.yaml');
      const { report } = await replay({ scenario, log: pino({ level: 'silent' }), brokerUrl: broker.url });
      expect(broker.stats().published).toBeGreaterThanOrEqual(report.messages.published);
      expect(report.tickets.map((t) => [t.kind, t.channel, t.state])).toEqual([['battery-discharge', 'car-display', 'resolved']]);
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
