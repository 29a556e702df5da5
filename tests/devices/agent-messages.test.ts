/**
 * What a message on a device agent's subscriptions is to it (devices/agent-messages.ts): a confirmation,
 * a command, or a rejection with the contract's code; a broken confirmation is told apart from a broken command.
 */
import { describe, expect, it } from 'vitest';
import { deviceTopic } from '../../contracts/index.js';
import { inbound } from '../../devices/agent-messages.js';

const T0 = Date.UTC(2020, 5, 1);
const command = deviceTopic('c1', 'car', 'command');
const ack = deviceTopic('c1', 'car', 'ack');
const bytes = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

describe('a message a device agent hears', () => {
  it('is a command it can apply, with its id', () => {
    const m = inbound(command, bytes({ v: 1, ts: T0, seq: 1, commandId: 'c-1', action: 'battery-saver', on: true }), false);
    expect(m).toMatchObject({ type: 'command', cmd: { commandId: 'c-1', action: 'battery-saver', on: true } });
  });

  it('is a confirmation on its ack topic, naming the seq and the connection', () => {
    expect(inbound(ack, bytes({ v: 1, ts: T0, seq: 3, upTo: 41, connection: 2 }), true)).toMatchObject({ type: 'ack', body: { upTo: 41, connection: 2 } });
  });

  it('is a rejected command with the contract’s code when it does not hold', () => {
    expect(inbound(command, bytes({ v: 1, ts: T0, seq: 1, commandId: 'c-1', action: 'self-destruct' }), false)).toMatchObject({ type: 'rejected', onAck: false, error: { code: 'EVN_ERR_SCHEMA' } });
    expect(inbound(command, Buffer.from('{'), true)).toMatchObject({ type: 'rejected', onAck: false, error: { code: 'EVN_ERR_JSON' } });
  });

  it('is a rejected confirmation, not a command, when a broken one comes on the ack topic of a device with acks', () => {
    expect(inbound(ack, Buffer.from('{'), true)).toMatchObject({ type: 'rejected', onAck: true, error: { code: 'EVN_ERR_JSON' } });
    // without acks it is not its confirmation: counted as a command rejected
    expect(inbound(ack, Buffer.from('{'), false)).toMatchObject({ type: 'rejected', onAck: false });
  });

  it('is rejected as not its topic when a valid message of another channel comes', () => {
    const availability = deviceTopic('c1', 'car', 'availability');
    const m = inbound(availability, bytes({ v: 1, ts: T0, seq: 1, state: 'online', kind: 'car-battery', reason: 'connected' }), false);
    expect(m).toMatchObject({ type: 'rejected', onAck: false, error: { code: 'EVN_ERR_TOPIC' } });
  });
});
