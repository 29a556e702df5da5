/**
 * The compiled telemetry check (contracts/telemetry-check.ts) is held to zod: whatever it passes, zod
 * accepts and returns unchanged (same fields, same order, same values); the models' own telemetry
 * passes it; and over a few thousand broken messages (each field of each kind missing, of the wrong
 * type, out of range, fields added or reordered, extra readings) it never passes what zod refuses or
 * changes. decode gives the same result either way.
 */
import { describe, expect, it } from 'vitest';
import { stamp } from '../../contracts/envelope.js';
import { Telemetry, type DeviceKind } from '../../contracts/payloads.js';
import { isPlainTelemetry } from '../../contracts/telemetry-check.js';
import { decode } from '../../contracts/validate.js';
import { KINDS } from '../../devices/kinds/index.js';

const T0 = Date.parse('2020-06-01T00:00:00Z');

/** a model's telemetry over six hours, one message a minute, as a device sends it */
function modelTelemetry(kind: DeviceKind): unknown[] {
  const m = KINDS[kind];
  let state = m.init(m.params.parse({}), 7, T0);
  const out: unknown[] = [];
  for (let i = 1; i <= 360; i++) {
    const r = m.step(state, 60, T0 + i * 60_000);
    state = r.state;
    out.push(JSON.parse(JSON.stringify(stamp({ kind, readings: r.readings }, T0 + i * 60_000, i))));
  }
  return out;
}

/** passes the compiled check only if zod returns it unchanged, key order included */
function heldToZod(json: unknown): boolean {
  const fast = isPlainTelemetry(json);
  if (fast) {
    const z = Telemetry.safeParse(json);
    expect(z.success).toBe(true);
    expect(JSON.stringify(z.data)).toBe(JSON.stringify(json));
  }
  return fast;
}

const BAD_VALUES: unknown[] = [null, 'x', '1', true, -1e12, 1e12, 0.5, -0.5, [], {}, Number.MAX_SAFE_INTEGER + 2];

/** every way of breaking one field of a message: removed, replaced by each bad value, and a field added */
function* broken(msg: Record<string, unknown>): Generator<unknown> {
  const readings = msg.readings as Record<string, unknown>;
  for (const k of Object.keys(msg)) {
    const { [k]: _gone, ...rest } = msg;
    yield rest;
    for (const v of BAD_VALUES) yield { ...msg, [k]: v };
  }
  for (const k of Object.keys(readings)) {
    const { [k]: _gone, ...rest } = readings;
    yield { ...msg, readings: rest };
    for (const v of BAD_VALUES) yield { ...msg, readings: { ...readings, [k]: v } };
  }
  yield { ...msg, junk: 1 };
  yield { ...msg, readings: { ...readings, junk: 1 } };
  yield { ...msg, kind: 'toaster' };
  yield { ...msg, v: 2 };
  yield { ...msg, extra: { humidityPct: 40 } };
  yield { ...msg, extra: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x${i}`, i])) };
  // the same fields in another order
  const [first, ...others] = Object.keys(readings);
  yield { ...msg, readings: Object.fromEntries([...others, first!].map((k) => [k, readings[k]])) };
  yield Object.fromEntries(Object.entries(msg).reverse());
}

describe('the compiled telemetry check', () => {
  it.each(['car-battery', 'fridge', 'washer'] as const)('passes every %s message its model sends, as zod returns it', (kind) => {
    for (const msg of modelTelemetry(kind)) expect(heldToZod(msg)).toBe(true);
  });

  it.each(['car-battery', 'fridge', 'washer'] as const)('never passes a broken %s message zod refuses or changes', (kind) => {
    let cases = 0;
    let passed = 0;
    for (const msg of modelTelemetry(kind).slice(0, 5)) {
      for (const b of broken(msg as Record<string, unknown>)) {
        cases++;
        if (heldToZod(b)) passed++;
      }
    }
    expect(cases).toBeGreaterThan(500);
    // integers where numbers are asked for and the like stay valid; most of these are refused or reordered
    expect(passed).toBeLessThan(cases / 5);
  });

  it('leaves extra readings and a reordered message to zod, and decode answers the same either way', () => {
    const [msg] = modelTelemetry('fridge') as Array<Record<string, unknown>>;
    const topic = 'evernet/v1/c1/fridge/telemetry';
    const withExtra = { ...msg, extra: { humidityPct: 40 } };
    const reordered = Object.fromEntries(Object.entries(msg!).reverse());
    expect(isPlainTelemetry(withExtra)).toBe(false);
    expect(isPlainTelemetry(reordered)).toBe(false);
    for (const m of [msg, withExtra, reordered]) {
      const r = decode(topic, JSON.stringify(m));
      expect(r.ok).toBe(true);
      if (r.ok) expect(JSON.stringify(r.value.payload)).toBe(JSON.stringify(Telemetry.parse(m)));
    }
    const tooMany = decode(topic, JSON.stringify({ ...msg, extra: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x${i}`, i])) }));
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'EVN_ERR_SCHEMA' } });
  });
});
