/** The only I/O of the tariff: read a CSV file and parse it. Throws an Error whose message starts with the code. */
import { readFileSync } from 'node:fs';
import { isTariffError, parseTariffCsv, type Tariff } from './tariff.js';

export class TariffLoadError extends Error {
  readonly code = 'EVN_ERR_TARIFF' as const;
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'TariffLoadError';
  }
}

/** The text of a price file; a file that cannot be read is a TariffLoadError naming it. */
export function readTariffText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new TariffLoadError(`EVN_ERR_TARIFF: cannot read ${path}: ${(e as Error).message}`, null);
  }
}

export function loadTariff(path: string): Tariff {
  const text = readTariffText(path);
  const parsed = parseTariffCsv(text, path);
  if (isTariffError(parsed)) {
    const { line, reason } = parsed.error;
    throw new TariffLoadError(`EVN_ERR_TARIFF: ${path}:${line}: ${reason}`, line);
  }
  return parsed;
}
