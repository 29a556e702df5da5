/** The export through the app: base64 parts that join to the document, and a coded error past the app's cap (real SQLite stores). */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CustomerAnswerBody, EXPORT_PART_BYTES } from '../../../contracts/index.js';
import { createCustomers, exportParts } from '../../../helpdesk/customers/customers.js';
import { customerPseudonym, devicePseudonym } from '../../../helpdesk/customers/pseudonymise.js';
import { openSqliteCustomerStore } from '../../../helpdesk/customers/sqlite-store.js';
import { addCustomer, createMemoryRegistryStore, createRegistry } from '../../../helpdesk/registry/index.js';
import { openSqliteTelemetryStore } from '../../../helpdesk/telemetry/sqlite-store.js';
import { openSqliteStore } from '../../../helpdesk/tickets/sqlite-store.js';
import { silentLogger } from '../../../log/logger.js';

const T = Date.parse('2020-11-02T18:00:00+01:00');

function customers(maxAppExportBytes?: number) {
  const log = silentLogger();
  const registry = createRegistry({ store: createMemoryRegistryStore(), log });
  addCustomer(registry, { id: 'maria', name: 'Maria' }, T);
  const telemetry = openSqliteTelemetryStore({ path: ':memory:' });
  const reader = { range: telemetry.raw, minutes: telemetry.minutes, forget: telemetry.forget };
  return createCustomers({ store: openSqliteCustomerStore(), registry, tickets: openSqliteStore({ path: ':memory:' }), telemetry: reader, log, maxAppExportBytes });
}

describe('the export through the app', () => {
  it('gzips a document into parts of at most EXPORT_PART_BYTES that join to it, each a valid answer', () => {
    // random digits: gzip cannot shrink them much, so there are several parts
    const json = JSON.stringify({ readings: Array.from({ length: 40_000 }, (_, i) => (i * 7919) % 10007) });
    const parts = exportParts(json);
    expect(parts.length).toBeGreaterThan(1);
    const zipped = Buffer.concat(parts.map((p) => Buffer.from(p.chunk, 'base64')));
    expect(parts.every((p, i) => p.part === i && p.parts === parts.length && Buffer.byteLength(p.chunk, 'base64') <= EXPORT_PART_BYTES)).toBe(true);
    const joined = gunzipSync(zipped);
    expect(joined.toString('utf8')).toBe(json);
    expect(joined.length).toBe(parts[0]!.bytes);
    expect(createHash('sha256').update(joined).digest('hex')).toBe(parts[0]!.sha256);
    for (const p of parts) expect(CustomerAnswerBody.safeParse({ requestId: 'r-1', type: 'export', ok: true, export: p }).success).toBe(true);
  });

  it('answers a second export within a minute with EVN_ERR_EXPORT_THROTTLED, and one after it', () => {
    const c = customers();
    expect(c.request('maria', { type: 'export', requestId: 'r-1' }, T)[0]).toMatchObject({ ok: true });
    expect(c.request('maria', { type: 'export', requestId: 'r-2' }, T + 59_000)).toEqual([{ requestId: 'r-2', type: 'export', ok: false, error: { code: 'EVN_ERR_EXPORT_THROTTLED', message: expect.any(String) } }]);
    expect(c.request('maria', { type: 'export', requestId: 'r-3' }, T + 60_000)[0]).toMatchObject({ ok: true });
  });

  it('answers an export over the cap with EVN_ERR_EXPORT_TOO_LARGE and one under it in parts', () => {
    const small = customers(100).request('maria', { type: 'export', requestId: 'r-1' }, T);
    expect(small).toEqual([{ requestId: 'r-1', type: 'export', ok: false, error: { code: 'EVN_ERR_EXPORT_TOO_LARGE', message: expect.stringContaining('ask the service team') } }]);
    const whole = customers().request('maria', { type: 'export', requestId: 'r-2' }, T);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatchObject({ ok: true, export: { part: 0, parts: 1 } });
  });
});

describe('pseudonyms', () => {
  it('are stable for one key, differ between keys and customers, and do not contain the id', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(customerPseudonym(a, 'maria')).toBe(customerPseudonym(a, 'maria'));
    expect(customerPseudonym(a, 'maria')).not.toBe(customerPseudonym(b, 'maria'));
    expect(customerPseudonym(a, 'maria')).not.toBe(customerPseudonym(a, 'marie'));
    expect(customerPseudonym(a, 'maria')).not.toContain('maria');
    expect(devicePseudonym(a, 'maria', 'car')).not.toBe(devicePseudonym(a, 'mario', 'car'));
  });

  it('come from a key made once per database', () => {
    const one = openSqliteCustomerStore();
    const two = openSqliteCustomerStore();
    expect(one.secret()).toHaveLength(32);
    expect(one.secret().equals(one.secret())).toBe(true);
    expect(one.secret().equals(two.secret())).toBe(false);
  });
});
