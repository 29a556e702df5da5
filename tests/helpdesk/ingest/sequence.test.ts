/**
 * Sequence numbers against a spoofed message: one schema-valid message with seq 2^53-1 and an event
 * time four minutes ahead must not make the helpdesk drop the device's genuine messages as
 * duplicates. A jump beyond what the device could have sent in the time between is refused with its
 * own code and not adopted; duplicates are counted and logged at a bounded rate; a device that really
 * restarted (a new connection) starts its sequence again.
 */
import mqtt from 'mqtt';
import { memoryLog } from '../../helpers/memory-log.js';
import { describe, expect, it } from 'vitest';
import { createBroker } from '../../../broker/server.js';
import { startHelpdeskStack } from '../../../stack/helpdesk-stack.js';
import { DEFAULT_WORLD } from '../../../stack/paths.js';
import { ERR, deviceTopic, type Decoded } from '../../../contracts/index.js';
import { createIngest } from '../../../helpdesk/ingest/ingest.js';
import { silentLogger } from '../../../log/logger.js';
import { VirtualClock } from '../../../contracts/clock.js';
import { directoryOf } from '../../../scenarios/directory.js';
import { loadScenario } from '../../../scenarios/load.js';

const T0 = Date.UTC(2020, 10, 2, 17, 0, 0);
const at = (s: number) => T0 + s * 1000;
const readings = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: false, powerW: 1 };
const telemetry = (seq: number, s: number): [string, Buffer] => [
  deviceTopic('maria', 'fridge', 'telemetry'),
  Buffer.from(JSON.stringify({ v: 1, ts: at(s), seq, kind: 'fridge', readings })),
];
const online = (connection: number, s: number): [string, Buffer] => [
  deviceTopic('maria', 'fridge', 'availability'),
  Buffer.from(JSON.stringify({ v: 1, ts: at(s), seq: connection, state: 'online', kind: 'fridge', reason: 'connected' })),
];

function withLog() {
  const { log, lines } = memoryLog();
  return { ingest: createIngest({ log }), lines };
}

describe('sequence numbers', () => {
  it('refuse a spoofed jump to 2^53-1 with its own code, and the next genuine messages all pass', () => {
    const { ingest, lines } = withLog();
    for (let i = 1; i <= 10; i++) ingest.accept(...telemetry(i, i));
    ingest.accept(...telemetry(Number.MAX_SAFE_INTEGER, 10 + 240));
    for (let i = 11; i <= 30; i++) ingest.accept(...telemetry(i, i));
    const s = ingest.stats();
    expect(s.byCode[ERR.SEQ_JUMP]).toBe(1);
    expect(s.duplicates).toBe(0);
    expect(s.accepted).toBe(30);
    expect(ingest.drain(at(1000)).map((d) => d.payload.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(lines.some((l) => l.code === ERR.SEQ_JUMP)).toBe(true);
  });

  it('let a device that reconnected start a new sequence, even far from the old one', () => {
    const { ingest } = withLog();
    ingest.accept(...online(1, 0));
    for (let i = 1; i <= 5; i++) ingest.accept(...telemetry(i, i));
    // restored from a backup with a much later sequence, on a new connection
    ingest.accept(...online(2, 10));
    ingest.accept(...telemetry(10_000_000, 11));
    ingest.accept(...telemetry(10_000_001, 12));
    // restarted without its outbox: back to 1, later event time
    ingest.accept(...online(3, 20));
    ingest.accept(...telemetry(1, 21));
    const s = ingest.stats();
    expect(s.byCode[ERR.SEQ_JUMP]).toBeUndefined();
    expect(s.duplicates).toBe(0);
    expect(s.accepted).toBe(3 + 8);
  });

  it('count every duplicate and log them at a bounded rate, saying how many so far', () => {
    const { ingest, lines } = withLog();
    ingest.accept(...telemetry(1, 1));
    for (let i = 0; i < 1000; i++) ingest.accept(...telemetry(1, 1));
    expect(ingest.stats().duplicates).toBe(1000);
    const logged = lines.filter((l) => l.code === ERR.DUPLICATE);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(11); // 1, 2, 4, ... 512
    expect(logged.at(-1)!.count).toBe(512);
  });
});

describe('a spoofed message through a real broker', () => {
  it('does not silence the device: the helpdesk processes all 30 genuine messages and refuses the spoof', async () => {
    const broker = await createBroker({ port: 0 }).start();
    const processed: number[] = [];
    const clock = new VirtualClock(T0);
    const stack = await startHelpdeskStack({
      brokerUrl: broker.url, directory: directoryOf(loadScenario(DEFAULT_WORLD)), clock, log: silentLogger(),
      helpdesk: {
        cleanSession: true,
        onProcessed: (m: Decoded) => m.topic.scope === 'device' && m.topic.channel === 'telemetry' && processed.push(m.payload.seq),
      },
    });
    const { helpdesk } = stack;
    try {
      const fridge = await mqtt.connectAsync(broker.url, { clientId: 'evernet-maria-fridge' });
      const attacker = await mqtt.connectAsync(broker.url, { clientId: 'someone-else' });
      for (let i = 1; i <= 10; i++) await fridge.publishAsync(...telemetry(i, i), { qos: 1 });
      await helpdesk.received(10);
      await attacker.publishAsync(...telemetry(Number.MAX_SAFE_INTEGER, 10 + 240), { qos: 1 });
      await helpdesk.received(11);
      for (let i = 11; i <= 30; i++) await fridge.publishAsync(...telemetry(i, i), { qos: 1 });
      await helpdesk.received(31);
      clock.set(at(300));
      helpdesk.advance(at(300));
      expect(processed).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(helpdesk.stats().byCode[ERR.SEQ_JUMP]).toBe(1);
      expect(helpdesk.stats().duplicates).toBe(0);
      await fridge.endAsync();
      await attacker.endAsync();
    } finally {
      await stack.stop();
      await broker.stop();
    }
  }, 20_000);
});
