/** The `evernet` command line. Every failure ends as one line with its code, and exit code 1 or 2. */
import { boardCommand } from './board-command.js';
import { brokerCommand } from './broker-command.js';
import { credentialsCommand } from './credentials-command.js';
import { helpdeskCommand } from './helpdesk-command.js';
import { replayCommand } from './replay-command.js';
import { staffCommand } from './staff-command.js';
import { USAGE, UsageError } from './usage.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await replayCommand(rest);
      case 'helpdesk':
        return await helpdeskCommand(rest);
      case 'staff':
        return await staffCommand(rest);
      case 'board':
        return await boardCommand(rest);
      case 'broker':
        return await brokerCommand(rest);
      case 'credentials':
        return await credentialsCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof UsageError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`evernet: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`evernet: ${err.message}\n`);
    return 1;
  }
}

// run directly (tsx cli/main.ts ...)
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
