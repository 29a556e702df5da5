/** A coded failure as one line on stderr; exit code 1. */
export function failed(r: { ok: false; error: { code: string; message: string } }): number {
  process.stderr.write(`evernet: ${r.error.code}: ${r.error.message}\n`);
  return 1;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'EVN_ERR_USAGE';
}
