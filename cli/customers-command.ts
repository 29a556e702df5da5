/**
 * `evernet customers list|add|remove`: the customers of the helpdesk's device registry, on its
 * database file (--db, default the helpdesk's). A device needs its customer first.
 * `evernet customers consent|export|erase ID`: what the customer consented to (read-only), everything
 * evernet holds about them as one JSON document, and their erasure (helpdesk/customers); each is
 * written to the customer's audit log with --by (default the user's login name).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { realClock } from '../contracts/clock.js';
import { silentLogger } from '../log/logger.js';
import { createCustomers, type Customers } from '../helpdesk/customers/customers.js';
import { openSqliteCustomerStore } from '../helpdesk/customers/sqlite-store.js';
import { addCustomer, removeCustomer, type CustomerInput, type CustomerRecord, type Registry } from '../helpdesk/registry/index.js';
import { openSqliteTelemetryStore } from '../helpdesk/telemetry/sqlite-store.js';
import { openSqliteStore } from '../helpdesk/tickets/sqlite-store.js';
import { checkOutputPath } from './output-path.js';
import { safeUser, withRegistry } from './devices-command.js';
import { customersOnCluster } from './customers-cluster.js';
import { printCustomers } from './customer-table.js';
import { natsUrlList } from './cluster-option.js';
import { changeOnCluster } from './devices-cluster.js';
import { failed, UsageError } from './errors.js';

export const CUSTOMERS_USAGE = `usage: evernet customers list [--json] [--db FILE | --cluster NATS_URLS]
       evernet customers add ID [--name NAME] [--time-zone ZONE] [--channels C,C] [--phone P] [--email E]
                             [--home LAT,LON] [--quiet-hours HH:MM-HH:MM] [--db FILE | --cluster NATS_URLS]
       evernet customers remove ID [--with-devices] [--db FILE | --cluster NATS_URLS]
       evernet customers consent ID [--by NAME] [--db FILE | --cluster NATS_URLS]
       evernet customers export ID [--out FILE] [--by NAME] [--db FILE | --cluster NATS_URLS]
       evernet customers erase ID [--by NAME] [--db FILE | --cluster NATS_URLS]
  --cluster  a running cluster's NATS URLs (comma-separated): the worker serving the customer answers (docs/scale.md)`;

/** The customer side on the helpdesk's database (registry, tickets, telemetry, consent): runs fn, closes them. */
function withCustomers<T>(db: string | undefined, fn: (customers: Customers, registry: Registry, path: string) => T): T {
  return withRegistry(db, (registry, path) => {
    const tickets = openSqliteStore({ path });
    const telemetry = openSqliteTelemetryStore({ path, check: false });
    const store = openSqliteCustomerStore({ path, check: false });
    try {
      const reader = { range: telemetry.raw, minutes: telemetry.minutes, forget: telemetry.forget };
      return fn(createCustomers({ store, registry, tickets, telemetry: reader, log: silentLogger() }), registry, path);
    } finally {
      store.close();
      telemetry.close();
      tickets.close();
    }
  });
}

/** consent, export or erase: one coded line and exit code 1 on failure */
function customerData(verb: 'consent' | 'export' | 'erase', id: string, values: { db?: string; out?: string; by?: string }): number {
  const by = values.by ?? safeUser();
  if (values.out !== undefined) checkOutputPath(values.out, '--out');
  return withCustomers(values.db, (customers, _registry, path) => {
    const now = realClock.now();
    if (verb === 'erase') {
      const r = customers.erase(id, by, 'cli customers erase', now);
      if (!r.ok) return failed({ ok: false, error: r.error });
      const c = r.value.counts;
      process.stderr.write(`customer '${id}' erased from ${path} by ${by}: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      return 0;
    }
    const r = verb === 'consent' ? customers.consent(id) : customers.export(id, by, 'cli customers export', now);
    if (!r.ok) return failed({ ok: false, error: r.error });
    if (verb === 'consent') customers.audit({ customerId: id, at: now, by, action: 'cli customers consent', detail: {} });
    const json = `${JSON.stringify(r.value, null, 2)}\n`;
    if (values.out === undefined) process.stdout.write(json);
    else {
      writeFileSync(values.out, json, { mode: 0o600 });
      process.stderr.write(`${verb} of customer '${id}' written to ${values.out}\n`);
    }
    return 0;
  });
}

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

/** what `customers add` adds (checked by the registry, here or on a cluster's worker) */
function customerInput(id: string, values: { name?: string; 'time-zone'?: string; channels?: string; phone?: string; email?: string; home?: string; 'quiet-hours'?: string }): CustomerInput {
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
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as CustomerInput;
}

export async function customersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      cluster: { type: 'string' },
      name: { type: 'string' },
      'time-zone': { type: 'string' },
      channels: { type: 'string' },
      phone: { type: 'string' },
      email: { type: 'string' },
      home: { type: 'string' },
      'quiet-hours': { type: 'string' },
      'with-devices': { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      by: { type: 'string' },
    },
  });
  const [verb, id, ...rest] = positionals;
  if (rest.length) throw new UsageError(`one customer at a time; unexpected '${rest.join(' ')}'\n${CUSTOMERS_USAGE}`);
  if (verb === 'help') {
    process.stdout.write(`${CUSTOMERS_USAGE}\n`);
    return 0;
  }
  if (values.cluster !== undefined) {
    if (values.db !== undefined) throw new UsageError(`--cluster and --db: one or the other (a cluster's workers hold its database)\n${CUSTOMERS_USAGE}`);
    if (verb !== 'list' && !id) throw new UsageError(CUSTOMERS_USAGE);
    const natsUrls = natsUrlList(values.cluster);
    if (verb === 'add') return changeOnCluster<CustomerRecord>(natsUrls, { op: 'add-customer', input: customerInput(id!, values) }, (c) => `customer '${c.id}' added`);
    if (verb === 'remove') {
      return changeOnCluster<{ devices: Array<{ id: string }> }>(natsUrls, { op: 'remove-customer', customerId: id!, withDevices: values['with-devices'] ?? false }, (r) => `customer '${id}' removed${r.devices.length ? ` with ${r.devices.map((d) => d.id).join(', ')}` : ''}`);
    }
    if (verb !== 'list' && verb !== 'consent' && verb !== 'export' && verb !== 'erase') throw new UsageError(`unknown verb '${verb}'\n${CUSTOMERS_USAGE}`);
    if (values.out !== undefined) checkOutputPath(values.out, '--out');
    return customersOnCluster({ verb, natsUrls, ...(id ? { id } : {}), by: values.by ?? safeUser(), json: values.json ?? false, ...(values.out !== undefined ? { out: values.out } : {}) });
  }
  if (verb === 'list') {
    return withRegistry(values.db, (registry) => {
      printCustomers(registry.customers().map((c) => ({ ...c, devices: registry.devicesOf(c.id).length })), values.json ?? false);
      return 0;
    });
  }
  if ((verb === 'consent' || verb === 'export' || verb === 'erase') && id) return customerData(verb, id, values);
  if ((verb !== 'add' && verb !== 'remove') || !id) throw new UsageError(verb === undefined || ['add', 'remove', 'consent', 'export', 'erase'].includes(verb) ? CUSTOMERS_USAGE : `unknown verb '${verb}'\n${CUSTOMERS_USAGE}`);
  if (verb === 'remove') {
    return withRegistry(values.db, (registry, path) => {
      const r = removeCustomer(registry, id, { withDevices: values['with-devices'] ?? false });
      if (!r.ok) return failed(r);
      const gone = r.value.devices.length ? ` with ${r.value.devices.map((d) => d.id).join(', ')}` : '';
      process.stderr.write(`customer '${id}' removed from ${path}${gone}\n`);
      return 0;
    });
  }
  return withRegistry(values.db, (registry, path) => {
    const r = addCustomer(registry, customerInput(id, values), realClock.now());
    if (!r.ok) return failed(r);
    process.stderr.write(`customer '${id}' added to ${path}; add devices with: evernet devices add ${id}/DEVICE --kind KIND\n`);
    return 0;
  });
}
