/**
 * The core's collections that the directory does not bound: recipe answers per customer and commands
 * awaiting a device's result are capped, oldest forgotten first, with a coded log line; a flex offer
 * longer than the contract allows is refused at decode with a code. Real SQLite, pure core.
 */
import { describe, expect, it } from 'vitest';
import { decode, deviceTopic, ERR, MAX_OFFER_SLOTS, serviceTopic, type Decoded } from '../../contracts/index.js';
import { createCore, CORE_ERR } from '../../helpdesk/core.js';
import { createEvents } from '../../helpdesk/events.js';
import { createOutbox } from '../../helpdesk/outbox.js';
import { loadTariff } from '../../helpdesk/schedule/tariff-file.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../log/logger.js';
import { DIRECTORY, T0 } from '../security/fixture.js';

function decoded(topic: string, payload: unknown): Decoded {
  const r = decode(topic, JSON.stringify(payload));
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.reason}`);
  return r.value;
}

function recordingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = silentLogger();
  log.warn = ((obj: Record<string, unknown>) => void lines.push(obj)) as typeof log.warn;
  return { log, lines };
}

describe('the core\'s per-customer collections', () => {
  it('keeps at most shoppingPerCustomer recipe answers of a customer, forgetting the oldest with EVN_ERR_SHOPPING_EVICTED', () => {
    const { log, lines } = recordingLog();
    const store = openSqliteStore({ path: ':memory:' });
    const core = createCore({ directory: DIRECTORY, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, outbox: createOutbox(), log, events: createEvents(log), limits: { shoppingPerCustomer: 10 } });
    for (let i = 1; i <= 500; i++) {
      core.handle(decoded(serviceTopic('maria', 'request'), {
        v: 1, ts: T0 + i, seq: i, type: 'recipe', requestId: `r-${i}`,
        recipe: { name: `dish ${i}`, ingredients: [{ name: 'flour', quantity: 1, unit: 'kg' }] }, location: { lat: 50.9, lon: 6.9 },
      }), T0 + i);
    }
    expect(core.held().shopping).toBe(10);
    expect(core.shopping().map((s) => s.recipe)).toEqual(Array.from({ length: 10 }, (_, k) => `dish ${491 + k}`));
    // 490 forgotten: logged at 1, 10 and 100, not 490 times
    expect(lines.filter((l) => l.code === CORE_ERR.SHOPPING_EVICTED).map((l) => l.evicted)).toEqual([1, 10, 100]);
    store.close();
  });

  it('keeps at most pendingCommands commands awaiting a device\'s result, forgetting the oldest with EVN_ERR_COMMAND_FORGOTTEN', () => {
    const { log, lines } = recordingLog();
    const store = openSqliteStore({ path: ':memory:' });
    const core = createCore({ directory: DIRECTORY, tariff: loadTariff('data/de-day-ahead-2020.csv'), store, outbox: createOutbox(), log, events: createEvents(log), limits: { pendingCommands: 3 } });
    // a fridge left open gets a ticket; staff send it commands the device never answers
    let seq = 0;
    let t = T0;
    for (let s = 0; s < 900; s++) {
      t += 1000;
      core.handle(decoded(deviceTopic('maria', 'fridge', 'telemetry'), {
        v: 1, ts: t, seq: ++seq, kind: 'fridge', readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: true, compressorOn: true, powerW: 90 },
      }), t);
    }
    const ticket = store.list()[0]!;
    for (let i = 0; i < 8; i++) expect(core.act(ticket.id, { type: 'command', command: { action: 'report-inventory' } }, 'alice', (t += 1000)).ok).toBe(true);
    expect(core.held().pendingCommands).toBe(3);
    expect(lines.some((l) => l.code === CORE_ERR.COMMAND_FORGOTTEN)).toBe(true);
    store.close();
  });
});

describe('a flex offer', () => {
  it(`with more than ${MAX_OFFER_SLOTS} slots is refused at decode with EVN_ERR_SCHEMA`, () => {
    const offer = (n: number) => JSON.stringify({
      v: 1, ts: T0, seq: 1, type: 'flex-offer', offerId: 'o-1', programme: 'eco', earliestStart: T0, latestEnd: T0 + 86_400_000,
      slots: Array.from({ length: n }, () => ({ durationS: 60, powerW: 100 })),
    });
    expect(decode(deviceTopic('maria', 'washer', 'event'), offer(MAX_OFFER_SLOTS)).ok).toBe(true);
    const r = decode(deviceTopic('maria', 'washer', 'event'), offer(MAX_OFFER_SLOTS + 1));
    expect(r.ok ? null : r.error.code).toBe(ERR.SCHEMA);
  });
});
