import { describe, expect, it } from 'vitest';
import { deviceTopic, serviceTopic } from '../../contracts/topics.js';
import { stamp } from '../../contracts/envelope.js';
import { ERR, MAX_PAYLOAD_BYTES, decode, encode, type DecodeResult } from '../../contracts/validate.js';
import { nextFloat, rngFrom } from '../../devices/kinds/rng.js';

const TS = Date.UTC(2020, 5, 1, 12, 0, 0);
const env = { v: 1, ts: TS, seq: 7 } as const;

const topics = {
  car: deviceTopic('cust-1', 'car-1', 'telemetry'),
  fridge: deviceTopic('cust-1', 'fridge-1', 'telemetry'),
  washer: deviceTopic('cust-1', 'washer-1', 'telemetry'),
  event: deviceTopic('cust-1', 'washer-1', 'event'),
  command: deviceTopic('cust-1', 'car-1', 'command'),
  availability: deviceTopic('cust-1', 'car-1', 'availability'),
  request: serviceTopic('cust-1', 'request'),
};

const carTelemetry = {
  ...env,
  kind: 'car-battery',
  readings: { voltageV: 14.1, currentA: 4.2, loadA: 35, temperatureC: 12, engineRunning: true, speedKmh: 48, batterySaver: false },
};
const fridgeTelemetry = {
  ...env,
  kind: 'fridge',
  readings: { cabinetTempC: 4.3, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 85 },
};
const washerTelemetry = {
  ...env,
  kind: 'washer',
  readings: { phase: 'heat', powerW: 2050, waterTempC: 31.5, waterLevelL: 12, drumRpm: 45, remainingS: 5400 },
};

const item = { name: 'milk', quantity: 1, unit: 'l' };
const events = {
  inventory: { ...env, type: 'inventory', items: [item, { name: 'eggs', quantity: 6, unit: 'pcs' }] },
  'flex-offer': {
    ...env,
    type: 'flex-offer',
    offerId: 'offer-1',
    programme: 'cotton-60',
    earliestStart: TS,
    latestEnd: TS + 8 * 3_600_000,
    slots: [
      { durationS: 600, powerW: 2000 },
      { durationS: 3000, powerW: 200 },
    ],
  },
  cycle: { ...env, type: 'cycle', state: 'started', programme: 'cotton-60' },
  trip: { ...env, type: 'trip', state: 'ended' },
  crank: { ...env, type: 'crank', minVoltageV: 10.33, restVoltageV: 12.32, currentA: -160, temperatureC: -8, durationMs: 2000 },
  'command-result': { ...env, type: 'command-result', commandId: 'cmd-1', ok: false, code: 'EVN_DEV_BUSY', detail: 'cycle running' },
};

const commands = [
  { ...env, commandId: 'cmd-1', action: 'battery-saver', on: true },
  { ...env, commandId: 'cmd-2', action: 'switch-off-consumer', consumer: 'seat-heating' },
  { ...env, commandId: 'cmd-3', action: 'display-message', ticketId: 't-1', text: 'Please check your battery' },
  { ...env, commandId: 'cmd-4', action: 'schedule-start', offerId: 'offer-1', startAt: TS + 3_600_000 },
  { ...env, commandId: 'cmd-5', action: 'start' },
  { ...env, commandId: 'cmd-6', action: 'pause' },
  { ...env, commandId: 'cmd-7', action: 'set-setpoint', celsius: 5 },
  { ...env, commandId: 'cmd-8', action: 'report-inventory' },
];

const availability = { ...env, state: 'offline', kind: 'car-battery', reason: 'will' };
const appRequest = {
  ...env,
  type: 'recipe',
  requestId: 'r-1',
  recipe: { name: 'Pancakes', ingredients: [item, { name: 'flour', quantity: 250, unit: 'g' }] },
  location: { lat: 52.52, lon: 13.405 },
};

function rejection(r: DecodeResult) {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return r.error;
}
function accepted(r: DecodeResult) {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.reason}`);
  return r.value;
}

/** a copy of `obj` with the value at `path` replaced (or removed when value is undefined) */
function withPath(obj: object, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

function mulberry32(seed: number): () => number {
  const r = rngFrom(seed);
  return () => nextFloat(r);
}

describe('decode accepts valid messages', () => {
  it.each([
    ['car-battery', topics.car, carTelemetry],
    ['fridge', topics.fridge, fridgeTelemetry],
    ['washer', topics.washer, washerTelemetry],
  ] as const)('accepts %s telemetry and returns its topic and payload', (kind, topic, payload) => {
    const value = accepted(decode(topic, JSON.stringify(payload)));
    expect(value.topic).toMatchObject({ scope: 'device', customerId: 'cust-1', channel: 'telemetry' });
    expect(value.channel).toBe('telemetry');
    expect(value.payload).toEqual(payload);
    expect(value.payload).toMatchObject({ kind });
  });

  it('narrows the payload by the channel at the top level', () => {
    const value = accepted(decode(topics.command, JSON.stringify({ ...env, commandId: 'c-1', action: 'set-setpoint', celsius: 4 })));
    // a type test as much as a runtime one: no cast is needed to read a command's fields
    expect(value.channel === 'command' && value.payload.commandId).toBe('c-1');
  });

  it('accepts a payload given as bytes', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(carTelemetry));
    expect(accepted(decode(topics.car, bytes)).payload).toEqual(carTelemetry);
  });

  it('accepts a payload given as a Uint8Array view into a larger buffer', () => {
    const json = new TextEncoder().encode(JSON.stringify(fridgeTelemetry));
    const backing = new Uint8Array(json.length + 20).fill(0x7b); // '{' around it would break JSON if read
    backing.set(json, 10);
    expect(accepted(decode(topics.fridge, backing.subarray(10, 10 + json.length))).payload).toEqual(fridgeTelemetry);
  });

  it.each(Object.entries(events))('accepts the %s event', (type, payload) => {
    const value = accepted(decode(topics.event, JSON.stringify(payload)));
    expect(value.topic).toEqual({ scope: 'device', customerId: 'cust-1', deviceId: 'washer-1', channel: 'event', key: 'cust-1/washer-1', stream: 'cust-1/washer-1/data' });
    expect(value.payload).toEqual(payload);
    expect(value.payload).toMatchObject({ type });
  });

  it('refuses a crank event with a charging current or without its lowest voltage', () => {
    expect(rejection(decode(topics.event, JSON.stringify({ ...events.crank, currentA: 20 }))).code).toBe('EVN_ERR_SCHEMA');
    expect(rejection(decode(topics.event, JSON.stringify(withPath(events.crank, ['minVoltageV'], undefined)))).code).toBe('EVN_ERR_SCHEMA');
  });

  it.each(commands.map((c) => [c.action, c]))('accepts the %s command', (_action, payload) => {
    expect(accepted(decode(topics.command, JSON.stringify(payload))).payload).toEqual(payload);
  });

  it('accepts an availability message', () => {
    const value = accepted(decode(topics.availability, JSON.stringify(availability)));
    expect(value.topic).toEqual({ scope: 'device', customerId: 'cust-1', deviceId: 'car-1', channel: 'availability', key: 'cust-1/car-1', stream: 'cust-1/car-1/availability' });
    expect(value.payload).toEqual(availability);
  });

  it("accepts a recipe request from the customer's app", () => {
    const value = accepted(decode(topics.request, JSON.stringify(appRequest)));
    expect(value.topic).toEqual({ scope: 'service', customerId: 'cust-1', channel: 'request' });
    expect(value.payload).toEqual(appRequest);
  });

  it('accepts timestamps at both ends of the allowed range', () => {
    expect(decode(topics.car, JSON.stringify({ ...carTelemetry, ts: Date.UTC(2000, 0, 1) })).ok).toBe(true);
    expect(decode(topics.car, JSON.stringify({ ...carTelemetry, ts: Date.UTC(2100, 0, 1) })).ok).toBe(true);
  });

  it('checks the payload against the schema of its channel, not of another one', () => {
    const r = rejection(decode(topics.event, JSON.stringify(carTelemetry)));
    expect(r.code).toBe(ERR.SCHEMA);
    expect(r.reason).toContain('type');
  });
});

describe('decode rejects malformed JSON', () => {
  it.each([['{"v":1,'], ['not json'], [''], ['{v:1}'], ["{'v':1}"], ['[1,2']])('rejects %j with EVN_ERR_JSON', (text) => {
    const r = rejection(decode(topics.car, text));
    expect(r.code).toBe(ERR.JSON);
    expect(r.topic).toBe(topics.car);
    expect(r.reason).toMatch(/not JSON/);
  });

  it('rejects bytes that are not UTF-8 JSON with EVN_ERR_JSON', () => {
    expect(rejection(decode(topics.car, new Uint8Array([0xff, 0xfe, 0x00, 0x7b]))).code).toBe(ERR.JSON);
  });
});

describe('decode rejects schema violations with the path of the field', () => {
  it.each([
    ['a string voltage', topics.car, carTelemetry, ['readings', 'voltageV'], '14.1', 'readings.voltageV'],
    ['a string for engineRunning', topics.car, carTelemetry, ['readings', 'engineRunning'], 'yes', 'readings.engineRunning'],
    ['a missing engineRunning', topics.car, carTelemetry, ['readings', 'engineRunning'], undefined, 'readings.engineRunning'],
    ['missing readings', topics.car, carTelemetry, ['readings'], undefined, 'readings'],
    ['a voltage above range', topics.car, carTelemetry, ['readings', 'voltageV'], 25, 'readings.voltageV'],
    ['a negative speed', topics.car, carTelemetry, ['readings', 'speedKmh'], -1, 'readings.speedKmh'],
    ['an unknown kind', topics.car, carTelemetry, ['kind'], 'toaster', 'kind'],
    ['a missing kind', topics.car, carTelemetry, ['kind'], undefined, 'kind'],
    ['an unknown washer phase', topics.washer, washerTelemetry, ['readings', 'phase'], 'dry', 'readings.phase'],
    ['a fridge setpoint out of range', topics.fridge, fridgeTelemetry, ['readings', 'setpointC'], 25, 'readings.setpointC'],
    ['a wrong version', topics.car, carTelemetry, ['v'], 2, 'v'],
    ['a missing seq', topics.car, carTelemetry, ['seq'], undefined, 'seq'],
    ['a negative seq', topics.car, carTelemetry, ['seq'], -1, 'seq'],
    ['a fractional seq', topics.car, carTelemetry, ['seq'], 1.5, 'seq'],
    ['a fractional ts', topics.car, carTelemetry, ['ts'], TS + 0.5, 'ts'],
    ['a ts in seconds', topics.car, carTelemetry, ['ts'], TS / 1000, 'ts'],
    ['a ts before 2000', topics.car, carTelemetry, ['ts'], Date.UTC(1999, 11, 31, 23, 59, 59), 'ts'],
    ['a ts after 2100', topics.car, carTelemetry, ['ts'], Date.UTC(2100, 0, 1) + 1, 'ts'],
    ['a string ts', topics.car, carTelemetry, ['ts'], '2020-06-01T12:00:00Z', 'ts'],
    ['an unknown event type', topics.event, events.trip, ['type'], 'crash', 'type'],
    ['an unknown trip state', topics.event, events.trip, ['state'], 'paused', 'state'],
    ['a flex-offer ending after 2100', topics.event, events['flex-offer'], ['latestEnd'], Date.UTC(2101, 0, 1), 'latestEnd'],
    ['a flex-offer slot of zero seconds', topics.event, events['flex-offer'], ['slots', '0', 'durationS'], 0, 'slots.0.durationS'],
    ['a flex-offer without slots', topics.event, events['flex-offer'], ['slots'], [], 'slots'],
    ['an inventory item without a name', topics.event, events.inventory, ['items', '1', 'name'], undefined, 'items.1.name'],
    ['an upper-case command id', topics.command, commands[0]!, ['commandId'], 'CMD-1', 'commandId'],
    ['an unknown command action', topics.command, commands[0]!, ['action'], 'self-destruct', 'action'],
    ['a setpoint command out of range', topics.command, commands[6]!, ['celsius'], 30, 'celsius'],
    ['an unknown availability reason', topics.availability, availability, ['reason'], 'crashed', 'reason'],
    ['an availability of an unknown kind', topics.availability, availability, ['kind'], 'toaster', 'kind'],
    ['a recipe without ingredients', topics.request, appRequest, ['recipe', 'ingredients'], [], 'recipe.ingredients'],
    ['a latitude out of range', topics.request, appRequest, ['location', 'lat'], 91, 'location.lat'],
    ['a request of another type', topics.request, appRequest, ['type'], 'weather', 'type'],
  ] as const)('rejects %s with EVN_ERR_SCHEMA naming the field', (_label, topic, base, path, value, field) => {
    const r = rejection(decode(topic, JSON.stringify(withPath(base, [...path], value))));
    expect(r.code).toBe(ERR.SCHEMA);
    expect(r.topic).toBe(topic);
    expect(r.reason.startsWith(`${field}: `) || r.reason.includes(`; ${field}: `)).toBe(true);
  });

  it('rejects a number that JSON.parse turns into Infinity (1e400)', () => {
    const text = JSON.stringify(carTelemetry).replace('"voltageV":14.1', '"voltageV":1e400');
    expect(text).toContain('1e400');
    const r = rejection(decode(topics.car, text));
    expect(r.code).toBe(ERR.SCHEMA);
    expect(r.reason).toContain('readings.voltageV');
  });

  it('rejects a current of -1e400 (negative Infinity)', () => {
    const text = JSON.stringify(carTelemetry).replace('"currentA":4.2', '"currentA":-1e400');
    expect(text).toContain('-1e400');
    expect(rejection(decode(topics.car, text)).reason).toContain('readings.currentA');
  });

  it('rejects a ts of 1e400', () => {
    const text = JSON.stringify(carTelemetry).replace(`"ts":${TS}`, '"ts":1e400');
    expect(rejection(decode(topics.car, text)).reason).toMatch(/^ts: /);
  });

  it.each([['null'], ['42'], ['"telemetry"'], ['[]'], ['true']])('rejects the JSON value %s at the root', (text) => {
    const r = rejection(decode(topics.car, text));
    expect(r.code).toBe(ERR.SCHEMA);
    expect(r.reason).toMatch(/^\(root\): /);
  });

  it('names at most three fields when many are wrong', () => {
    const bad = { ...carTelemetry, readings: { voltageV: 'a', currentA: 'b', loadA: 'c', temperatureC: 'd', engineRunning: 1, speedKmh: 'e', batterySaver: 2 } };
    const r = rejection(decode(topics.car, JSON.stringify(bad)));
    expect(r.code).toBe(ERR.SCHEMA);
    expect(r.reason.split('; ')).toHaveLength(3);
  });
});

describe('decode rejects a payload that is too large', () => {
  it(`rejects more than ${MAX_PAYLOAD_BYTES} bytes with EVN_ERR_TOO_LARGE before parsing it`, () => {
    const json = JSON.stringify(carTelemetry);
    const text = json + ' '.repeat(MAX_PAYLOAD_BYTES + 1 - json.length);
    const r = rejection(decode(topics.car, text));
    expect(r.code).toBe(ERR.TOO_LARGE);
    expect(r.reason).toContain(String(MAX_PAYLOAD_BYTES + 1));
  });

  it('accepts a valid payload of exactly the limit', () => {
    const json = JSON.stringify(carTelemetry);
    const text = json + ' '.repeat(MAX_PAYLOAD_BYTES - json.length);
    expect(Buffer.byteLength(text)).toBe(MAX_PAYLOAD_BYTES);
    expect(decode(topics.car, text).ok).toBe(true);
  });

  it('counts bytes, not characters, of a string payload', () => {
    // 40,000 two-byte characters: under the limit in characters, over it in bytes
    const text = JSON.stringify({ ...commands[2]!, text: 'ä'.repeat(40_000) });
    expect(text.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(rejection(decode(topics.command, text)).code).toBe(ERR.TOO_LARGE);
  });

  it('rejects a large byte payload with EVN_ERR_TOO_LARGE', () => {
    expect(rejection(decode(topics.car, new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20))).code).toBe(ERR.TOO_LARGE);
  });
});

describe('decode rejects a bad topic', () => {
  it.each([
    ['a foreign topic', 'home/kitchen/fridge'],
    ['an upper-case device id', 'evernet/v1/cust-1/Car-1/telemetry'],
    ['an unknown channel', 'evernet/v1/cust-1/car-1/status'],
    ['an unknown service segment', 'evernet/v1/cust-1/_admin/request'],
  ])('rejects %s with EVN_ERR_TOPIC even when the payload is valid', (_label, topic) => {
    const r = rejection(decode(topic, JSON.stringify(carTelemetry)));
    expect(r.code).toBe(ERR.TOPIC);
    expect(r.topic).toBe(topic);
  });
});

describe('decode never throws', () => {
  const codes = new Set<string>([ERR.TOPIC, ERR.JSON, ERR.SCHEMA, ERR.TOO_LARGE]);

  it('returns a rejection for 2000 random byte strings', () => {
    const rnd = mulberry32(20200601);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(rnd() * 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
      let r: DecodeResult | undefined;
      expect(() => (r = decode(topics.car, bytes))).not.toThrow();
      expect(r!.ok).toBe(false);
      if (!r!.ok) expect(codes.has(r!.error.code)).toBe(true);
    }
  });

  it('returns a result for 2000 randomly mutated valid payloads, and anything accepted is schema-valid', () => {
    const rnd = mulberry32(7);
    const sources: Array<[string, string]> = [
      [topics.car, JSON.stringify(carTelemetry)],
      [topics.washer, JSON.stringify(washerTelemetry)],
      [topics.event, JSON.stringify(events['flex-offer'])],
      [topics.request, JSON.stringify(appRequest)],
    ];
    const alphabet = '{}[]",:0123456789.-eE truefalsnul\\';
    for (let i = 0; i < 2000; i++) {
      const [topic, text] = sources[i % sources.length]!;
      const chars = [...text];
      const edits = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < edits; k++) chars[Math.floor(rnd() * chars.length)] = alphabet[Math.floor(rnd() * alphabet.length)]!;
      const mutated = chars.join('');
      let r: DecodeResult | undefined;
      expect(() => (r = decode(topic, mutated))).not.toThrow();
      if (r!.ok) expect(() => encode(topic, r!.ok ? r!.value.payload : null)).not.toThrow();
      else expect(codes.has(r!.error.code)).toBe(true);
    }
  });

  it('returns a rejection for random topics', () => {
    const rnd = mulberry32(99);
    const parts = ['evernet', 'v1', 'cust-1', 'car-1', '_app', '_helpdesk', 'request', 'telemetry', '+', '#', '', 'X'];
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(rnd() * 7);
      const topic = Array.from({ length: n }, () => parts[Math.floor(rnd() * parts.length)]!).join('/');
      expect(() => decode(topic, '{}')).not.toThrow();
    }
  });
});

describe('encode', () => {
  it('returns JSON that decodes to the same payload', () => {
    const text = encode(topics.washer, washerTelemetry);
    expect(JSON.parse(text)).toEqual(washerTelemetry);
    expect(accepted(decode(topics.washer, text)).payload).toEqual(washerTelemetry);
  });

  it('throws EVN_ERR_SCHEMA naming the field for a schema-invalid payload', () => {
    expect(() => encode(topics.car, withPath(carTelemetry, ['readings', 'voltageV'], -1))).toThrow(/EVN_ERR_SCHEMA.*readings\.voltageV/);
  });

  it('throws for a payload of another channel', () => {
    expect(() => encode(topics.command, carTelemetry)).toThrow(/EVN_ERR_SCHEMA/);
  });

  it('throws for a non-finite number, which JSON would turn into null', () => {
    expect(() => encode(topics.car, withPath(carTelemetry, ['readings', 'currentA'], Number.NaN))).toThrow(/EVN_ERR_SCHEMA/);
    expect(() => encode(topics.car, withPath(carTelemetry, ['readings', 'currentA'], Infinity))).toThrow(/EVN_ERR_SCHEMA/);
  });

  it('throws EVN_ERR_TOPIC for a topic outside the tree', () => {
    expect(() => encode('evernet/v1/cust-1/car-1/nope', carTelemetry)).toThrow(/EVN_ERR_TOPIC/);
  });

  it('only serialises with check: false (the hot path; the helpdesk checks on ingest)', () => {
    const bad = withPath(carTelemetry, ['readings', 'voltageV'], -1);
    expect(encode(topics.car, bad, { check: false })).toBe(JSON.stringify(bad));
  });
});

describe('stamp', () => {
  it('puts {v, ts, seq} in front of the body, in that order, and encode accepts the result', () => {
    const { v: _v, ts: _ts, seq: _seq, ...body } = washerTelemetry;
    const message = stamp(body, TS, 7);
    expect(Object.keys(message).slice(0, 3)).toEqual(['v', 'ts', 'seq']);
    expect(encode(topics.washer, message)).toBe(JSON.stringify(washerTelemetry));
  });
});
