/**
 * Where the helpdesk database lives by default, per platform. Pure: it only computes the path
 * (nothing is created; openSqliteStore creates the directory).
 *   Linux & others: $XDG_DATA_HOME/evernet/helpdesk.db, else ~/.local/share/evernet/helpdesk.db
 *   macOS:          ~/Library/Application Support/evernet/helpdesk.db
 *   Windows:        %APPDATA%\evernet\helpdesk.db (else <home>\AppData\Roaming\evernet\helpdesk.db)
 */
import os from 'node:os';
import path from 'node:path';

export const DB_DIR_NAME = 'evernet';
export const DB_FILE_NAME = 'helpdesk.db';

export function defaultDbPath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const appData = env.APPDATA && env.APPDATA.length > 0 ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, DB_DIR_NAME, DB_FILE_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', DB_DIR_NAME, DB_FILE_NAME);
  }
  // The XDG base directory spec says a relative $XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, DB_DIR_NAME, DB_FILE_NAME);
}
