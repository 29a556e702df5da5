/**
 * The packet corpus (tests/corpus/packets): raw bytes that are not, or not quite, MQTT, written to a
 * broker over plain TCP sockets, before or after a valid CONNECT. The broker closes the connection
 * where the corpus says so, keeps a session working where it says so, counts what its security layer
 * refuses under the corpus's code, and afterwards a normal mqtt.js client still connects, publishes
 * and receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrokerForSuite } from '../helpers/open-broker.js';
import { secureBroker, type SecureBroker } from '../broker/fixture.js';
import { loadPackets, type CorpusPacket } from './corpus.js';
import { rawExchange, roundTrip, type RawResult } from './fixture.js';
import type { ConnectFields } from './mqtt-bytes.js';
import { codeDelta } from './outcomes.js';

const packets = loadPackets();
const cases = packets.map((p) => [p.name, p] as const);

function expectOutcome(p: CorpusPacket, outcome: 'closed' | 'open' | 'any', r: RawResult): void {
  if (outcome === 'closed') expect(r, `${p.name} (${p.about}): the broker closes the connection`).toMatchObject({ closed: true });
  if (outcome === 'open') expect(r, `${p.name} (${p.about}): the session still answers a ping`).toMatchObject({ closed: false, ponged: true });
}

async function noClientsLeft(clients: () => number, want: number): Promise<void> {
  for (let i = 0; i < 200 && clients() !== want; i++) await new Promise((r) => setTimeout(r, 10));
  expect(clients()).toBe(want);
}

describe('the packet corpus against an open broker', () => {
  const open = openBrokerForSuite();

  it.each(cases)('%s', async (_name, p) => {
    const session: ConnectFields | undefined = p.session === 'device' ? { clientId: `corpus-${p.name}` } : undefined;
    const r = await rawExchange(open.broker.port, p.bytes, { ...(session ? { session } : {}), waitMs: p.expect.open === 'any' ? 300 : 3000 });
    expectOutcome(p, p.expect.open, r);
  });

  it('still serves a normal client afterwards, and holds no connection of the corpus', async () => {
    await noClientsLeft(() => open.broker.stats().clients, 0);
    await roundTrip(open.broker.url, { clientId: 'evernet-maria-fridge' }, { clientId: 'evernet-helpdesk' });
  });
});

describe('the packet corpus against a secured broker', () => {
  let s: SecureBroker;
  beforeAll(async () => {
    s = await secureBroker([['maria/fridge'], ['helpdesk', 'helpdesk']]);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it.each(cases)('%s', async (_name, p) => {
    const before = s.broker.stats();
    const session: ConnectFields | undefined =
      p.session === 'device' ? { clientId: 'evernet-maria-fridge', username: 'maria/fridge', password: s.secrets.get('maria/fridge')! } : undefined;
    const r = await rawExchange(s.broker.port, p.bytes, { ...(session ? { session } : {}), waitMs: p.expect.secured.outcome === 'any' ? 300 : 3000 });
    expectOutcome(p, p.expect.secured.outcome, r);
    const code = p.expect.secured.code;
    if (code) {
      // a refusal at CONNECT is reported right after the CONNACK: give the count a moment
      for (let i = 0; i < 100 && !s.broker.stats().byCode[code]; i++) await new Promise((res) => setTimeout(res, 10));
      expect(codeDelta(before.byCode, s.broker.stats().byCode), `${p.name}: counted as ${code}`).toEqual({ [code]: 1 });
    }
  });

  it('still serves normal clients afterwards, and holds no connection of the corpus', async () => {
    await noClientsLeft(() => s.broker.stats().clients, 0);
    const as = (username: string, clientId: string) => ({ username, password: s.secrets.get(username)!, clientId });
    await roundTrip(s.broker.url, as('maria/fridge', 'evernet-maria-fridge'), as('helpdesk', 'evernet-helpdesk'));
  });
});
