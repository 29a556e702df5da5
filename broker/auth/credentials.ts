/**
 * Credential operations (add, rotate, revoke: new file values, nothing written) and the
 * CredentialStore the broker authenticates against (in memory, or a file it can reload).
 */
import { clientIdRule, identityOf, type Identity, type Role } from './identity.js';
import { CRED_ERR, clientIdClash, fail, readCredentialsFile, type CredentialEntry, type CredentialsFile, type Result } from './credentials-file.js';
import { DEFAULT_COST, generateSecret, hashSecret, type ScryptCost, type SecretHash } from './secret.js';

export interface StoredIdentity {
  identity: Identity;
  secret: SecretHash;
  revoked: boolean;
}

/** What the broker needs: look a username up. */
export interface CredentialStore {
  get(username: string): StoredIdentity | undefined;
}

export interface FileCredentialStore extends CredentialStore {
  readonly path: string;
  /** Reads the file again; on error the previous identities stay in force. */
  reload(): Result<{ identities: number }>;
}

export interface OpOptions {
  /** event time (ms) for createdAt / rotatedAt / revokedAt */
  now: number;
  /** scrypt cost of new hashes (tests use a cheap one) */
  cost?: ScryptCost;
}

export function credentialStoreOf(file: CredentialsFile): CredentialStore {
  const entries = new Map<string, StoredIdentity>();
  for (const [username, entry] of Object.entries(file.identities)) {
    const r = identityOf(username, entry.role);
    if (r.ok) entries.set(username, { identity: r.identity, secret: entry.secret, revoked: entry.revokedAt !== undefined });
  }
  return { get: (username) => entries.get(username) };
}

export function openCredentialStore(path: string): Result<FileCredentialStore> {
  let current: CredentialStore | null = null;
  const store: FileCredentialStore = {
    path,
    get: (username) => current?.get(username),
    reload() {
      const r = readCredentialsFile(path);
      if (!r.ok) return r;
      current = credentialStoreOf(r.value);
      return { ok: true, value: { identities: Object.keys(r.value.identities).length } };
    },
  };
  const first = store.reload();
  return first.ok ? { ok: true, value: store } : first;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function addIdentity(
  file: CredentialsFile,
  username: string,
  role: Role | undefined,
  opts: OpOptions,
): Promise<Result<{ file: CredentialsFile; identity: Identity; secret: string }>> {
  const r = identityOf(username, role);
  if (!r.ok) return fail(CRED_ERR.NAME, r.reason);
  if (file.identities[username]) return fail(CRED_ERR.EXISTS, `identity '${username}' exists already (rotate or revoke it)`);
  const rule = clientIdRule(r.identity);
  if ('exact' in rule) {
    for (const [other, entry] of Object.entries(file.identities)) {
      const o = identityOf(other, entry.role);
      const otherRule = o.ok ? clientIdRule(o.identity) : null;
      if (otherRule && 'exact' in otherRule && otherRule.exact === rule.exact) return fail(CRED_ERR.CLIENT_ID_CLASH, clientIdClash(username, other, rule.exact));
    }
  }
  const secret = generateSecret();
  const entry: CredentialEntry = { role: r.identity.role, secret: await hashSecret(secret, opts.cost ?? DEFAULT_COST), createdAt: iso(opts.now) };
  return { ok: true, value: { file: { ...file, identities: { ...file.identities, [username]: entry } }, identity: r.identity, secret } };
}

/** A new secret for an identity; the old one stops working. Rotating a revoked identity reinstates it. */
export async function rotateIdentity(
  file: CredentialsFile,
  username: string,
  opts: OpOptions,
): Promise<Result<{ file: CredentialsFile; secret: string }>> {
  const entry = file.identities[username];
  if (!entry) return fail(CRED_ERR.UNKNOWN, `no identity '${username}'`);
  const secret = generateSecret();
  const { revokedAt: _revoked, ...rest } = entry;
  const next: CredentialEntry = { ...rest, secret: await hashSecret(secret, opts.cost ?? DEFAULT_COST), rotatedAt: iso(opts.now) };
  return { ok: true, value: { file: { ...file, identities: { ...file.identities, [username]: next } }, secret } };
}

/** Marks an identity revoked: it can no longer connect, and a running broker drops it on reload. */
export function revokeIdentity(file: CredentialsFile, username: string, opts: OpOptions): Result<{ file: CredentialsFile }> {
  const entry = file.identities[username];
  if (!entry) return fail(CRED_ERR.UNKNOWN, `no identity '${username}'`);
  if (entry.revokedAt) return { ok: true, value: { file } };
  const next: CredentialEntry = { ...entry, revokedAt: iso(opts.now) };
  return { ok: true, value: { file: { ...file, identities: { ...file.identities, [username]: next } } } };
}
