/**
 * Home Assistant MQTT discovery messages for one device (pure): one retained config message per
 * entity under <prefix>/<component>/<node_id>/<object_id>/config, with device info, unique ids,
 * device classes and units. Availability points at the device's own availability topic, which its
 * agent keeps retained and its last will sets to offline; our payload is JSON, so a value_template
 * extracts `state` and compares it with payload_available / payload_not_available.
 */
import { deviceTopic, type DeviceKind } from '../../contracts/index.js';
import { ENTITIES, type Entity } from './entities.js';

export const DEFAULT_PREFIX = 'homeassistant';

export interface DiscoveryDevice {
  customerId: string;
  deviceId: string;
  kind: DeviceKind;
  /** shown in Home Assistant (default: "<kind> <deviceId>") */
  name?: string;
  /** e.g. "simulated" or "Arduino Uno, StandardFirmata.ino 2.5" */
  model?: string;
  /** readings this device does not really measure (hidden in Home Assistant) */
  hide?: readonly string[];
}

export interface DiscoveryMessage {
  topic: string;
  /** the config object; null for the empty payload that removes the entity */
  config: Record<string, unknown> | null;
}

/** Template parts that render the current time as event-time ms, and a command id from it. */
const NOW_MS = '{{ (as_timestamp(now()) * 1000) | int }}';

export const nodeId = (d: Pick<DiscoveryDevice, 'customerId' | 'deviceId'>) => `evernet_${d.customerId}_${d.deviceId}`.replace(/-/g, '_');

function entitiesOf(d: DiscoveryDevice): Entity[] {
  const hide = new Set(d.hide ?? []);
  return ENTITIES[d.kind].filter((e) => !('reading' in e) || !hide.has(e.reading));
}

/** A command template: Home Assistant renders it into a Command the contract accepts. */
export function commandTemplate(action: string, fields: Record<string, unknown> = {}, valueField?: string): string {
  const extra = Object.entries(fields).map(([k, v]) => `,"${k}":${JSON.stringify(v)}`).join('');
  const value = valueField ? `,"${valueField}":{{ value }}` : '';
  return `{"v":1,"ts":${NOW_MS},"seq":0,"commandId":"ha-${NOW_MS}","action":"${action}"${extra}${value}}`;
}

export function discoveryMessages(d: DiscoveryDevice, prefix = DEFAULT_PREFIX, version = '0.1.0'): DiscoveryMessage[] {
  const node = nodeId(d);
  const telemetry = deviceTopic(d.customerId, d.deviceId, 'telemetry');
  const command = deviceTopic(d.customerId, d.deviceId, 'command');
  const device = {
    identifiers: [node],
    name: d.name ?? `${d.kind} ${d.deviceId}`,
    manufacturer: 'evernet',
    model: `${d.kind}${d.model ? ` (${d.model})` : ''}`,
    sw_version: version,
  };
  const common = {
    availability: [
      {
        topic: deviceTopic(d.customerId, d.deviceId, 'availability'),
        value_template: '{{ value_json.state }}',
        payload_available: 'online',
        payload_not_available: 'offline',
      },
    ],
    device,
    origin: { name: 'evernet', sw_version: version },
    qos: 1,
  };
  return entitiesOf(d).map((e) => {
    const base: Record<string, unknown> = { name: e.name, unique_id: `${node}_${e.objectId}`, ...common };
    if (e.icon) base.icon = e.icon;
    if (e.entityCategory) base.entity_category = e.entityCategory;
    let config: Record<string, unknown>;
    switch (e.component) {
      case 'sensor':
        config = {
          ...base,
          state_topic: telemetry,
          value_template: `{{ value_json.readings.${e.reading} }}`,
          ...(e.deviceClass ? { device_class: e.deviceClass } : {}),
          ...(e.unit ? { unit_of_measurement: e.unit } : {}),
          ...(e.stateClass ? { state_class: e.stateClass } : {}),
          ...(e.options ? { options: [...e.options] } : {}),
        };
        break;
      case 'binary_sensor':
        config = {
          ...base,
          state_topic: telemetry,
          value_template: `{{ 'ON' if value_json.readings.${e.reading} else 'OFF' }}`,
          payload_on: 'ON',
          payload_off: 'OFF',
          ...(e.deviceClass ? { device_class: e.deviceClass } : {}),
        };
        break;
      case 'button':
        config = { ...base, command_topic: command, command_template: commandTemplate(e.action, e.fields), retain: false };
        break;
      case 'number':
        config = {
          ...base,
          command_topic: command,
          command_template: commandTemplate(e.action, {}, e.field),
          state_topic: telemetry,
          value_template: `{{ value_json.readings.${e.reading} }}`,
          min: e.min,
          max: e.max,
          step: e.step,
          mode: 'box',
          retain: false,
          ...(e.unit ? { unit_of_measurement: e.unit } : {}),
          ...(e.deviceClass ? { device_class: e.deviceClass } : {}),
        };
        break;
    }
    return { topic: `${prefix}/${e.component}/${node}/${e.objectId}/config`, config };
  });
}

/** The empty retained payloads that remove every entity of the device. */
export function removalMessages(d: DiscoveryDevice, prefix = DEFAULT_PREFIX): DiscoveryMessage[] {
  return discoveryMessages({ ...d, hide: [] }, prefix).map((m) => ({ topic: m.topic, config: null }));
}
