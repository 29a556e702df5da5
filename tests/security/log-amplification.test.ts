/**
 * Finding 3 of the hardening issue: what an unauthenticated client sends must not blow up the log.
 * Everything logged from untrusted input is cut to a bounded length; repeated lines (same code, same
 * source) are collapsed into one summary line; payload content is never quoted in a logged reason.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/topics.js';
import { secureBroker, type SecureBroker } from '../broker/fixture.js';
import { memoryLog, testClock, waitFor } from './hardening-fixture.js';

const HUGE = 'z'.repeat(65_000);

describe('the log of a secured broker under hostile input', () => {
  let s: SecureBroker | null = null;
  afterEach(async () => {
    await s?.stop();
    s = null;
  });

  it('writes a bounded amount of log for 100 CONNECTs with a 65,000-character client id and username', async () => {
    const mem = memoryLog();
    const clock = testClock();
    s = await secureBroker([['anna/fridge']], { log: mem.log, clock });
    const url = s.broker.url;
    const attempts = Array.from({ length: 100 }, (_, i) =>
      mqtt.connectAsync(url, { clientId: `${HUGE}${i}`, username: i % 2 ? HUGE : undefined, password: i % 2 ? 'guess' : undefined, reconnectPeriod: 0, connectTimeout: 30_000 }).then(
        (c) => c.endAsync(true).then(() => 0),
        (e: { code?: number }) => e.code ?? -1,
      ),
    );
    const codes = await Promise.all(attempts);
    expect(codes.filter((c) => c <= 0)).toEqual([]);
    const refused = Object.entries(s.broker.stats().byCode).reduce((n, [, v]) => n + v, 0);
    expect(refused).toBe(100);
    // today: ~13 MB (every client id and username in full)
    expect(mem.bytes()).toBeLessThan(64 * 1024);
    for (const line of mem.lines) {
      for (const field of ['clientId', 'username', 'reason', 'topic']) {
        const v = line[field];
        if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(200);
      }
    }
    // a cut value says how long the original was
    expect(mem.text()).toMatch(/… \(65,?00\d characters\)/);

    // the suppressed lines are summed up in one line per code and source once the window is over
    clock.advance(60_000);
    await s.stop();
    s = null;
    const byCode = new Map<string, number>();
    for (const line of mem.lines.filter((l) => typeof l.code === 'string' && l.msg.startsWith('denied'))) {
      byCode.set(line.code!, (byCode.get(line.code!) ?? 0) + (line.msg === 'denied' ? 1 : Number(line.suppressed)));
    }
    expect([...byCode.values()].reduce((a, b) => a + b, 0)).toBe(100);
    expect(mem.lines.some((l) => /more like this/.test(l.msg) && Number(l.suppressed) > 0)).toBe(true);
    expect(mem.lines.filter((l) => l.msg === 'denied').length).toBeLessThan(10);
  }, 60_000);

  it('never quotes payload content in the reason it logs for a payload that is not JSON', async () => {
    const mem = memoryLog();
    s = await secureBroker([['anna/fridge']], { log: mem.log });
    const fridge = await s.connect('anna/fridge');
    const topic = deviceTopic('anna', 'fridge', 'telemetry');
    await fridge.publishAsync(topic, 'hello-private-words', { qos: 1 });
    await fridge.publishAsync(topic, '{"v": 1, "ts": private}', { qos: 1 });
    await fridge.endAsync();
    expect(await waitFor(() => s!.broker.stats().byCode.EVN_ERR_JSON === 2)).toBe(true);
    const lines = mem.lines.filter((l) => l.code === 'EVN_ERR_JSON');
    expect(lines.length).toBeGreaterThan(0);
    expect(String(lines[0]!.reason)).toMatch(/not JSON/);
    expect(mem.text()).not.toMatch(/hello|private/);
  });
});
