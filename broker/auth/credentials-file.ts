/**
 * The credentials file: JSON, validated by zod, written atomically (temp file, fsync, rename) with
 * mode 0600. Secrets are stored only as scrypt hashes. Identities are keyed by username; the role is
 * stored, customer and device ids are read from the username (see identity.ts), so they cannot disagree.
 *
 *   { "version": 1, "identities": { "anna/fridge": { "role": "device", "secret": {...}, "createdAt": "..." } } }
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../contracts/issues.js';
import { ROLES, clientIdRule, identityOf } from './identity.js';
import { SecretHash } from './secret.js';
import { codeTable } from '../../contracts/errors.js';

export const CRED_ERR = codeTable({
  FILE: 'EVN_ERR_CREDENTIALS_FILE',
  INVALID: 'EVN_ERR_CREDENTIALS_INVALID',
  NAME: 'EVN_ERR_CREDENTIALS_NAME',
  EXISTS: 'EVN_ERR_CREDENTIALS_EXISTS',
  UNKNOWN: 'EVN_ERR_CREDENTIALS_UNKNOWN',
  CLIENT_ID_CLASH: 'EVN_ERR_CREDENTIALS_CLIENT_ID_CLASH',
});
export type CredentialsErrorCode = (typeof CRED_ERR)[keyof typeof CRED_ERR];
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: CredentialsErrorCode; message: string } };

export const fail = (code: CredentialsErrorCode, message: string) => ({ ok: false as const, error: { code, message } });

const Timestamp = z.iso.datetime();

export const CredentialEntry = z.object({
  role: z.enum(ROLES),
  secret: SecretHash,
  createdAt: Timestamp,
  rotatedAt: Timestamp.optional(),
  revokedAt: Timestamp.optional(),
});
export type CredentialEntry = z.infer<typeof CredentialEntry>;

export const CredentialsFile = z
  .object({ version: z.literal(1), identities: z.record(z.string(), CredentialEntry) })
  .superRefine((file, ctx) => {
    const owners = new Map<string, string>();
    for (const [username, entry] of Object.entries(file.identities)) {
      const r = identityOf(username, entry.role);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', path: ['identities', username], message: r.reason });
        continue;
      }
      const rule = clientIdRule(r.identity);
      if (!('exact' in rule)) continue;
      const other = owners.get(rule.exact);
      if (other) ctx.addIssue({ code: 'custom', path: ['identities', username], message: clientIdClash(username, other, rule.exact) });
      owners.set(rule.exact, username);
    }
  });
export type CredentialsFile = z.infer<typeof CredentialsFile>;

export function clientIdClash(username: string, other: string, clientId: string): string {
  return `'${username}' and '${other}' would both use client id ${clientId}`;
}

export const emptyCredentialsFile = (): CredentialsFile => ({ version: 1, identities: {} });

export function parseCredentialsFile(text: string, where: string): Result<CredentialsFile> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(CRED_ERR.INVALID, `${where} is not JSON: ${(e as Error).message}`);
  }
  const r = CredentialsFile.safeParse(json);
  if (!r.success) {
    return fail(CRED_ERR.INVALID, `${where}: ${describeIssues(r.error.issues)}`);
  }
  return { ok: true, value: r.data };
}

/** Reads and validates the file; a missing file is an empty one when `missingOk` (the first `add`). */
export function readCredentialsFile(file: string, opts: { missingOk?: boolean } = {}): Result<CredentialsFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && opts.missingOk) return { ok: true, value: emptyCredentialsFile() };
    return fail(CRED_ERR.FILE, `cannot read credentials file ${file}: ${err.message}`);
  }
  return parseCredentialsFile(text, file);
}

/** Writes the whole file atomically: readers see the old or the new file, never half of one. */
export function writeCredentialsFile(file: string, data: CredentialsFile): Result<void> {
  const checked = CredentialsFile.safeParse(data);
  if (!checked.success) return fail(CRED_ERR.INVALID, `refusing to write an invalid credentials file: ${checked.error.issues[0]?.message}`);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(checked.data, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return { ok: true, value: undefined };
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created
    }
    return fail(CRED_ERR.FILE, `cannot write credentials file ${file}: ${(e as Error).message}`);
  }
}
