/**
 * A helpdesk for the onboarding tests: startHelpdeskStack with an embedded broker on port 0 (open, or
 * secured with a credentials store), the dashboard on a loopback port, a staff account, a virtual
 * clock and a log the test can read. Devices are real mqtt.js clients: agents, or a raw client that
 * publishes what the test says.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CredentialStore } from '../../../broker/auth/credentials.js';
import { deviceTopic, encode, stamp, VirtualClock, type AnnounceBody, type DeviceChannel } from '../../../contracts/index.js';
import type { Helpdesk } from '../../../helpdesk/service.js';
import { startHelpdeskStack, type HelpdeskStack, type HelpdeskStackOptions } from '../../../stack/helpdesk-stack.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { until } from '../../helpers/until.js';

export const T0 = Date.parse('2026-11-30T08:00:00Z');
export const PASSWORD = 'correct horse battery';
const CHEAP = { N: 1024, r: 8, p: 1 };

export const FRIDGE_READINGS = { cabinetTempC: 4, ambientTempC: 21, setpointC: 4, doorOpen: false, compressorOn: true, powerW: 90 };
export const WASHER_READINGS = { phase: 'idle', powerW: 0, waterTempC: 20, waterLevelL: 0, drumRpm: 0, remainingS: 0 };
export const FRIDGE_ANNOUNCE: AnnounceBody = { kind: 'fridge', name: 'Board fridge', measures: ['cabinetTempC', 'doorOpen'], extra: [], reportEveryS: 1, source: 'board' };

/** a device as GET /api/v1/devices lists it */
export type DeviceJson = ReturnType<Helpdesk['devices']>[number];
/** what the device routes answer: a list, one device, or a coded error */
export interface ApiBody {
  devices?: DeviceJson[];
  device?: DeviceJson;
  error?: { code: string; message: string };
}

export interface Desk {
  stack: HelpdeskStack;
  clock: VirtualClock;
  lines: Array<Record<string, unknown>>;
  /** a logged-in staff member's requests to the dashboard API */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiBody }>;
  /** waits until the helpdesk received n messages in all, then processes what they said up to `at` */
  settle(n: number, at: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDesk(options: { db?: string; auth?: CredentialStore; helpdeskCredentials?: { username: string; password: string }; registry?: HelpdeskStackOptions['registry'] } = {}): Promise<Desk> {
  const { log, lines } = memoryLog('info');
  const clock = new VirtualClock(T0);
  const stack = await startHelpdeskStack({
    clock, log, db: options.db,
    ...(options.auth ? { broker: { auth: { credentials: options.auth } } } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    dashboard: { port: 0 },
    staff: { scrypt: CHEAP },
    helpdesk: { clientId: 'evernet-helpdesk-registry-test', ...(options.helpdeskCredentials ? { credentials: options.helpdeskCredentials } : {}) },
  });
  if (!stack.staff.names().includes('anna')) await stack.staff.add('anna', PASSWORD);
  const url = stack.dashboard!.url;
  const login = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'anna', password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf } = (await login.json()) as { csrf: string };
  return {
    stack, clock, lines,
    async api(method, path, body) {
      const headers: Record<string, string> = { cookie, accept: 'application/json' };
      if (method !== 'GET') headers['x-csrf-token'] = csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(`${url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as ApiBody };
    },
    async settle(n, at) {
      await until(() => stack.helpdesk.stats().received >= n, 5000, () => `${n} messages at the helpdesk (has ${stack.helpdesk.stats().received})`);
      clock.set(Math.max(clock.now(), at));
      stack.helpdesk.advance(at);
    },
    stop: () => stack.stop(),
  };
}

/** A device that publishes exactly what the test says, on its own connection. */
export async function rawDevice(brokerUrl: string, customerId: string, deviceId: string, options: IClientOptions = {}) {
  const client: MqttClient = await mqtt.connectAsync(brokerUrl, { clientId: `evernet-${customerId}-${deviceId}`, reconnectPeriod: 0, ...options });
  let seq = 0;
  const send = (channel: DeviceChannel, body: object, ts: number, retain = false) => {
    const topic = deviceTopic(customerId, deviceId, channel);
    return client.publishAsync(topic, encode(topic, stamp(body, ts, ++seq), { check: false }), { qos: 1, retain });
  };
  return {
    announce: (body: AnnounceBody, ts: number) => send('announce', body, ts, true),
    telemetry: (kind: string, readings: object, ts: number) => send('telemetry', { kind, readings }, ts),
    close: () => client.endAsync(),
  };
}
