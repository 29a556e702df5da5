/**
 * What the helpdesk does about each kind of incident: a remote fix it can send, or the
 * product-service chain it offers when no remote fix exists; for a silent device, a message asking
 * the customer to check it; for an unusual reading, a ticket for staff only. Pure data and text.
 */
import type { CommandRequest, DeviceKind } from '../../contracts/index.js';

/** What a message to the customer may say about the device. */
export interface MessageContext {
  customer: string;
  deviceKind: DeviceKind;
  deviceName: string;
  evidence: Record<string, unknown>;
  /** an event time as the customer's local 'HH:MM' */
  hhmm: (at: number) => string;
}

export interface Play {
  /** short words for the customer message: "we noticed that <headline> (<what was observed>)" */
  headline: string;
  /** the whole message, when the headline's sentence does not fit */
  message?: (c: MessageContext) => string;
  /** a ticket for staff: the customer is not contacted, the evidence waits on the ticket */
  staffOnly?: boolean;
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
  'device-offline': {
    headline: 'one of your devices has stopped reporting',
    message: (c) => `Hello ${c.customer}, your ${SERVICE_FOR[c.deviceKind]} "${c.deviceName}" has not reported since ${c.hhmm(Number(c.evidence.lastHeardAt))}: ${OFFLINE_HINT[c.deviceKind]}.`,
    offer: 'none',
  },
  'reading-anomaly': {
    headline: 'a reading of one of your devices is unusual',
    staffOnly: true,
  },
};

/** what the customer can check when a device of this kind stops reporting */
export const OFFLINE_HINT: Record<DeviceKind, string> = {
  'car-battery': 'it may be parked where there is no mobile signal; if not, please check the adapter at the battery',
  fridge: 'please check that it has power and that its Wi-Fi works',
  washer: 'please check that it has power and that its Wi-Fi works',
};

export const FALLBACK_PLAY: Play = { headline: 'one of your devices needs attention', offer: 'technician' };

/**
 * Where a kind is repaired: a car is taken in to the workshop (and may get a replacement car while it
 * is in); a fridge or a washer is repaired at home by a technician the service sends.
 */
export const SERVICED_AT: Record<DeviceKind, 'workshop' | 'home'> = {
  'car-battery': 'workshop',
  fridge: 'home',
  washer: 'home',
};

export const SERVICE_FOR: Record<DeviceKind, string> = {
  'car-battery': 'car',
  fridge: 'fridge',
  washer: 'washing machine',
};
