/**
 * Real parts for the security tests: a helpdesk (startHelpdeskStack: SQLite in memory, the bundled
 * tariff, a one-customer directory) on a given broker, valid fridge telemetry, a raw TCP exchange with a
 * broker that writes exact bytes and reports whether the broker closed the connection, and a round trip
 * of two fresh mqtt.js clients that shows the broker still routes messages.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import mqtt from 'mqtt';
import { HELPDESK_FILTERS } from '../../contracts/topics.js';
import type { Directory } from '../../helpdesk/directory.js';
import type { Helpdesk } from '../../helpdesk/service.js';
import { silentLogger } from '../../log/logger.js';
import { VirtualClock } from '../../contracts/clock.js';
import { startHelpdeskStack } from '../../stack/helpdesk-stack.js';
import { connect as connectPacket, pingreq, type ConnectFields } from './mqtt-bytes.js';

export const T0 = Date.parse('2020-11-02T08:00:00+01:00');
export const FRIDGE_TELEMETRY = 'evernet/v1/maria/fridge/telemetry';

export const DIRECTORY: Directory = {
  customers: [
    {
      id: 'maria',
      name: 'Maria',
      home: { lat: 50.9413, lon: 6.9583 },
      preferences: { channels: ['app-push', 'sms', 'email'], quietHours: { from: '22:00', to: '07:00' }, timeZoneOffsetMinutes: 60 },
      devices: [
        { id: 'car', kind: 'car-battery', customerId: 'maria', name: "Maria's car" },
        { id: 'fridge', kind: 'fridge', customerId: 'maria', name: "Maria's fridge" },
        { id: 'washer', kind: 'washer', customerId: 'maria', name: "Maria's washing machine" },
      ],
    },
  ],
  stores: [],
  workshops: [],
};

export function fridgeTelemetry(seq: number, ts: number): string {
  return JSON.stringify({ v: 1, ts, seq, kind: 'fridge', readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 90 } });
}

export interface RunningHelpdesk {
  helpdesk: Helpdesk;
  clock: VirtualClock;
  stop(): Promise<void>;
}

export async function startHelpdesk(brokerUrl: string, credentials?: { username: string; password: string }): Promise<RunningHelpdesk> {
  const clock = new VirtualClock(T0);
  const stack = await startHelpdeskStack({
    brokerUrl,
    directory: DIRECTORY,
    clock,
    log: silentLogger(),
    // the clock stays at T0 while the corpus's readings move on: allow a month, not a century
    helpdesk: { maxClockSkewMs: 30 * 24 * 3600_000, ...(credentials ? { credentials } : {}) },
  });
  const { helpdesk } = stack;
  return {
    helpdesk,
    clock,
    stop: () => stack.stop(),
  };
}

/**
 * A fresh client subscribed to the helpdesk's filters gets what another fresh client publishes on
 * `topic` at QoS 1: the broker still routes messages. Waits for that exact payload, so retained
 * messages an attack left behind do not count.
 */
export async function roundTrip(url: string, publisher: mqtt.IClientOptions, subscriber: mqtt.IClientOptions, topic = FRIDGE_TELEMETRY): Promise<void> {
  const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...subscriber });
  const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...publisher });
  try {
    await sub.subscribeAsync([...HELPDESK_FILTERS], { qos: 1 });
    const payload = fridgeTelemetry(424242, T0);
    const got = new Promise<void>((resolve) => sub.on('message', (t, p) => t === topic && p.toString() === payload && resolve()));
    await pub.publishAsync(topic, payload, { qos: 1 });
    await within(got, 5000, `a round trip on ${topic}`);
  } finally {
    await pub.endAsync(true);
    await sub.endAsync(true);
  }
}

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface RawResult {
  /** the broker closed the connection */
  closed: boolean;
  /** the broker answered the PINGREQ written after the bytes: it read past them and the session works */
  ponged: boolean;
  /** the CONNACK return code of the session's CONNECT, when one was sent */
  connack?: number;
}

/**
 * Whether the bytes the broker sent hold a PINGRESP packet, read packet by packet (fixed header and
 * remaining length): the broker may send it in one write with other packets (retained messages for a
 * wide subscription), so it is not always the last two bytes of a chunk.
 */
function hasPingResp(bytes: Buffer): boolean {
  let i = 0;
  while (i + 2 <= bytes.length) {
    const type = bytes[i]!;
    let length = 0;
    let multiplier = 1;
    let j = i + 1;
    for (;;) {
      if (j >= bytes.length) return false;
      const b = bytes[j++]!;
      length += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) break;
      multiplier *= 128;
      if (multiplier > 128 ** 3) return false;
    }
    if (type === 0xd0 && length === 0) return true;
    i = j + length;
  }
  return false;
}

/**
 * Opens a TCP connection, optionally completes a CONNECT first, writes `bytes` and then a PINGREQ, and
 * waits until the broker closes the connection, answers the ping, or `waitMs` passes.
 */
export function rawExchange(port: number, bytes: Buffer, opts: { session?: ConnectFields; waitMs?: number } = {}): Promise<RawResult> {
  const waitMs = opts.waitMs ?? 1500;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let phase: 'connecting' | 'sent' = opts.session ? 'connecting' : 'sent';
    let connack: number | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean, ponged: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, ponged, ...(connack !== undefined ? { connack } : {}) });
    };
    const send = () => {
      phase = 'sent';
      received = Buffer.alloc(0);
      socket.write(Buffer.concat([bytes, pingreq()]), () => undefined);
      timer = setTimeout(() => finish(false, false), waitMs);
    };
    socket.on('connect', () => {
      if (opts.session) socket.write(connectPacket(opts.session));
      else send();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (phase === 'connecting') {
        if (received.length < 4) return;
        if (received[0] !== 0x20) return reject(new Error(`expected CONNACK, got ${received.subarray(0, 4).toString('hex')}`));
        connack = received[3]!;
        if (connack !== 0) return reject(new Error(`session CONNECT refused with ${connack}`));
        send();
      } else if (hasPingResp(received)) finish(false, true);
    });
    socket.on('error', () => finish(true, false));
    socket.on('close', () => (phase === 'connecting' && !settled ? reject(new Error('closed before CONNACK')) : finish(true, false)));
  });
}

/**
 * TCP connections the broker still holds on `port` (ESTABLISHED or CLOSE_WAIT on the server side), read
 * from the kernel's table: unlike aedes' own client counter, this cannot drift. Null where there is no
 * /proc/net/tcp (not Linux).
 */
export function serverConnections(port: number): number | null {
  let total = 0;
  let found = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    found = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const localPort = parseInt(cols[1]!.split(':')[1]!, 16);
      if (localPort === port && (cols[3] === '01' || cols[3] === '08')) total++;
    }
  }
  return found ? total : null;
}
