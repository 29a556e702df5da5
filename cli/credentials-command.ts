/**
 * `evernet credentials add|rotate|revoke|list`: the broker's identities, kept in a JSON file of
 * scrypt hashes. add and rotate print the new secret once, alone on stdout (for scripts); everything
 * else goes to stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readCredentialsFile, writeCredentialsFile } from '../broker/auth/credentials-file.js';
import { addIdentity, revokeIdentity, rotateIdentity } from '../broker/auth/credentials.js';
import { ROLES, describeClientIdRule, identityOf, type Role } from '../broker/auth/identity.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { realClock } from '../contracts/clock.js';
import { UsageError } from './errors.js';

export const CREDENTIALS_USAGE = 'usage: evernet credentials add|rotate|revoke NAME [--role ROLE] [--file FILE] | evernet credentials list [--file FILE]';

/** Next to the helpdesk database: <data dir>/evernet/credentials.json */
export function defaultCredentialsPath(): string {
  return path.join(path.dirname(defaultDbPath()), 'credentials.json');
}

function report(r: { ok: false; error: { code: string; message: string } }): number {
  process.stderr.write(`evernet: ${r.error.code}: ${r.error.message}\n`);
  return 1;
}

export async function credentialsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { file: { type: 'string' }, role: { type: 'string' } },
  });
  const [verb, name] = positionals;
  const file = values.file ?? defaultCredentialsPath();
  const role = values.role as Role | undefined;
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${role}'`);
  if (verb === 'list') return list(file);
  if (!name || !['add', 'rotate', 'revoke'].includes(verb ?? '')) throw new UsageError(CREDENTIALS_USAGE);
  const loaded = readCredentialsFile(file, { missingOk: verb === 'add' });
  if (!loaded.ok) return report(loaded);
  const now = realClock.now();

  if (verb === 'revoke') {
    const r = revokeIdentity(loaded.value, name, { now });
    if (!r.ok) return report(r);
    const w = writeCredentialsFile(file, r.value.file);
    if (!w.ok) return report(w);
    process.stderr.write(`'${name}' revoked in ${file}; a running broker drops it on reload (SIGHUP)\n`);
    return 0;
  }
  const r = verb === 'add' ? await addIdentity(loaded.value, name, role, { now }) : await rotateIdentity(loaded.value, name, { now });
  if (!r.ok) return report(r);
  const w = writeCredentialsFile(file, r.value.file);
  if (!w.ok) return report(w);
  const identity = identityOf(name, r.value.file.identities[name]!.role);
  const clientId = identity.ok ? describeClientIdRule(identity.identity) : '?';
  process.stderr.write(
    `${verb === 'add' ? 'added' : 'rotated'} '${name}' (${r.value.file.identities[name]!.role}) in ${file}\n` +
      `connect with username '${name}', client id ${clientId}; the secret below is shown once and stored only as a hash:\n`,
  );
  process.stdout.write(`${r.value.secret}\n`);
  return 0;
}

function list(file: string): number {
  const loaded = readCredentialsFile(file);
  if (!loaded.ok) return report(loaded);
  const rows = Object.entries(loaded.value.identities).sort(([a], [b]) => a.localeCompare(b));
  for (const [username, e] of rows) {
    const state = e.revokedAt ? `revoked ${e.revokedAt}` : `active since ${e.rotatedAt ?? e.createdAt}`;
    process.stdout.write(`${username}\t${e.role}\t${state}\n`);
  }
  if (rows.length === 0) process.stderr.write(`no identities in ${file}\n`);
  return 0;
}
