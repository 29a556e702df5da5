/**
 * `evernet customers consent|export|erase ID` on a helpdesk database file: the export holds the
 * customer's record, devices, telemetry, tickets with every contact's text, consent history and the
 * staff views (this one included); the erasure leaves pseudonymised tickets and a second export
 * without personal data; failures are one coded line with exit code 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addCustomer, addDevice, createRegistry, openSqliteRegistryStore } from '../../helpdesk/registry/index.js';
import { applyRequest, defaultConsent } from '../../helpdesk/customers/consent.js';
import type { CustomerExport } from '../../helpdesk/customers/export.js';
import { openSqliteCustomerStore } from '../../helpdesk/customers/sqlite-store.js';
import { openSqliteTelemetryStore } from '../../helpdesk/telemetry/sqlite-store.js';
import * as life from '../../helpdesk/tickets/lifecycle.js';
import { openSqliteStore } from '../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../log/logger.js';
import { evernet } from '../helpers/cli-capture.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

const T = Date.parse('2020-11-02T18:00:00+01:00');
const TEXT = 'Hello Maria, your fridge is at 12.1 °C: its door may be open.';

/** a database with one customer, one device, a reading, a contacted ticket with a staff note, and a consent change */
function seed(db: string): string {
  const registry = createRegistry({ store: openSqliteRegistryStore({ path: db }), log: silentLogger() });
  addCustomer(registry, { id: 'maria', name: 'Maria Schmidt', email: 'maria@example.org' }, T);
  addDevice(registry, { customerId: 'maria', id: 'fridge', kind: 'fridge', name: "Maria's fridge" }, T);
  registry.close();
  const telemetry = openSqliteTelemetryStore({ path: db });
  telemetry.write({ rows: [{ device: 'maria/fridge', ts: T, readings: { cabinetTempC: 12.1, doorOpen: true } }], minutes: [] });
  telemetry.close();
  const tickets = openSqliteStore({ path: db });
  let t = life.ticketOf(life.open({ incidentKey: 'maria/fridge/fridge-warm/1', customerId: 'maria', deviceId: 'fridge', kind: 'fridge-warm', severity: 'high', at: T, evidence: { observed: '12.1 °C', cabinetTempC: 12.1 } }));
  t = life.ticketOf(life.contact(t, { at: T + 1, by: 'helpdesk', channel: 'app-push', text: TEXT, reason: 'first preferred' }));
  t = life.ticketOf(life.addNote(t, { at: T + 2, by: 'anna', text: 'Maria says the door was left open by her son', detail: { kind: 'comment' } }));
  tickets.openIdempotent(t);
  tickets.close();
  const customers = openSqliteCustomerStore({ path: db });
  const r = applyRequest(defaultConsent(), { type: 'consent', requestId: 'r-1', purpose: 'offers', channel: 'email', granted: true }, T + 3);
  if (!r.ok) throw new Error(r.error.message);
  customers.setConsent('maria', r.consent, { at: T + 3, by: 'customer', change: r.change });
  customers.close();
  return t.id;
}

describe('evernet customers consent|export|erase', () => {
  const tmp = tempDirPerTest('evernet-cli-customers-');

  it("exports everything about the customer with the staff views, erases it, and exports nothing personal after", async () => {
    const db = tmp.join('helpdesk.db');
    const ticketId = seed(db);
    const consent = await evernet('customers', 'consent', 'maria', '--by', 'anna', '--db', db);
    expect(consent.code).toBe(0);
    expect(JSON.parse(consent.out)).toMatchObject({ consent: { purposes: { offers: { granted: true, channels: { email: true, sms: false } } } }, history: [{ at: T + 3, by: 'customer' }] });

    const out = tmp.join('maria.json');
    expect(await evernet('customers', 'export', 'maria', '--out', out, '--by', 'anna', '--db', db)).toMatchObject({ code: 0, err: expect.stringContaining(out) });
    const doc = JSON.parse(readFileSync(out, 'utf8')) as CustomerExport;
    expect(doc.profile).toMatchObject({ id: 'maria', name: 'Maria Schmidt', preferences: { email: 'maria@example.org' } });
    expect(doc.devices.map((d) => d.id)).toEqual(['fridge']);
    expect(doc.telemetry).toEqual([{ deviceId: 'fridge', raw: [{ ts: T, readings: { cabinetTempC: 12.1, doorOpen: true } }], minutes: [] }]);
    expect(doc.contactTexts).toEqual([{ ticketId, at: T + 1, channel: 'app-push', text: TEXT }]);
    expect(JSON.stringify(doc.tickets)).toContain('left open by her son');
    expect(doc.audit.map((a) => [a.by, a.action])).toEqual([['anna', 'cli customers consent'], ['anna', 'cli customers export']]);

    const erased = await evernet('customers', 'erase', 'maria', '--by', 'anna', '--db', db);
    expect(erased).toMatchObject({ code: 0, err: expect.stringContaining('ticketsPseudonymised 1, telemetryRaw 1') });

    const again = await evernet('customers', 'export', 'maria', '--db', db);
    expect(again.code).toBe(0);
    const after = JSON.parse(again.out) as CustomerExport;
    expect(after).toMatchObject({ profile: null, devices: [], tickets: [], telemetry: [], contactTexts: [], audit: [], erasure: { by: 'anna' } });
    expect(again.out.replace('"customerId": "maria"', '')).not.toMatch(/maria|Schmidt|fridge|her son/i);

    const tickets = openSqliteStore({ path: db });
    const [kept, ...more] = tickets.list();
    tickets.close();
    expect(more).toEqual([]);
    expect(kept).toMatchObject({ kind: 'fridge-warm', severity: 'high', state: 'contacted', channel: 'app-push', customerId: expect.stringMatching(/^p-/), evidence: { cabinetTempC: 12.1 } });
    expect(kept!.timeline.map((e) => [e.step, e.by, e.detail])).toEqual([
      ['opened', 'helpdesk', { kind: 'fridge-warm', severity: 'high', proactive: false }],
      ['contacted', 'helpdesk', { channel: 'app-push' }],
      ['note', 'anna', { kind: 'comment' }],
    ]);
  });

  it('answers an unknown customer and an unwritable --out with a coded line', async () => {
    const db = tmp.join('helpdesk.db');
    seed(db);
    for (const verb of ['consent', 'export', 'erase']) {
      expect(await evernet('customers', verb, 'nobody', '--db', db)).toMatchObject({ code: 1, err: "evernet: EVN_ERR_UNKNOWN_CUSTOMER: evernet holds nothing about customer 'nobody'\n" });
    }
    expect(await evernet('customers', 'export', 'maria', '--out', tmp.join('missing', 'x.json'), '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_REPORT_PATH') });
  });
});
