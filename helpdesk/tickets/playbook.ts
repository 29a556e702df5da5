/**
 * What the helpdesk does about each kind of incident: a remote fix it can send, or the
 * product-service chain it offers when no remote fix exists. Pure data and text.
 */
import type { CommandRequest, DeviceKind } from '../../contracts/index.js';

export interface Play {
  /** short words for the customer message */
  headline: string;
  /** sent to the device right after contacting the customer */
  remote?: CommandRequest;
  /** what the remote action does, for the resolution */
  remoteText?: string;
  /** offered on top of (or instead of) a remote fix */
  offer?: 'workshop' | 'technician' | 'none';
  /** when the offer applies even after a remote fix worked */
  offerAfterFix?: string;
}

export const PLAYBOOK: Record<string, Play> = {
  'battery-discharge': {
    headline: 'your car battery is discharging while you drive',
    remote: { action: 'battery-saver', on: true },
    remoteText: 'battery-saver mode switched on remotely (comfort loads shed)',
    offer: 'workshop',
    offerAfterFix: 'the alternator is not delivering its full output: a workshop check is offered',
  },
  'battery-parasitic': {
    headline: 'something drains your car battery while the car is parked',
    remote: { action: 'switch-off-consumer', consumer: 'accessory-circuit' },
    remoteText: 'the accessory circuit was switched off remotely',
    offer: 'workshop',
    offerAfterFix: 'a device on the accessory circuit draws power while parked: a workshop check is offered',
  },
  'battery-weak': {
    headline: 'your car battery is weakening: the engine may not start on a cold morning',
    offer: 'workshop',
  },
  'fridge-duty': {
    headline: 'your fridge works harder than it used to (a worn door seal or a door not closing)',
    offer: 'technician',
  },
  'fridge-warm': {
    headline: 'your fridge is not keeping its temperature',
    offer: 'technician',
  },
  'fridge-door-open': {
    headline: 'your fridge door has been open for several minutes',
    offer: 'none',
  },
  'washer-heater': {
    headline: 'your washing machine is not heating the water',
    offer: 'technician',
  },
  'washer-drain': {
    headline: 'your washing machine cannot drain',
    offer: 'technician',
  },
};

export const FALLBACK_PLAY: Play = { headline: 'one of your devices needs attention', offer: 'technician' };

export const SERVICE_FOR: Record<DeviceKind, string> = {
  'car-battery': 'car',
  fridge: 'fridge',
  washer: 'washing machine',
};
