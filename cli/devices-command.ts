/**
 * `evernet devices list|add|remove|accept|reject`: the helpdesk's device registry, on its database
 * file (--db, default the helpdesk's). Works while the helpdesk runs: it picks changes up within a
 * second. Lists go to stdout (--json for scripts); failures are one coded line and exit code 1.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { realClock } from '../contracts/clock.js';
import { silentLogger } from '../log/logger.js';
import {
  addDevice, createRegistry, DEVICE_STATES, openSqliteRegistryStore, removeDevice,
  type DeviceInput, type DeviceRecord, type Registry, type RegistryResult,
} from '../helpdesk/registry/index.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { natsUrlList } from './cluster-option.js';
import { changeOnCluster, devicesOnCluster } from './devices-cluster.js';
import { failed, UsageError } from './errors.js';
import { table } from './table.js';

export const DEVICES_USAGE = `usage: evernet devices list [--state active|pending|rejected] [--json] [--db FILE | --cluster NATS_URLS]
       evernet devices add CUSTOMER/DEVICE --kind KIND [--name NAME] [--measures R,R] [--extra R,R] [--report-every S] [--db FILE | --cluster NATS_URLS]
       evernet devices remove CUSTOMER/DEVICE [--db FILE | --cluster NATS_URLS]
       evernet devices accept|reject CUSTOMER/DEVICE [--by NAME] [--db FILE | --cluster NATS_URLS]
  --cluster  a running cluster's NATS URLs (comma-separated): its workers list and decide (docs/scale.md)`;

/** Opens the registry on the helpdesk's database, runs fn, closes it. */
export function withRegistry<T>(db: string | undefined, fn: (registry: Registry, path: string) => T): T {
  const path = db ?? defaultDbPath();
  const registry = createRegistry({ store: openSqliteRegistryStore({ path }), log: silentLogger() });
  try {
    return fn(registry, path);
  } finally {
    registry.close();
  }
}



const list = (s: string | undefined): string[] | undefined => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));
const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function parseKey(key: string | undefined): { customerId: string; deviceId: string } {
  const m = key === undefined ? null : /^([^/]+)\/([^/]+)$/.exec(key);
  if (!m) throw new UsageError(`name the device as CUSTOMER/DEVICE, e.g. maria/board-fridge${key === undefined ? '' : `, got '${key}'`}\n${DEVICES_USAGE}`);
  return { customerId: m[1]!, deviceId: m[2]! };
}

function printList(devices: DeviceRecord[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(devices, null, 2) + '\n');
    return;
  }
  if (!devices.length) {
    process.stdout.write('no devices\n');
    return;
  }
  const rows = devices.map((d) => [
    `${d.customerId}/${d.id}`, d.kind, d.state, d.origin, d.name, time(d.lastAnnounceAt), d.problem ? `${d.problem.code}: ${d.problem.detail}` : '-',
  ]);
  process.stdout.write(`${table([['DEVICE', 'KIND', 'STATE', 'ORIGIN', 'NAME', 'LAST ANNOUNCE', 'PROBLEM'], ...rows])}\n`);
}

function done(r: RegistryResult<DeviceRecord>, what: string, path: string): number {
  if (!r.ok) return failed(r);
  const d = r.value;
  const state = what === 'removed' ? '' : ` (now ${d.state})`;
  const where = what === 'added' ? 'to' : what === 'removed' ? 'from' : 'in';
  process.stderr.write(`${d.kind} ${d.customerId}/${d.id} ${what} ${where} ${path}${state}; a running helpdesk picks it up within a second\n`);
  return 0;
}

/** what `devices add` adds (checked by the registry, here or on a cluster's worker) */
function deviceInput(key: string | undefined, values: { kind?: string; name?: string; measures?: string; extra?: string; 'report-every'?: string }): DeviceInput {
  const { customerId, deviceId } = parseKey(key);
  if (!values.kind) throw new UsageError(`--kind is required (car-battery, fridge or washer)\n${DEVICES_USAGE}`);
  const every = values['report-every'] === undefined ? undefined : Number(values['report-every']);
  const input = { customerId, id: deviceId, kind: values.kind as DeviceRecord['kind'], name: values.name, measures: list(values.measures), extra: list(values.extra), reportEveryS: every };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as DeviceInput;
}

export async function devicesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      cluster: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      measures: { type: 'string' },
      extra: { type: 'string' },
      'report-every': { type: 'string' },
      state: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [verb, key, ...rest] = positionals;
  if (rest.length) throw new UsageError(`one device at a time; unexpected '${rest.join(' ')}'\n${DEVICES_USAGE}`);
  const now = realClock.now();
  if (values.cluster !== undefined && verb !== 'help') {
    if (values.db !== undefined) throw new UsageError(`--cluster and --db: one or the other (a cluster's workers hold its database)\n${DEVICES_USAGE}`);
    const natsUrls = natsUrlList(values.cluster);
    if (verb === 'add') return changeOnCluster<DeviceRecord>(natsUrls, { op: 'add-device', input: deviceInput(key, values) }, (d) => `${d.kind} ${d.customerId}/${d.id} added (now ${d.state})`);
    if (verb === 'remove') {
      const { customerId, deviceId } = parseKey(key);
      return changeOnCluster<DeviceRecord>(natsUrls, { op: 'remove-device', customerId, deviceId }, (d) => `${d.kind} ${d.customerId}/${d.id} removed`);
    }
    if (verb !== 'list' && verb !== 'accept' && verb !== 'reject') throw new UsageError(verb === undefined ? DEVICES_USAGE : `unknown verb '${verb}'\n${DEVICES_USAGE}`);
    const state = values.state;
    if (state !== undefined && !(DEVICE_STATES as readonly string[]).includes(state)) throw new UsageError(`--state must be one of ${DEVICE_STATES.join(', ')}, got '${state}'`);
    const target = verb === 'list' ? {} : parseKey(key);
    return devicesOnCluster({ verb, natsUrls, ...target, ...(state !== undefined ? { state } : {}), by: values.by ?? safeUser(), json: values.json ?? false });
  }
  switch (verb) {
    case 'help':
      process.stdout.write(`${DEVICES_USAGE}\n`);
      return 0;
    case 'list': {
      const state = values.state;
      if (state !== undefined && !(DEVICE_STATES as readonly string[]).includes(state)) throw new UsageError(`--state must be one of ${DEVICE_STATES.join(', ')}, got '${state}'`);
      return withRegistry(values.db, (registry) => {
        printList(registry.devices().filter((d) => state === undefined || d.state === state), values.json ?? false);
        return 0;
      });
    }
    case 'add':
      return withRegistry(values.db, (registry, path) => done(addDevice(registry, deviceInput(key, values), now), 'added', path));
    case 'remove': {
      const { customerId, deviceId } = parseKey(key);
      return withRegistry(values.db, (registry, path) => done(removeDevice(registry, customerId, deviceId), 'removed', path));
    }
    case 'accept':
    case 'reject': {
      const { customerId, deviceId } = parseKey(key);
      const by = values.by ?? safeUser();
      return withRegistry(values.db, (registry, path) =>
        done(verb === 'accept' ? registry.accept(customerId, deviceId, by, now) : registry.reject(customerId, deviceId, by, now), `${verb}ed by ${by}`, path),
      );
    }
    default:
      throw new UsageError(verb === undefined ? DEVICES_USAGE : `unknown verb '${verb}'\n${DEVICES_USAGE}`);
  }
}

export function safeUser(): string {
  try {
    return os.userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}
