/**
 * Where a command writes a file it produces at the end (a replay's --report-json, --report-html): checked
 * before the work starts, so a missing folder is one coded line at once, not an ENOENT after the whole
 * replay. Nothing is created: an existing file stays as it is until the report replaces it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class OutputPathError extends Error {
  readonly code = 'EVN_ERR_REPORT_PATH';
  constructor(message: string) {
    super(`EVN_ERR_REPORT_PATH: ${message}`);
    this.name = 'OutputPathError';
  }
}

/** Throws OutputPathError when `path` (given by `flag`) could not be written as a file. */
export function checkOutputPath(path: string, flag: string): void {
  const file = resolve(path);
  const folder = dirname(file);
  const existing = statOrNull(file);
  if (existing?.isDirectory()) throw new OutputPathError(`${flag} ${path} is a folder, not a file`);
  const dir = statOrNull(folder);
  if (!dir) throw new OutputPathError(`${flag} ${path}: the folder does not exist`);
  if (!dir.isDirectory()) throw new OutputPathError(`${flag} ${path}: ${folder} is not a folder`);
  try {
    accessSync(existing ? file : folder, constants.W_OK);
  } catch {
    throw new OutputPathError(`${flag} ${path} cannot be written (${existing ? 'the file' : 'its folder'} is not writable)`);
  }
}

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}
