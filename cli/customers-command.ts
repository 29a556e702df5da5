/**
 * `evernet customers list|add|remove`: the customers of the helpdesk's device registry, on its
 * database file (--db, default the helpdesk's). A device needs its customer first.
 */
import { parseArgs } from 'node:util';
import { realClock } from '../contracts/clock.js';
import { addCustomer, removeCustomer, type CustomerInput, type CustomerRecord } from '../helpdesk/registry/index.js';
import { failed, withRegistry } from './devices-command.js';
import { table } from './table.js';
import { UsageError } from './errors.js';

export const CUSTOMERS_USAGE = `usage: evernet customers list [--json] [--db FILE]
       evernet customers add ID [--name NAME] [--time-zone ZONE] [--channels C,C] [--phone P] [--email E]
                             [--home LAT,LON] [--quiet-hours HH:MM-HH:MM] [--db FILE]
       evernet customers remove ID [--with-devices] [--db FILE]`;

function home(s: string | undefined): CustomerInput['home'] {
  if (s === undefined) return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  if (!m) throw new UsageError(`--home must be LAT,LON in degrees, e.g. 50.94,6.96; got '${s}'`);
  return { lat: Number(m[1]), lon: Number(m[2]) };
}

function quiet(s: string | undefined): CustomerInput['quietHours'] {
  if (s === undefined) return undefined;
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(s);
  if (!m) throw new UsageError(`--quiet-hours must be HH:MM-HH:MM, e.g. 22:00-07:00; got '${s}'`);
  return { from: m[1]!, to: m[2]! };
}

function printList(customers: Array<CustomerRecord & { devices: number }>, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(customers, null, 2) + '\n');
    return;
  }
  if (!customers.length) {
    process.stdout.write('no customers\n');
    return;
  }
  const rows = customers.map((c) => [c.id, c.state, c.origin, c.timeZone ?? '-', String(c.devices), c.preferences.channels.join(','), c.name]);
  process.stdout.write(`${table([['CUSTOMER', 'STATE', 'ORIGIN', 'TIME ZONE', 'DEVICES', 'CHANNELS', 'NAME'], ...rows])}\n`);
}

export async function customersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      name: { type: 'string' },
      'time-zone': { type: 'string' },
      channels: { type: 'string' },
      phone: { type: 'string' },
      email: { type: 'string' },
      home: { type: 'string' },
      'quiet-hours': { type: 'string' },
      'with-devices': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const [verb, id, ...rest] = positionals;
  if (rest.length) throw new UsageError(`one customer at a time; unexpected '${rest.join(' ')}'\n${CUSTOMERS_USAGE}`);
  if (verb === 'help') {
    process.stdout.write(`${CUSTOMERS_USAGE}\n`);
    return 0;
  }
  if (verb === 'list') {
    return withRegistry(values.db, (registry) => {
      printList(registry.customers().map((c) => ({ ...c, devices: registry.devicesOf(c.id).length })), values.json ?? false);
      return 0;
    });
  }
  if ((verb !== 'add' && verb !== 'remove') || !id) throw new UsageError(verb === undefined || ['add', 'remove'].includes(verb) ? CUSTOMERS_USAGE : `unknown verb '${verb}'\n${CUSTOMERS_USAGE}`);
  if (verb === 'remove') {
    return withRegistry(values.db, (registry, path) => {
      const r = removeCustomer(registry, id, { withDevices: values['with-devices'] ?? false });
      if (!r.ok) return failed(r);
      const gone = r.value.devices.length ? ` with ${r.value.devices.map((d) => d.id).join(', ')}` : '';
      process.stderr.write(`customer '${id}' removed from ${path}${gone}\n`);
      return 0;
    });
  }
  const input: CustomerInput = {
    id,
    name: values.name,
    timeZone: values['time-zone'],
    channels: values.channels?.split(',').map((c) => c.trim()) as CustomerInput['channels'],
    phone: values.phone,
    email: values.email,
    home: home(values.home),
    quietHours: quiet(values['quiet-hours']),
  };
  return withRegistry(values.db, (registry, path) => {
    const r = addCustomer(registry, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as CustomerInput, realClock.now());
    if (!r.ok) return failed(r);
    process.stderr.write(`customer '${id}' added to ${path}; add devices with: evernet devices add ${id}/DEVICE --kind KIND\n`);
    return 0;
  });
}
