/** The `evernet` command line. Every failure ends as one line with its code, and exit code 1 or 2. */
import { boardCommand } from './board-command.js';
import { brokerCommand } from './broker-command.js';
import { credentialsCommand } from './credentials-command.js';
import { customersCommand } from './customers-command.js';
import { devicesCommand } from './devices-command.js';
import { helpdeskCommand } from './helpdesk-command.js';
import { replayCommand } from './replay-command.js';
import { staffCommand } from './staff-command.js';
import { USAGE, UsageError } from './usage.js';

/** "CODE: message": the error's own EVN_ERR_* code, a database's mapped to one, EVN_ERR_INTERNAL otherwise */
function codedLine(err: Error & { code?: string }): string {
  const code = typeof err.code === 'string' && err.code.startsWith('EVN_ERR_') ? err.code : err.code?.startsWith('SQLITE_') ? 'EVN_ERR_DB' : 'EVN_ERR_INTERNAL';
  return err.message.startsWith(`${code}:`) ? err.message : `${code}: ${err.message}`;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  replay: replayCommand,
  helpdesk: helpdeskCommand,
  staff: staffCommand,
  customers: customersCommand,
  devices: devicesCommand,
  board: (argv) => boardCommand(argv),
  broker: brokerCommand,
  credentials: credentialsCommand,
};
const HELP = new Set(['help', '--help', '-h']);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || HELP.has(command)) {
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command '${command}'`);
    return await run(rest);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`evernet: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`evernet: ${codedLine(err)}\n`);
    return 1;
  }
}

// run directly (tsx cli/main.ts ...)
if (import.meta.url === `file://${process.argv[1]}`) {
  // a failed command exits at once: a handle left open (a socket, a timer) must not keep it running
  main(process.argv.slice(2)).then((code) => (code === 0 ? (process.exitCode = 0) : process.exit(code)));
}
