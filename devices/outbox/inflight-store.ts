/**
 * The packets an mqtt.js connection has sent and the broker has not yet acknowledged (its
 * `outgoingStore`), in the order they were sent: what mqtt.js sends again after a reconnect. It
 * behaves as mqtt.js's own Store (a packet put again under its message id keeps its place, a stream
 * of what is held at the moment it is asked for, emptied by close), over a ring instead of a Map:
 * a device holds a packet or two at a time, each for one round trip, and a Map allocated a new hash
 * table every few of them (ring.ts). Finding a message id is a pass over the few held.
 */
import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';
import { Ring } from './ring.js';

type Packet = Parameters<IStore['put']>[0];
type WithId = Pick<Packet, 'messageId'>;
type PacketCallback = (error?: Error, packet?: Packet) => void;

export class InflightStore implements IStore {
  private readonly held = new Ring<Packet>();

  private indexOf(messageId: number | undefined): number {
    for (let i = 0; i < this.held.size; i++) if (this.held.at(i)!.messageId === messageId) return i;
    return -1;
  }

  put(packet: Packet, cb?: (err?: Error) => void): this {
    const i = this.indexOf(packet.messageId);
    if (i < 0) this.held.push(packet);
    else this.held.set(i, packet);
    cb?.();
    return this;
  }

  createStream(): ReturnType<IStore['createStream']> {
    // what it holds now, one packet a read, as mqtt.js's own store gives them
    return Readable.from(this.held.toArray(), { objectMode: true }) as unknown as ReturnType<IStore['createStream']>;
  }

  del(packet: WithId, cb: PacketCallback): this {
    const i = this.indexOf(packet.messageId);
    if (i < 0) cb(new Error('missing packet'));
    else cb(undefined, this.held.removeAt(i));
    return this;
  }

  get(packet: WithId, cb: PacketCallback): this {
    const i = this.indexOf(packet.messageId);
    if (i < 0) cb(new Error('missing packet'));
    else cb(undefined, this.held.at(i));
    return this;
  }

  /** the connection ended for good (a clean session keeps nothing) */
  close(cb?: (err?: Error) => void): void {
    this.held.clear();
    cb?.();
  }

  get size(): number {
    return this.held.size;
  }
}
