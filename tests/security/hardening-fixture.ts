/**
 * Parts for the hardening tests: real mqtt.js clients that connect from a chosen loopback address
 * (127.0.0.0/8 is all loopback on Linux, so each address is a "source" of its own), a pino logger that
 * keeps its JSON lines in memory, credentials at a chosen scrypt cost, and a frozen clock the test moves.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { credentialStoreOf, type CredentialStore } from '../../broker/auth/credentials.js';
import type { CredentialsFile } from '../../broker/auth/credentials-file.js';
import { identityOf, type Role } from '../../broker/auth/identity.js';
import { hashSecret, type ScryptCost } from '../../broker/auth/secret.js';
import { createLogger } from '../../log/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  code?: string;
  [key: string]: unknown;
}

/** a logger whose lines (and their total size in bytes) stay in memory */
export function memoryLog(): { log: Logger; lines: LogLine[]; bytes: () => number; text: () => string } {
  const raw: string[] = [];
  let bytes = 0;
  const destination = new Writable({
    write(chunk, _enc, cb) {
      const s = String(chunk);
      bytes += Buffer.byteLength(s);
      raw.push(s);
      cb();
    },
  });
  const log = createLogger({ clock: { now: () => 0 }, destination: destination as never });
  return {
    log,
    get lines() {
      return raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
    },
    bytes: () => bytes,
    text: () => raw.join(''),
  };
}

/** a clock frozen at `t` until the test moves it */
export function testClock(t = Date.parse('2020-11-02T08:00:00Z')) {
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** credentials for `names`, each with a secret `secret-<name>` hashed at `cost` */
export async function credentialsAt(names: Array<[string, Role?]>, cost: ScryptCost): Promise<{ store: CredentialStore; secret: (u: string) => string }> {
  const identities: CredentialsFile['identities'] = {};
  for (const [username, role] of names) {
    const r = identityOf(username, role);
    if (!r.ok) throw new Error(r.reason);
    identities[username] = { role: r.identity.role, secret: await hashSecret(`secret-${username}`, cost), createdAt: new Date(0).toISOString() };
  }
  return { store: credentialStoreOf({ version: 1, identities }), secret: (u) => `secret-${u}` };
}

/** an mqtt.js client whose TCP connection starts from `localAddress` */
export function clientFrom(localAddress: string, url: string, options: IClientOptions): MqttClient {
  const { hostname, port } = new URL(url);
  return new mqtt.MqttClient(() => net.connect({ host: hostname, port: Number(port), localAddress }), {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 60_000,
    ...options,
  });
}

/** one CONNECT from `localAddress`: the CONNACK return code (0 = accepted; -1 = closed without one) */
export function attemptFrom(localAddress: string, url: string, options: IClientOptions): Promise<number> {
  return new Promise((resolve) => {
    const c = clientFrom(localAddress, url, options);
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      c.end(true);
      resolve(code);
    };
    c.once('connect', () => finish(0));
    c.once('error', (e: Error & { code?: number }) => finish(typeof e.code === 'number' ? e.code : -1));
    c.once('close', () => finish(-1));
  });
}

/** the same, resolving with the connected client (rejects with the return code) */
export function connectFrom(localAddress: string, url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = clientFrom(localAddress, url, options);
    c.once('connect', () => resolve(c));
    c.once('error', (e: Error & { code?: number }) => {
      c.end(true);
      reject(Object.assign(new Error(`refused: ${e.message}`), { code: e.code }));
    });
  });
}

export const waitFor = async (what: () => boolean, tries = 300, ms = 10): Promise<boolean> => {
  for (let i = 0; i < tries; i++) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return what();
};
