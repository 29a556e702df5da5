#!/usr/bin/env node
// Entry point of the `evernet` command: loads the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// a failed command exits at once: a handle left open (a socket, a timer) must not keep it running
if (code === 0) process.exitCode = 0;
else process.exit(code);
