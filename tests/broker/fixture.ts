/**
 * A secured broker on port 0 with a throw-away credentials file (cheap scrypt cost), and helpers to
 * connect real mqtt.js clients as one of its identities.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { addIdentity, openCredentialStore, type FileCredentialStore } from '../../broker/auth/credentials.js';
import { emptyCredentialsFile, writeCredentialsFile, type CredentialsFile } from '../../broker/auth/credentials-file.js';
import { clientIdRule, identityOf, type Role } from '../../broker/auth/identity.js';
import { createBroker, type BrokerOptions, type RunningBroker } from '../../broker/server.js';
import { parseTopic } from '../../contracts/topics.js';

export const T0 = Date.parse('2020-11-02T08:00:00+01:00');
export const CHEAP = { N: 1024, r: 8, p: 1 };

export interface SecureBroker {
  broker: RunningBroker;
  store: FileCredentialStore;
  file: string;
  data: CredentialsFile;
  secrets: Map<string, string>;
  /** connects as `username` with its own secret and client id, unless overridden */
  connect(username: string, options?: IClientOptions, url?: string): Promise<MqttClient>;
  /** a connection attempt that may be refused: the CONNACK return code, or 0 when accepted */
  attempt(options: IClientOptions, url?: string): Promise<number>;
  /** writes new credentials and reloads the store */
  update(data: CredentialsFile): void;
  stop(): Promise<void>;
}

export function defaultClientId(username: string, role?: Role): string {
  const r = identityOf(username, role);
  if (!r.ok) throw new Error(r.reason);
  const rule = clientIdRule(r.identity);
  return 'exact' in rule ? rule.exact : `${rule.prefix}-test`;
}

export async function secureBroker(identities: Array<[string, Role?]>, options: Partial<BrokerOptions> = {}): Promise<SecureBroker> {
  let data = emptyCredentialsFile();
  const secrets = new Map<string, string>();
  for (const [username, role] of identities) {
    const r = await addIdentity(data, username, role, { now: T0, cost: CHEAP });
    if (!r.ok) throw new Error(r.error.message);
    data = r.value.file;
    secrets.set(username, r.value.secret);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evernet-broker-'));
  const file = path.join(dir, 'credentials.json');
  const written = writeCredentialsFile(file, data);
  if (!written.ok) throw new Error(written.error.message);
  const opened = openCredentialStore(file);
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  const broker = await createBroker({ port: 0, ...options, auth: { credentials: store } }).start();
  const roles = new Map<string, Role | undefined>(identities.map(([u, r]) => [u, r]));

  const attempt = (opts: IClientOptions, url = broker.url) =>
    mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts }).then(
      async (c) => {
        await c.endAsync(true);
        return 0;
      },
      (e: Error & { code?: number }) => e.code ?? -1,
    );

  return {
    broker,
    store,
    file,
    data,
    secrets,
    connect: (username, opts = {}, url = broker.url) =>
      mqtt.connectAsync(url, {
        clientId: defaultClientId(username, roles.get(username)),
        username,
        password: secrets.get(username),
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...opts,
      }),
    attempt,
    update(next) {
      const w = writeCredentialsFile(file, next);
      if (!w.ok) throw new Error(w.error.message);
      const r = store.reload();
      if (!r.ok) throw new Error(r.error.message);
    },
    async stop() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A payload the contract accepts on `topic` (so only the ACL can stop it). */
export function validPayload(topic: string, seq = 1): string {
  const env = { v: 1, ts: T0, seq };
  const t = parseTopic(topic);
  switch (t?.channel) {
    case 'telemetry':
      return JSON.stringify({ ...env, kind: 'fridge', readings: { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 90 } });
    case 'event':
      return JSON.stringify({ ...env, type: 'trip', state: 'started' });
    case 'command':
      return JSON.stringify({ ...env, commandId: `c-${seq}`, action: 'report-inventory' });
    case 'availability':
      return JSON.stringify({ ...env, state: 'offline', kind: 'fridge', reason: 'disconnected' });
    case 'request':
      return JSON.stringify({ ...env, type: 'recipe', requestId: `r-${seq}`, recipe: { name: 'soup', ingredients: [{ name: 'leek', quantity: 1, unit: 'pc' }] }, location: { lat: 52.5, lon: 13.4 } });
    case 'answer':
      return JSON.stringify({ ...env, requestId: `r-${seq}`, recipe: 'soup', missing: [], store: null, text: 'all there' });
    case 'contact':
      return JSON.stringify({ ...env, ticketId: 't-1', deviceId: 'fridge', channel: 'sms', text: 'hello' });
    case 'ticket':
      return JSON.stringify({ ...env, ticketId: 't-1', deviceId: 'fridge', kind: 'door-open', severity: 'low', state: 'opened', note: '' });
    default:
      return '{}';
  }
}

/** Resolves when the client's connection closes (or after `ms`, with false). */
export function closed(client: MqttClient, ms = 3000): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
