/** The `evernet` command line. Every failure ends as one line with its code, and exit code 1 or 2. */
import { boardCommand } from './board-command.js';
import { brokerCommand } from './broker-command.js';
import { checkCommand } from './check-command.js';
import { clusterCommand } from './cluster-command.js';
import { credentialsCommand } from './credentials-command.js';
import { customersCommand } from './customers-command.js';
import { devicesCommand } from './devices-command.js';
import { helpdeskCommand } from './helpdesk-command.js';
import { replayCommand } from './replay-command.js';
import { staffCommand } from './staff-command.js';
import { applyRunnerV8Flags } from '../scenarios/engine/node-flags.js';
import { commandUsage, USAGE, UsageError } from './usage.js';

/** "CODE: message": the error's own EVN_ERR_* code, a database's mapped to one, EVN_ERR_INTERNAL otherwise */
function codedLine(err: Error & { code?: string }): string {
  const code = typeof err.code === 'string' && err.code.startsWith('EVN_ERR_') ? err.code : err.code?.startsWith('SQLITE_') ? 'EVN_ERR_DB' : 'EVN_ERR_INTERNAL';
  return err.message.startsWith(`${code}:`) ? err.message : `${code}: ${err.message}`;
}

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  replay: replayCommand,
  check: checkCommand,
  helpdesk: helpdeskCommand,
  staff: staffCommand,
  customers: customersCommand,
  devices: devicesCommand,
  board: (argv) => boardCommand(argv),
  broker: brokerCommand,
  credentials: credentialsCommand,
  cluster: clusterCommand,
};
const HELP = new Set(['help', '--help', '-h']);

/** `--help` or `-h` among a command's arguments (before a `--` that ends the options) */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[]): Promise<number> {
  applyRunnerV8Flags();
  const [command, ...rest] = argv;
  try {
    if (command === undefined || HELP.has(command)) {
      // evernet help COMMAND: that command's usage
      const topic = command === 'help' ? rest[0] : undefined;
      if (topic === undefined) {
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      }
      const usage = commandUsage(topic);
      if (!usage) throw new UsageError(`no command '${topic}'`);
      process.stdout.write(usage);
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command '${command}'`);
    // evernet COMMAND --help: the usage, exit 0, whatever else was given
    if (asksForHelp(rest)) {
      process.stdout.write(commandUsage(command)!);
      return 0;
    }
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
