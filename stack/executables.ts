/** Where an installed program is: the PATH, then the usual system folders (Debian puts servers in sbin, not always on a user's PATH). */
import fs from 'node:fs';
import path from 'node:path';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/local/bin', '/usr/bin'];

/** the executable `name` (PATH first, then sbin), or null where it is not installed */
export function findExecutable(name: string): string | null {
  for (const d of [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN]) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}
