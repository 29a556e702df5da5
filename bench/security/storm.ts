/**
 * Connect storm: `devices` devices connect at once (a bounded number in flight) to a fresh broker,
 * with real authentication (scrypt at the production cost) or anonymously; the time until all are
 * connected, and how much the broker's heap grew holding them.
 */
import { credentialStoreOf } from '../../broker/auth/credentials.js';
import type { CredentialsFile } from '../../broker/auth/credentials-file.js';
import { DEFAULT_COST, generateSecret, hashSecret } from '../../broker/auth/secret.js';
import { createBroker } from '../../broker/server.js';
import type { Clients } from './child.js';
import { stormUsername } from './clients.js';
import { heapMb } from './memory.js';

export interface StormResult {
  devices: number;
  seconds: number;
  connectsPerSecond: number;
  brokerHeapMb: number;
  failed: number;
}

/**
 * Every identity gets its own entry, but all share one secret and hence one hash: hashing 10,000
 * secrets would take minutes before the storm starts, and a login costs the same scrypt run whatever
 * hash it checks against (the parameters travel with the hash and are the production ones).
 */
async function credentialsFor(devices: number): Promise<{ secret: string; file: CredentialsFile }> {
  const secret = generateSecret();
  const hash = await hashSecret(secret, DEFAULT_COST);
  const createdAt = new Date(0).toISOString();
  const identities: CredentialsFile['identities'] = {};
  for (let i = 0; i < devices; i++) identities[stormUsername(i)] = { role: 'device', secret: hash, createdAt };
  return { secret, file: { version: 1, identities } };
}

export async function connectStorm(clients: Clients, opts: { devices: number; authenticated: boolean; concurrency: number }): Promise<StormResult> {
  const creds = opts.authenticated ? await credentialsFor(opts.devices) : null;
  const broker = await createBroker({ port: 0, ...(creds ? { auth: { credentials: credentialStoreOf(creds.file) } } : {}) }).start();
  try {
    const before = await heapMb();
    const r = await clients.ask({ type: 'storm', url: broker.url, count: opts.devices, concurrency: opts.concurrency, secret: creds?.secret ?? null }, 'stormed');
    if (r.failed > 0) process.stderr.write(`bench: storm: ${r.failed} of ${opts.devices} connects failed (first: ${r.firstError})\n`);
    const held = broker.stats().clients;
    if (held < r.connected) process.stderr.write(`bench: storm: broker holds ${held} of ${r.connected} clients\n`);
    const after = await heapMb();
    await clients.ask({ type: 'release' }, 'released');
    return { devices: r.connected, seconds: r.seconds, connectsPerSecond: r.connected / r.seconds, brokerHeapMb: after - before, failed: r.failed };
  } finally {
    await broker.stop();
  }
}
