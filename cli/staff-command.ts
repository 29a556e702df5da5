/**
 * `evernet staff add NAME [--db FILE|postgres://…] [--password-stdin]`: creates a support-staff account.
 * On PostgreSQL it takes the database's lock for the moment (EVN_ERR_DB_LOCKED while a helpdesk runs on it).
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { openStaffStore } from '../helpdesk/staff/index.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { UsageError } from './errors.js';
import { silentLogger } from '../log/logger.js';
import { isPostgresUrl, openPostgresDb, redactUrl } from '../stack/postgres-db.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it. */
async function ask(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    process.stderr.write('\n');
    rl.close();
  }
}

export async function staffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  const [verb, name] = positionals;
  if (verb !== 'add' || !name) throw new UsageError('usage: evernet staff add NAME [--db FILE|postgres://…] [--password-stdin]');
  let password: string;
  if (values['password-stdin'] || !process.stdin.isTTY) password = await readAll(process.stdin);
  else {
    password = await ask(`Password for ${name}: `);
    if ((await ask('Again: ')) !== password) throw new UsageError('the two passwords differ');
  }
  const path = values.db ?? defaultDbPath();
  // PostgreSQL: the staff store on the database's working copy; the account is reported once it is committed
  const pg = isPostgresUrl(path) ? await openPostgresDb({ url: path, log: silentLogger(), onFailure: () => {}, retryForMs: 5000 }) : null;
  try {
    const staff = pg ? pg.wrap(openStaffStore({ path: pg.path, check: false })) : openStaffStore({ path });
    try {
      const r = await staff.add(name, password);
      if (!r.ok) {
        process.stderr.write(`evernet: ${r.error.code}: ${r.error.message}\n`);
        return 1;
      }
      await pg?.flushed();
      process.stdout.write(`staff account '${name}' added to ${pg ? redactUrl(path) : path}\n`);
      return 0;
    } finally {
      staff.close();
    }
  } finally {
    await pg?.close();
  }
}
