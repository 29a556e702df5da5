/**
 * The same corpus through a secured broker (authentication, ACL, edge limits, contract validation) to a
 * real helpdesk that logs in as `helpdesk`. Each message is published by the identity the corpus names:
 * the broker diverts it (acknowledged, counted, not forwarded), cuts the publisher off (counted), or
 * forwards it to the helpdesk, which then handles it as on an open broker. After every message a valid
 * reading from the fridge still goes through, and the broker's counters add up at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closed, secureBroker, type SecureBroker } from '../broker/fixture.js';
import { loadMessages, render, type CorpusMessage } from './corpus.js';
import { FRIDGE_TELEMETRY, T0, startHelpdesk, within, type RunningHelpdesk } from './fixture.js';
import { fridgeReadings } from './fridge-readings.js';
import { codeDelta, expectHelpdeskOutcome, nextValid } from './outcomes.js';

const messages = loadMessages();
const DEVICES = ['maria/fridge', 'maria/washer', 'maria/car', 'maria/toaster', 'nobody/fridge'] as const;
const APPS = ['maria/_app', 'nobody/_app'] as const;

describe('the bad-input corpus against a secured broker and the helpdesk behind it', () => {
  let s: SecureBroker;
  let desk: RunningHelpdesk;
  const fridge = fridgeReadings(() => desk, publishValid);

  async function publishValid(payload: Buffer): Promise<void> {
    const fridge = await s.connect('maria/fridge');
    await fridge.publishAsync(FRIDGE_TELEMETRY, payload, { qos: 1 });
    await fridge.endAsync();
  }

  beforeAll(async () => {
    s = await secureBroker([...DEVICES.map((u) => [u] as [string]), ...APPS.map((u) => [u] as [string]), ['helpdesk', 'helpdesk'], ['root', 'admin']], {
      // the corpus sends ~150 publishes as maria/fridge within a second or two; the rate limit is a
      // policy with tests of its own (tests/broker/edge.test.ts), not what this corpus is about
      limits: { publishBurst: 100_000 },
    });
    desk = await startHelpdesk(s.broker.url, { username: 'helpdesk', password: s.secrets.get('helpdesk')! });
    await fridge.first();
  });
  afterAll(async () => {
    await desk?.stop();
    await s?.stop();
  });

  it('names a known identity as the publisher of every corpus message', () => {
    const known = new Set<string>([...DEVICES, ...APPS, 'helpdesk', 'root']);
    expect(messages.filter((m) => !known.has(m.secured.as)).map((m) => m.name)).toEqual([]);
  });

  it.each(messages.map((m) => [m.name, m] as const))('%s: diverted, cut off or forwarded as the corpus says; the next valid reading goes through', async (_name, m: CorpusMessage) => {
    const sec = m.secured;
    const before = { broker: s.broker.stats(), desk: desk.helpdesk.stats() };
    const payload = render(m, fridge.state, { seq: 0, ts: T0 });
    const publisher = await s.connect(sec.as);
    if (sec.outcome === 'disconnected') {
      publisher.publish(m.topic, payload, { qos: 1 });
      expect(await closed(publisher, 5000), `${m.name}: the broker cuts the publisher off`).toBe(true);
    } else {
      await within(publisher.publishAsync(m.topic, payload, { qos: 1 }), 5000, `the PUBACK for ${m.name}`);
      expect(publisher.connected, `${m.name}: a data bug is acknowledged, not punished`).toBe(true);
      await publisher.endAsync();
    }
    const delivered = sec.outcome === 'forwarded';
    await fridge.after(m, payload, delivered);

    const after = s.broker.stats();
    expect(codeDelta(before.broker.byCode, after.byCode), `${m.name}: the broker's count`).toEqual(sec.outcome === 'forwarded' ? {} : { [sec.code]: 1 });
    expect(after.rejected - before.broker.rejected).toBe(sec.outcome === 'forwarded' ? 0 : 1);
    expectHelpdeskOutcome(m, before.desk, desk.helpdesk.stats(), delivered);
  });

  it('adds the broker counts up by code, keeps serving, and leaves no client behind', async () => {
    const want: Record<string, number> = {};
    for (const m of messages) if (m.secured.outcome !== 'forwarded') want[m.secured.code] = (want[m.secured.code] ?? 0) + 1;
    expect(s.broker.stats().byCode).toEqual(want);
    // only the helpdesk is still connected
    for (let i = 0; i < 100 && s.broker.stats().clients !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.broker.stats().clients).toBe(1);
    const received = desk.helpdesk.stats().received;
    await publishValid(nextValid(fridge.state));
    await within(desk.helpdesk.received(received + 1), 5000, 'a reading after the whole corpus');
    expect(desk.helpdesk.stats().byCode.EVN_ERR_INTERNAL).toBeUndefined();
  });
});
