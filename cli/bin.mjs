#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the `evernet` command: loads the TypeScript sources through tsx (no build step). Node starts with
// the runner's young generation (RUNNER_START_FLAGS, scenarios/engine/node-flags.ts): V8 sizes it only at a start.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// a failed command exits at once: a handle left open (a socket, a timer) must not keep it running
if (code === 0) process.exitCode = 0;
else process.exit(code);
