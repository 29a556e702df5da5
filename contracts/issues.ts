/**
 * zod issues in words, the two shapes evernet's coded errors use, defined once. zod 4's own
 * `z.prettifyError` (multi-line, with arrows) and `z.flattenError` (keyed by the first path segment only)
 * would change documented messages and the field names the API returns ('command.celsius', 'query.limit').
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** `a.b: message; c: message` for the first `max` issues ('(root)' for the value itself): one log/error line. */
export function describeIssues(issues: readonly Issue[], max = 3): string {
  return issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** `{ 'a.b': message }`, the first message per field; `prefix` names where the value came from, `root` the key for the value itself. */
export function issueFields(issues: readonly Issue[], prefix = '', root = 'body'): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of issues) {
    const key = [prefix, ...i.path.map(String)].filter((s) => s !== '').join('.') || root;
    fields[key] ??= i.message;
  }
  return fields;
}
