/**
 * `evernet check FILE...`: validates scenario files without running them. Each file gets one line on
 * stdout when it is valid (with its warnings: what would not play), or its coded errors on stderr
 * (every problem with file:line:col, path and expectation). Exit code 0 when all are valid, 1 otherwise.
 *
 * What is checked: everything `evernet replay` checks before it starts: the schema and the checks
 * across the file (scenarios/schema.ts, scenario-checks.ts; the `expect:` block's keys and references
 * included), then FILE_CHECKS below, for what needs more than the file itself.
 */
import { parseArgs } from 'node:util';
import { loadTariff } from '../helpdesk/schedule/tariff-file.js';
import { loadScenario, type LoadedScenario } from '../scenarios/load.js';
import { UsageError } from './errors.js';

/** A check beyond the schema: throws a coded error (EVN_ERR_*) for a file that cannot be replayed. */
export type FileCheck = (scenario: LoadedScenario) => void;

/** Add a check here when a scenario refers to something outside itself. */
export const FILE_CHECKS: readonly FileCheck[] = [
  // the tariff file it names exists and parses (replay would fail on it only after starting)
  (l) => void loadTariff(l.tariffPath),
];

export async function checkCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (!positionals.length) throw new UsageError('check needs a scenario file, e.g. evernet check scenarios/day-in-2020.yaml');
  let failed = 0;
  for (const file of positionals) {
    try {
      const l = loadScenario(file);
      for (const check of FILE_CHECKS) check(l);
      process.stdout.write(`${file}: valid (${describe(l)})\n`);
      for (const w of l.warnings) process.stdout.write(`  warning: ${w}\n`);
    } catch (e) {
      const err = e as Error & { code?: string };
      if (typeof err.code !== 'string' || !err.code.startsWith('EVN_ERR_')) throw e;
      failed++;
      process.stderr.write(`evernet: ${err.message.startsWith(`${err.code}:`) ? err.message : `${err.code}: ${err.message}`}\n`);
    }
  }
  return failed ? 1 : 0;
}

function describe(l: LoadedScenario): string {
  const s = l.scenario;
  const hours = (l.endMs - l.startMs) / 3600_000;
  const parts = [
    `${s.customers.length} customer${s.customers.length === 1 ? '' : 's'}`,
    `${l.devices.length} device${l.devices.length === 1 ? '' : 's'}`,
    `${s.start} for ${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`,
  ];
  if (s.fleetCounts) {
    const f = s.fleetCounts;
    parts.push(`a fleet expanding to ${f.homes} home${f.homes === 1 ? '' : 's'}, ${f.devices} device${f.devices === 1 ? '' : 's'}, ${f.faults} fault${f.faults === 1 ? '' : 's'}`);
  }
  const expect = s.expect;
  if (expect) {
    const n = expect.tickets.length + expect.loads.length + expect.shopping.length + (expect.noOtherTickets ? 1 : 0);
    parts.push(`${n} expectation${n === 1 ? '' : 's'}`);
  }
  if (l.warnings.length) parts.push(`${l.warnings.length} warning${l.warnings.length === 1 ? '' : 's'}`);
  return parts.join(', ');
}
