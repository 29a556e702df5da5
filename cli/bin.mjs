#!/usr/bin/env node
// Entry point of the `evernet` command: loads the TypeScript sources through tsx (no build step).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * What a replay's runner needs from its start (RUNNER_START_FLAGS in scenarios/engine/node-flags.ts, held equal by
 * a test): V8 sizes its young generation only as a process starts. A plain shebang stays portable (BusyBox's
 * `env` has no -S), so `replay` runs in a node started with them, unless this one was (or NODE_OPTIONS sets them).
 */
const REPLAY_START_FLAGS = ['--max-semi-space-size=128'];
const given = (flag) => {
  const name = flag.split('=')[0];
  return process.execArgv.some((a) => a.split('=')[0] === name) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).some((a) => a.split('=')[0] === name);
};

if (process.argv[2] === 'replay' && !REPLAY_START_FLAGS.every(given)) {
  const child = spawn(process.execPath, [...process.execArgv, ...REPLAY_START_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // a signal for the command goes on to the replay, which stops as it would have; this process waits for it
  const forward = (signal) => child.kill(signal);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, forward);
  child.on('error', (e) => {
    process.stderr.write(`evernet: EVN_ERR_REPLAY_START: the replay's process could not be started: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  const code = await main(process.argv.slice(2));
  // a failed command exits at once: a handle left open (a socket, a timer) must not keep it running
  if (code === 0) process.exitCode = 0;
  else process.exit(code);
}
