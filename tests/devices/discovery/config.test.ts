/**
 * Discovery configs for every kind validate against Home Assistant's documented required keys,
 * device classes and units; templates read readings that exist; command templates render into
 * commands the contract accepts.
 */
import { describe, expect, it } from 'vitest';
import { decode, DEVICE_KINDS, deviceTopic, type DeviceKind } from '../../../contracts/index.js';
import { discoveryMessages, removalMessages } from '../../../devices/discovery/config.js';
import { KINDS } from '../../../devices/kinds/index.js';
import { renderCommandTemplate, renderValueTemplate, SCHEMAS } from './ha-schema.js';

const T = Date.UTC(2020, 10, 2, 8);
const device = (kind: DeviceKind) => ({ customerId: 'maria', deviceId: `my-${kind}`, kind, name: `Maria's ${kind}` });

/** A real telemetry payload of the kind, from its model. */
function telemetryOf(kind: DeviceKind): string {
  const m = KINDS[kind];
  const s = m.init(m.params.parse({}), 1, T);
  return JSON.stringify({ v: 1, ts: T + 1000, seq: 1, kind, readings: m.step(s, 1, T + 1000).readings });
}

describe('Home Assistant discovery configs', () => {
  it.each(DEVICE_KINDS)('%s: every config has the keys Home Assistant requires for its component', (kind) => {
    const messages = discoveryMessages(device(kind));
    expect(messages.length).toBeGreaterThan(3);
    for (const m of messages) {
      const match = /^homeassistant\/(sensor|binary_sensor|button|number)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/config$/.exec(m.topic);
      expect(match, m.topic).not.toBeNull();
      const component = match![1] as keyof typeof SCHEMAS;
      const r = SCHEMAS[component].safeParse(m.config);
      expect(r.success, `${m.topic}: ${r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`).toBe(true);
      expect(m.config!.device).toMatchObject({ identifiers: [`evernet_maria_my_${kind.replace('-', '_')}`], name: `Maria's ${kind}`, manufacturer: 'evernet' });
    }
  });

  it('gives every entity of every device its own unique id and topic', () => {
    const all = DEVICE_KINDS.flatMap((k) => [...discoveryMessages(device(k)), ...discoveryMessages({ ...device(k), deviceId: `other-${k}` })]);
    expect(new Set(all.map((m) => m.config!.unique_id)).size).toBe(all.length);
    expect(new Set(all.map((m) => m.topic)).size).toBe(all.length);
  });

  it.each(DEVICE_KINDS)('%s: state templates read real readings from the telemetry topic', (kind) => {
    const payload = telemetryOf(kind);
    for (const m of discoveryMessages(device(kind))) {
      const c = m.config!;
      if (!c.state_topic) continue;
      expect(c.state_topic).toBe(deviceTopic('maria', `my-${kind}`, 'telemetry'));
      const value = renderValueTemplate(c.value_template as string, payload);
      expect(value, `${m.topic} renders ${value}`).not.toBe('undefined');
      if (m.topic.includes('/binary_sensor/')) expect([c.payload_on, c.payload_off]).toContain(value);
      if (c.device_class === 'enum') expect(c.options).toContain(value);
    }
  });

  it.each(DEVICE_KINDS)('%s: command templates render commands the contract (and so the device) accepts', (kind) => {
    const commands = discoveryMessages(device(kind)).filter((m) => m.config!.command_topic);
    if (kind !== 'fridge') expect(commands.length).toBeGreaterThan(0);
    for (const m of commands) {
      const c = m.config!;
      expect(c.command_topic).toBe(deviceTopic('maria', `my-${kind}`, 'command'));
      const payload = renderCommandTemplate(c.command_template as string, T, 5);
      const r = decode(c.command_topic as string, payload);
      expect(r.ok, `${m.topic}: ${payload} ${r.ok ? '' : r.error.reason}`).toBe(true);
      // each command is one the kind's model accepts
      const model = KINDS[kind];
      const { v: _v, ts: _ts, seq: _s, ...body } = JSON.parse(payload);
      const state = model.init(model.params.parse({}), 1, T);
      const result = model.command(state, body, T);
      expect(result.code ?? 'ok').not.toBe('EVN_ERR_UNSUPPORTED_COMMAND');
    }
  });

  it('ties availability to the device availability topic and its JSON state', () => {
    for (const m of discoveryMessages(device('washer'))) {
      expect(m.config!.availability).toEqual([
        {
          topic: deviceTopic('maria', 'my-washer', 'availability'),
          value_template: '{{ value_json.state }}',
          payload_available: 'online',
          payload_not_available: 'offline',
        },
      ]);
    }
  });

  it('hides readings a board does not measure', () => {
    const topics = discoveryMessages({ ...device('car-battery'), hide: ['speedKmh', 'currentA'] }).map((m) => m.topic);
    expect(topics.some((t) => t.endsWith('/speed/config'))).toBe(false);
    expect(topics.some((t) => t.endsWith('/voltage/config'))).toBe(true);
  });

  it('removes a device with empty configs on the same topics', () => {
    const d = device('fridge');
    const removal = removalMessages(d);
    expect(removal.map((m) => m.topic)).toEqual(discoveryMessages(d).map((m) => m.topic));
    expect(removal.every((m) => m.config === null)).toBe(true);
  });
});
