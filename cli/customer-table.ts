/** The customers' table of `evernet customers list` (a database file or a cluster). */
import type { CustomerRecord } from '../helpdesk/registry/index.js';
import { table } from './table.js';

/** customers as a table (or JSON), each with how many devices they have */
export function printCustomers(customers: Array<CustomerRecord & { devices: number }>, json: boolean): void {
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
