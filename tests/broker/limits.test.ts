/** Edge limits as pure functions: the token bucket and the MQTT frame meter. */
import { describe, expect, it } from 'vitest';
import { createFrameMeter } from '../../broker/limits/packet-guard.js';
import { createRateLimiter } from '../../broker/limits/token-bucket.js';
import { checkTopic, DEFAULT_LIMITS } from '../../broker/limits/limits.js';

describe('token bucket', () => {
  it('allows a burst, then the sustained rate of the injected clock', () => {
    let t = 0;
    const limiter = createRateLimiter({ perSecond: 10, burst: 5, now: () => t });
    const takes = (n: number) => Array.from({ length: n }, () => limiter.take('a')).filter(Boolean).length;
    expect(takes(8)).toBe(5);
    t += 500; // half a second refills 5
    expect(takes(8)).toBe(5);
    expect(limiter.take('b')).toBe(true); // buckets are per key
    t += 60_000;
    expect(takes(20)).toBe(5); // never more than the burst
  });
});

describe('frame meter', () => {
  /** a QoS 0 PUBLISH on topic a/b, encoded by hand: type, remaining length (varint), topic, payload */
  const publish = (bytes: number) => {
    const body = Buffer.concat([Buffer.from([0, 3]), Buffer.from('a/b'), Buffer.alloc(bytes)]);
    const length: number[] = [];
    let n = body.length;
    do {
      length.push((n % 128) | (n >= 128 ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return Buffer.concat([Buffer.from([0x30, ...length]), body]);
  };

  it('follows packet boundaries across arbitrary chunks and flags the first packet too large', () => {
    const meter = createFrameMeter(1000);
    const stream = Buffer.concat([publish(10), publish(900), publish(0), publish(5000)]);
    const before = publish(10).length + publish(900).length + publish(0).length;
    for (let i = 0; i < stream.length; i += 7) {
      const size = meter.feed(stream.subarray(i, i + 7));
      if (size === null) continue;
      expect(size).toBe(5000 + 2 + 3); // payload + topic length field + topic
      expect(i).toBeGreaterThanOrEqual(before - 7); // not before the big packet's header
      return; // the connection is cut here
    }
    throw new Error('the big packet was not flagged');
  });

  it('flags a malformed remaining length', () => {
    expect(createFrameMeter(1 << 30).feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]))).toBe(Infinity);
  });
});

describe('topic limits', () => {
  it('bounds topic length and depth', () => {
    expect(checkTopic('evernet/v1/anna/fridge/telemetry', DEFAULT_LIMITS)).toEqual({ ok: true });
    expect(checkTopic('a/'.repeat(8) + 'a', DEFAULT_LIMITS)).toMatchObject({ ok: false, code: 'EVN_ERR_TOPIC_TOO_DEEP' });
    expect(checkTopic('x'.repeat(257), DEFAULT_LIMITS)).toMatchObject({ ok: false, code: 'EVN_ERR_TOPIC_TOO_LONG' });
  });
});
