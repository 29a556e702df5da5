/**
 * `npm run bench [-- GROUP ...]`: prints one JSON object on stdout, figures keyed by name.
 * Speed lives here, never in timed test assertions.
 */
import { benchBoards } from './boards.js';
import { benchCoordination } from './coordination.js';
import { benchDashboard } from './dashboard.js';
import { benchDetection } from './detection.js';
import { benchLive } from './live.js';
import { benchModels } from './models.js';
import { benchReplay } from './replay.js';
import { benchSecurity } from './security.js';
import { benchTariffs } from './tariffs.js';

const GROUPS: Record<string, () => Promise<Record<string, number | null>>> = {
  replay: benchReplay,
  detection: () => benchDetection(),
  security: benchSecurity,
  dashboard: benchDashboard,
  boards: benchBoards,
  live: benchLive,
  tariffs: benchTariffs,
  coordination: benchCoordination,
  models: benchModels,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = asked.filter((g) => !(g in GROUPS));
  if (unknown.length) {
    process.stderr.write(`bench: unknown group(s) ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const figures: Record<string, number | string | null> = { node: process.version };
  for (const g of asked.length ? asked : Object.keys(GROUPS)) {
    process.stderr.write(`bench: ${g}...\n`);
    Object.assign(figures, await GROUPS[g]!());
  }
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}

await main();
