/** The credentials file: hashes only, atomic writes, zod validation, add/rotate/revoke. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../helpers/temp-dir.js';
import { addIdentity, credentialStoreOf, openCredentialStore, revokeIdentity, rotateIdentity } from '../../../broker/auth/credentials.js';
import { emptyCredentialsFile, readCredentialsFile, writeCredentialsFile, type CredentialsFile } from '../../../broker/auth/credentials-file.js';
import { verifySecret } from '../../../broker/auth/secret.js';
import { CHEAP, T0 } from '../fixture.js';

async function added(file: CredentialsFile, username: string, role?: 'helpdesk' | 'admin') {
  const r = await addIdentity(file, username, role, { now: T0, cost: CHEAP });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('credentials', () => {
  const tmp = tempDirPerTest('evernet-cred-');

  it('stores a salted scrypt hash, never the secret, in a 0600 file written atomically', async () => {
    const a = await added(emptyCredentialsFile(), 'anna/fridge');
    const b = await added(a.file, 'ben/fridge');
    const file = tmp.join('sub', 'credentials.json');
    expect(writeCredentialsFile(file, b.file)).toEqual({ ok: true, value: undefined });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(a.secret);
    expect(text).not.toContain(b.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['credentials.json']); // no temp file left behind
    const entries = b.file.identities;
    expect(entries['anna/fridge']!.secret.salt).not.toBe(entries['ben/fridge']!.secret.salt);
    const read = readCredentialsFile(file);
    if (!read.ok) throw new Error(read.error.message);
    const store = credentialStoreOf(read.value);
    expect(await verifySecret(a.secret, store.get('anna/fridge')!.secret)).toBe(true);
    expect(await verifySecret(b.secret, store.get('anna/fridge')!.secret)).toBe(false);
  });

  it('refuses duplicates, bad names and two identities that would share a client id', async () => {
    const a = await added(emptyCredentialsFile(), 'a-b/c');
    expect(await addIdentity(a.file, 'a-b/c', undefined, { now: T0, cost: CHEAP })).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_EXISTS' } });
    expect(await addIdentity(a.file, 'a/b-c', undefined, { now: T0, cost: CHEAP })).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_CLIENT_ID_CLASH' } });
    expect(await addIdentity(a.file, 'helpdesk', undefined, { now: T0, cost: CHEAP })).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_NAME' } });
    expect(await addIdentity(a.file, 'app-x/y', undefined, { now: T0, cost: CHEAP })).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_NAME' } });
  });

  it('rotates a secret (the old one stops working) and revokes an identity', async () => {
    const a = await added(emptyCredentialsFile(), 'anna/fridge');
    const rotated = await rotateIdentity(a.file, 'anna/fridge', { now: T0 + 1000, cost: CHEAP });
    if (!rotated.ok) throw new Error(rotated.error.message);
    const entry = rotated.value.file.identities['anna/fridge']!;
    expect(entry.rotatedAt).toBe(new Date(T0 + 1000).toISOString());
    expect(await verifySecret(a.secret, entry.secret)).toBe(false);
    expect(await verifySecret(rotated.value.secret, entry.secret)).toBe(true);
    const revoked = revokeIdentity(rotated.value.file, 'anna/fridge', { now: T0 + 2000 });
    if (!revoked.ok) throw new Error(revoked.error.message);
    expect(credentialStoreOf(revoked.value.file).get('anna/fridge')!.revoked).toBe(true);
    expect(revokeIdentity(revoked.value.file, 'nobody/x', { now: T0 })).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_UNKNOWN' } });
  });

  it('rejects a hand-edited file that breaks the schema, and a reload keeps the previous identities', async () => {
    const a = await added(emptyCredentialsFile(), 'anna/fridge');
    const file = tmp.join('credentials.json');
    writeCredentialsFile(file, a.file);
    const opened = openCredentialStore(file);
    if (!opened.ok) throw new Error(opened.error.message);
    const bad = JSON.parse(readFileSync(file, 'utf8'));
    bad.identities['anna/fridge'].role = 'superuser';
    writeFileSync(file, JSON.stringify(bad));
    expect(opened.value.reload()).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_INVALID' } });
    expect(opened.value.get('anna/fridge')).toBeDefined();
    writeFileSync(file, '{ not json');
    expect(readCredentialsFile(file)).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_INVALID' } });
    expect(readCredentialsFile(tmp.join('missing.json'))).toMatchObject({ ok: false, error: { code: 'EVN_ERR_CREDENTIALS_FILE' } });
    expect(readCredentialsFile(tmp.join('missing.json'), { missingOk: true })).toEqual({ ok: true, value: emptyCredentialsFile() });
  });
});
