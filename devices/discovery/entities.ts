/**
 * The Home Assistant entities each device kind exposes: readings as sensors and binary sensors
 * (state from the telemetry topic), commands as buttons and numbers (payload rendered by Home
 * Assistant from a command template into a contract-valid Command). Pure data.
 */
import { WASHER_PHASES, type CommandAction, type DeviceKind } from '../../contracts/index.js';

interface Base {
  /** object id in the discovery topic; [a-z0-9_] */
  objectId: string;
  name: string;
  icon?: string;
  entityCategory?: 'config' | 'diagnostic';
}
export interface SensorEntity extends Base {
  component: 'sensor';
  reading: string;
  deviceClass?: string;
  unit?: string;
  stateClass?: 'measurement';
  /** for device_class enum */
  options?: readonly string[];
}
export interface BinarySensorEntity extends Base {
  component: 'binary_sensor';
  reading: string;
  deviceClass?: string;
}
export interface ButtonEntity extends Base {
  component: 'button';
  action: CommandAction;
  /** extra command fields, JSON */
  fields?: Record<string, unknown>;
}
export interface NumberEntity extends Base {
  component: 'number';
  action: CommandAction;
  /** the command field the number's value goes into */
  field: string;
  reading: string;
  min: number;
  max: number;
  step: number;
  unit?: string;
  deviceClass?: string;
}
export type Entity = SensorEntity | BinarySensorEntity | ButtonEntity | NumberEntity;

const temperature = (reading: string, objectId: string, name: string): SensorEntity => ({
  component: 'sensor', reading, objectId, name, deviceClass: 'temperature', unit: '°C', stateClass: 'measurement',
});
const measure = (reading: string, objectId: string, name: string, deviceClass: string | undefined, unit: string): SensorEntity => ({
  component: 'sensor', reading, objectId, name, unit, stateClass: 'measurement', ...(deviceClass ? { deviceClass } : {}),
});

export const ENTITIES: Readonly<Record<DeviceKind, readonly Entity[]>> = {
  fridge: [
    temperature('cabinetTempC', 'cabinet_temperature', 'Cabinet temperature'),
    temperature('ambientTempC', 'ambient_temperature', 'Room temperature'),
    { component: 'binary_sensor', reading: 'doorOpen', objectId: 'door', name: 'Door', deviceClass: 'door' },
    { component: 'binary_sensor', reading: 'compressorOn', objectId: 'compressor', name: 'Compressor', deviceClass: 'running' },
    measure('powerW', 'power', 'Power', 'power', 'W'),
    {
      component: 'number', action: 'set-setpoint', field: 'celsius', reading: 'setpointC', objectId: 'setpoint', name: 'Setpoint',
      min: 0, max: 12, step: 0.5, unit: '°C', deviceClass: 'temperature', entityCategory: 'config',
    },
  ],
  'car-battery': [
    measure('voltageV', 'voltage', 'Battery voltage', 'voltage', 'V'),
    measure('currentA', 'current', 'Battery current', 'current', 'A'),
    measure('loadA', 'load', 'Electrical load', 'current', 'A'),
    temperature('temperatureC', 'temperature', 'Battery temperature'),
    measure('speedKmh', 'speed', 'Speed', 'speed', 'km/h'),
    { component: 'binary_sensor', reading: 'engineRunning', objectId: 'engine', name: 'Engine', deviceClass: 'running' },
    { component: 'binary_sensor', reading: 'batterySaver', objectId: 'battery_saver', name: 'Battery saver', icon: 'mdi:battery-heart-variant' },
    { component: 'button', action: 'battery-saver', fields: { on: true }, objectId: 'battery_saver_on', name: 'Battery saver on', icon: 'mdi:battery-heart-variant' },
    { component: 'button', action: 'battery-saver', fields: { on: false }, objectId: 'battery_saver_off', name: 'Battery saver off', icon: 'mdi:battery-outline' },
  ],
  washer: [
    { component: 'sensor', reading: 'phase', objectId: 'phase', name: 'Phase', deviceClass: 'enum', options: WASHER_PHASES, icon: 'mdi:washing-machine' },
    measure('powerW', 'power', 'Power', 'power', 'W'),
    temperature('waterTempC', 'water_temperature', 'Water temperature'),
    measure('waterLevelL', 'water_level', 'Water level', 'volume_storage', 'L'),
    measure('drumRpm', 'drum_speed', 'Drum speed', undefined, 'rpm'),
    { component: 'sensor', reading: 'remainingS', objectId: 'remaining', name: 'Time remaining', deviceClass: 'duration', unit: 's' },
    { component: 'button', action: 'start', objectId: 'start', name: 'Start', icon: 'mdi:play' },
    { component: 'button', action: 'pause', objectId: 'pause', name: 'Pause', icon: 'mdi:pause' },
  ],
};
