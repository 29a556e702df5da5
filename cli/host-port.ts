import { UsageError } from './errors.js';

/** 'HOST:PORT' or '[v6]:PORT' or 'PORT' -> { host, port }; the host defaults to 127.0.0.1. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535) throw new UsageError(`${flag} must be HOST:PORT, e.g. 127.0.0.1:8080, got '${text}'`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}
