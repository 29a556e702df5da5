/**
 * Every message of the bad-input corpus (tests/corpus/messages) through a real embedded broker (open,
 * as in a replay) to a real helpdesk: each is rejected with its coded reason and counted (or counted as
 * a duplicate or gap by ingest's sequence rules, or never delivered when no subscription matches), and
 * a valid reading sent right after it is still accepted. Nothing crashes.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrokerForSuite } from '../helpers/open-broker.js';
import { loadMessages, render, type CorpusMessage } from './corpus.js';
import { FRIDGE_TELEMETRY, T0, startHelpdesk, type RunningHelpdesk } from './fixture.js';
import { fridgeReadings } from './fridge-readings.js';
import { expectHelpdeskOutcome } from './outcomes.js';

const messages = loadMessages();

describe('the bad-input corpus against the helpdesk, on an open broker', () => {
  const open = openBrokerForSuite();
  let desk: RunningHelpdesk;
  let device: MqttClient;
  const fridge = fridgeReadings(() => desk, (valid: Buffer) => device.publishAsync(FRIDGE_TELEMETRY, valid, { qos: 1 }));

  beforeAll(async () => {
    desk = await startHelpdesk(open.broker.url);
    device = await mqtt.connectAsync(open.broker.url, { clientId: 'evernet-maria-fridge', reconnectPeriod: 0 });
    await fridge.first();
  });
  afterAll(async () => {
    await device?.endAsync();
    await desk?.stop();
  });

  it('has a corpus covering every kind of bad input the issue lists', () => {
    const prefixes = new Set(messages.map((m) => m.name.split('-')[0]));
    expect([...prefixes].sort()).toEqual(['device', 'json', 'missing', 'number', 'seq', 'size', 'time', 'topic', 'type']);
    expect(messages.length).toBeGreaterThanOrEqual(60);
  });

  it.each(messages.map((m) => [m.name, m] as const))('%s: handled as the corpus says, and the next valid reading is accepted', async (_name, m: CorpusMessage) => {
    const before = desk.helpdesk.stats();
    const payload = render(m, fridge.state, { seq: 0, ts: T0 });
    await device.publishAsync(m.topic, payload, { qos: 1 });
    await fridge.after(m, payload, true);

    expectHelpdeskOutcome(m, before, desk.helpdesk.stats(), true);
    expect(device.connected).toBe(true);
  });

  it('counts every rejection by its code, and processes what it accepted without an internal error', () => {
    const stats = desk.helpdesk.stats();
    const want: Record<string, number> = {};
    for (const m of messages) {
      const code = 'code' in m.expect ? m.expect.code : 'duplicate' in m.expect ? 'EVN_ERR_DUPLICATE' : null;
      if (code) want[code] = (want[code] ?? 0) + 1;
    }
    expect(stats.byCode).toEqual(want);
    expect(stats.received).toBe(fridge.expected);
    // hand everything accepted (including the reading dated 2099) to detectors, tickets and the planner
    desk.clock.set(Date.UTC(2100, 0, 1));
    desk.helpdesk.advance(Date.UTC(2100, 0, 1));
    expect(desk.helpdesk.stats().byCode.EVN_ERR_INTERNAL).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
