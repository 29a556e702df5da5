/**
 * Home Assistant's documented requirements for MQTT discovery configs, as zod schemas (from
 * home-assistant.io/integrations/{sensor,binary_sensor,button,number}.mqtt and
 * home-assistant.io/integrations/mqtt#discovery-messages): the required key per component
 * (state_topic for sensor and binary_sensor, command_topic for button and number), a device needs
 * unique_id and identifiers or connections, availability entries need a topic, and each device
 * class has the units Home Assistant accepts for it.
 */
import { z } from 'zod';

const Topic = z.string().min(1).refine((t) => !/[#+]/.test(t), 'a topic to publish or subscribe to has no wildcards');
const Device = z
  .object({
    identifiers: z.array(z.string().min(1)).min(1).optional(),
    connections: z.array(z.tuple([z.string(), z.string()])).min(1).optional(),
    name: z.string().optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    sw_version: z.string().optional(),
  })
  .refine((d) => d.identifiers || d.connections, 'a device needs identifiers or connections');
const Availability = z.object({
  topic: Topic,
  payload_available: z.string().optional(),
  payload_not_available: z.string().optional(),
  value_template: z.string().optional(),
});
const Common = {
  name: z.string().nullable().optional(),
  unique_id: z.string().min(1),
  device: Device,
  availability: z.array(Availability).min(1).optional(),
  availability_topic: Topic.optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  icon: z.string().regex(/^mdi:/).optional(),
  entity_category: z.enum(['config', 'diagnostic']).optional(),
  origin: z.object({ name: z.string() }).passthrough().optional(),
};

/** device class -> accepted units (home-assistant.io/integrations/sensor#device-class) */
export const SENSOR_UNITS: Record<string, readonly string[] | null> = {
  temperature: ['°C', '°F', 'K'],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
  current: ['A', 'mA'],
  power: ['W', 'kW', 'MW', 'GW', 'TW', 'mW', 'BTU/h'],
  speed: ['km/h', 'm/s', 'mph', 'kn', 'ft/s', 'in/h', 'in/s', 'mm/d', 'mm/h', 'mm/s', 'Beaufort'],
  duration: ['d', 'h', 'min', 's', 'ms', 'µs'],
  volume_storage: ['L', 'mL', 'gal', 'fl. oz.', 'm³', 'ft³', 'CCF', 'MCF'],
  enum: null,
};
export const BINARY_SENSOR_CLASSES = ['battery', 'battery_charging', 'door', 'opening', 'power', 'problem', 'running', 'window', 'plug'] as const;

export const SensorConfig = z
  .object({
    ...Common,
    state_topic: Topic,
    value_template: z.string().optional(),
    device_class: z.string().optional(),
    unit_of_measurement: z.string().optional(),
    state_class: z.enum(['measurement', 'total', 'total_increasing']).optional(),
    options: z.array(z.string()).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.device_class === undefined) return;
    if (!(c.device_class in SENSOR_UNITS)) return ctx.addIssue({ code: 'custom', message: `unknown sensor device_class ${c.device_class}` });
    const units = SENSOR_UNITS[c.device_class];
    if (units === null) {
      if (!c.options?.length) ctx.addIssue({ code: 'custom', message: 'an enum sensor needs options' });
      if (c.unit_of_measurement || c.state_class) ctx.addIssue({ code: 'custom', message: 'an enum sensor has no unit or state_class' });
    } else if (units && !units.includes(c.unit_of_measurement ?? '')) {
      ctx.addIssue({ code: 'custom', message: `${c.device_class} needs one of ${units.join(', ')}, got ${c.unit_of_measurement}` });
    }
  });
export const BinarySensorConfig = z.object({
  ...Common,
  state_topic: Topic,
  value_template: z.string().optional(),
  payload_on: z.string().optional(),
  payload_off: z.string().optional(),
  device_class: z.enum(BINARY_SENSOR_CLASSES).optional(),
});
export const ButtonConfig = z.object({ ...Common, command_topic: Topic, command_template: z.string().optional(), payload_press: z.string().optional(), retain: z.boolean().optional() });
export const NumberConfig = z
  .object({
    ...Common,
    command_topic: Topic,
    command_template: z.string().optional(),
    state_topic: Topic.optional(),
    value_template: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().positive().optional(),
    mode: z.enum(['auto', 'box', 'slider']).optional(),
    unit_of_measurement: z.string().optional(),
    device_class: z.string().optional(),
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min < c.max, 'min must be below max');

export const SCHEMAS = { sensor: SensorConfig, binary_sensor: BinarySensorConfig, button: ButtonConfig, number: NumberConfig } as const;

/** The tiny part of Home Assistant's Jinja our templates use: value_json paths and 'A' if x else 'B'. */
export function renderValueTemplate(template: string, payload: string): string {
  const json = JSON.parse(payload) as unknown;
  const get = (path: string) => path.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], json);
  const cond = /^\{\{ '(\w+)' if (value_json[\w.]*) else '(\w+)' \}\}$/.exec(template);
  if (cond) return get(cond[2]!) ? cond[1]! : cond[3]!;
  const plain = /^\{\{ (value_json[\w.]*) \}\}$/.exec(template);
  if (plain) return String(get(plain[1]!));
  throw new Error(`template outside the tested subset: ${template}`);
}

/** Renders a command template as Home Assistant would at time `nowMs` with the entity's value. */
export function renderCommandTemplate(template: string, nowMs: number, value?: number): string {
  return template.replaceAll('{{ (as_timestamp(now()) * 1000) | int }}', String(nowMs)).replaceAll('{{ value }}', String(value));
}
