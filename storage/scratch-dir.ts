/**
 * Temporary folders a run makes for itself (a fleet replay's scratch database, its broker shards' configs):
 * removed by their owner when the run is done, and by the process when it ends any other way — at its exit,
 * and on SIGINT, SIGTERM or SIGHUP (Ctrl-C, a stop, a closed terminal). A signal keeps its meaning: where
 * nothing else of the process listens for it, the folders go and the process ends by the signal as it would
 * have without this; where something does (a service that stops gracefully), that decides, and the folders go
 * at its exit, after its stop. Only SIGKILL leaves them. While no folder is live, no handler is installed.
 *
 * Hand-written: `tmp`'s graceful cleanup removes its files at exit only, not on a signal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchDir {
  readonly path: string;
  /** removes the folder and all in it; idempotent */
  remove(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const live = new Set<string>();
let installed = false;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // another listener stops the process its own way: the exit hook removes the folders after it
  if (process.listenerCount(signal) > 1) return;
  // ours was the only one: end by the signal, as the process would have (no listener left restores its default)
  removeAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** a new folder under the system's temporary folder, its name `prefix` and a random tail */
export function scratchDir(prefix: string): ScratchDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  install();
  return {
    path,
    remove(): void {
      rmSync(path, { recursive: true, force: true });
      live.delete(path);
      if (live.size === 0) uninstall();
    },
  };
}
