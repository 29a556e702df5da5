/**
 * `npm run bench [-- GROUP ...]`: prints one JSON object on stdout, figures keyed by name.
 * Speed lives here, never in timed test assertions. `--against REV [--rounds N]`: the groups here and in
 * revision REV at the same time, each figure's medians and their ratio (bench/against.ts).
 */
import { benchBoards } from './boards.js';
import { parseArgs } from 'node:util';
import { benchCluster } from './cluster.js';
import { benchCoordination } from './coordination.js';
import { benchHelpdesk } from './helpdesk.js';
import { benchFleet } from './fleet.js';
import type { ShardBroker } from '../scenarios/engine/shards.js';
import { applyRunnerV8Flags } from '../scenarios/engine/node-flags.js';
import { benchFleetDetection } from './fleet-detection.js';
import { benchDashboard } from './dashboard.js';
import { benchDetection } from './detection.js';
import { benchLive } from './live.js';
import { benchAgents } from './agents.js';
import { AGAINST_DEFAULTS, AgainstError, benchAgainst } from './against.js';
import { benchModels } from './models.js';
import { benchReplay } from './replay.js';
import { benchSecurity } from './security.js';
import { benchTariffs } from './tariffs.js';
import { benchTelemetryStore } from './telemetry-store.js';

/** `--homes N`: the size of the `fleet` group's fleet (default 10,000) and, when given, of `fleet-detection`'s (default 150), `cluster`'s (default 30), `telemetry-store`'s (default 10,000) and `helpdesk`'s (default 1,000) */
let fleetHomes = 10_000;
/** `--shard-broker aedes|mosquitto|auto`: what the `fleet` group's broker shards run (default auto: mosquitto where installed) */
let shardBroker: ShardBroker = 'auto';
let homesAsked: number | undefined;

const GROUPS: Record<string, () => Promise<Record<string, number | string | boolean | null>>> = {
  fleet: () => benchFleet(fleetHomes, shardBroker),
  'fleet-detection': () => benchFleetDetection(homesAsked),
  helpdesk: () => benchHelpdesk(homesAsked),
  replay: benchReplay,
  detection: () => benchDetection(),
  security: benchSecurity,
  dashboard: benchDashboard,
  boards: benchBoards,
  live: benchLive,
  tariffs: benchTariffs,
  coordination: benchCoordination,
  cluster: () => benchCluster({ homes: homesAsked }),
  models: benchModels,
  agents: () => benchAgents(homesAsked),
  'telemetry-store': () => benchTelemetryStore(homesAsked),
};

async function main(): Promise<void> {
  // the runner's own V8 flags, as the CLI sets them: the benches measure what a user's replay does
  applyRunnerV8Flags();
  const { values, positionals: asked } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { homes: { type: 'string' }, 'shard-broker': { type: 'string' }, against: { type: 'string' }, rounds: { type: 'string' } } });
  const broker = values['shard-broker'];
  if (broker !== undefined) {
    if (!['auto', 'aedes', 'mosquitto'].includes(broker)) {
      process.stderr.write(`bench: --shard-broker must be auto, aedes or mosquitto, got '${broker}'\n`);
      process.exitCode = 2;
      return;
    }
    shardBroker = broker as ShardBroker;
  }
  if (values.homes !== undefined) {
    const n = Number(values.homes);
    if (!(Number.isInteger(n) && n >= 1)) {
      process.stderr.write(`bench: --homes must be a whole number of homes, got '${values.homes}'\n`);
      process.exitCode = 2;
      return;
    }
    fleetHomes = n;
    homesAsked = n;
  }
  const unknown = asked.filter((g) => !(g in GROUPS));
  if (unknown.length) {
    process.stderr.write(`bench: unknown group(s) ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.rounds !== undefined && values.against === undefined) {
    process.stderr.write('bench: --rounds goes with --against REV\n');
    process.exitCode = 2;
    return;
  }
  if (values.against !== undefined) {
    const rounds = values.rounds === undefined ? AGAINST_DEFAULTS.rounds : Number(values.rounds);
    if (!(Number.isInteger(rounds) && rounds >= 1)) {
      process.stderr.write(`bench: --rounds must be a whole number of rounds, got '${values.rounds}'\n`);
      process.exitCode = 2;
      return;
    }
    const args = [...asked, ...(values.homes !== undefined ? ['--homes', values.homes] : []), ...(broker !== undefined ? ['--shard-broker', broker] : [])];
    try {
      const onRound = (r: number, n: number): void => void process.stderr.write(`bench: round ${r} of ${n} against ${values.against} done\n`);
      process.stdout.write(JSON.stringify({ node: process.version, ...(await benchAgainst({ rev: values.against, args, groups: asked, rounds, onRound })) }, null, 2) + '\n');
    } catch (e) {
      if (!(e instanceof AgainstError)) throw e;
      process.stderr.write(`bench: ${e.message}\n`);
      process.exitCode = 2;
    }
    return;
  }
  const figures: Record<string, number | string | boolean | null> = { node: process.version };
  for (const g of asked.length ? asked : Object.keys(GROUPS)) {
    process.stderr.write(`bench: ${g}...\n`);
    Object.assign(figures, await GROUPS[g]!());
  }
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}

await main();
