/**
 * `evernet replay FILE [--report-json OUT] [--report-html OUT.html] [--report-customers all|none|N] [--broker URL] [--db FILE] [--seed N] [--speed X | --fast]`
 * `evernet replay FILE --cluster NATS_URLS --cluster-mqtt MQTT_URLS --db postgres://… [--partitions 4] [--workers 2]` (docs/scale.md)
 * Exit codes: 0 replayed (and every expectation of the scenario's `expect:` block met), 1 an error,
 * 2 a usage mistake, 3 replayed but an expectation failed (EXIT_EXPECTATION_FAILED).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../log/logger.js';
import { loadScenario } from '../scenarios/load.js';
import { replay } from '../scenarios/runner.js';
import { findMosquitto } from '../scenarios/engine/mosquitto.js';
import type { ShardBroker } from '../scenarios/engine/shards.js';
import { withExpectations, type Report } from '../scenarios/report.js';
import { defaultListing, listed, listedJson, keepListed, parseListing, type Listed } from '../scenarios/report-customers.js';
import { renderReportHtml } from '../scenarios/report-html/render.js';
import { checkExpectations, renderExpectations } from '../scenarios/expect/check.js';
import { VirtualClock } from '../contracts/clock.js';
import { progressBar } from './progress.js';
import { renderSummary } from './summary.js';
import { UsageError } from './errors.js';
import { checkOutputPath } from './output-path.js';
import { parseHostPort } from './host-port.js';
import { CLUSTER_OPTIONS, parseClusterFlags } from './cluster-option.js';
import { openStaffStore } from '../helpdesk/staff/index.js';
import { openPostgresDb } from '../stack/postgres-db.js';
import { defaultDbPath } from '../helpdesk/tickets/default-db-path.js';
import { startDashboard, type RunningDashboard } from '../helpdesk/web/server.js';
import type { DashboardHelpdesk } from '../helpdesk/web/deps.js';

/** the exit code of a replay that ran but did not come to what its `expect:` block says */
export const EXIT_EXPECTATION_FAILED = 3;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'report-json': { type: 'string' },
      'report-html': { type: 'string' },
      'report-customers': { type: 'string' },
      broker: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      fast: { type: 'boolean' },
      'log-level': { type: 'string' },
      dashboard: { type: 'boolean' },
      'ha-discovery': { type: 'boolean' },
      http: { type: 'string' },
      hosts: { type: 'string' },
      shards: { type: 'string' },
      'shard-broker': { type: 'string' },
      ...CLUSTER_OPTIONS,
    },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('replay needs a scenario file, e.g. evernet replay scenarios/day-in-2020.yaml');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new UsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  const speed = values.speed === undefined || values.fast ? undefined : Number(values.speed);
  if (speed !== undefined && !(speed > 0)) throw new UsageError(`--speed must be a positive number, got '${values.speed}'`);
  const count = (flag: 'hosts' | 'shards'): number | undefined => {
    const v = values[flag];
    if (v === undefined || v === 'auto') return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= 0 && n <= 64)) throw new UsageError(`--${flag} must be auto or a whole number from 0 to 64, got '${v}'`);
    return n;
  };
  const hosts = count('hosts');
  const shards = count('shards');
  if (values.broker && shards) throw new UsageError('--shards starts brokers of its own: it cannot go with --broker');
  const shardBroker = values['shard-broker'];
  if (shardBroker !== undefined && !['auto', 'aedes', 'mosquitto'].includes(shardBroker)) throw new UsageError(`--shard-broker must be auto, aedes or mosquitto, got '${shardBroker}'`);
  if (shardBroker === 'mosquitto' && !findMosquitto()) throw new UsageError('--shard-broker mosquitto: mosquitto is not installed (Debian: apt-get install mosquitto)');
  const cluster = parseClusterFlags(values);
  if (cluster) {
    const clash = (['broker', 'shards', 'shard-broker', 'ha-discovery'] as const).find((f) => values[f] !== undefined);
    if (clash) throw new UsageError(`--${clash} cannot go with --cluster: the helpdesk runs on the cluster's workers`);
  }
  if (values.broker && !/^(mqtts?|wss?|tcp):\/\//.test(values.broker)) throw new UsageError(`--broker must be a URL like mqtt://host:1883, got '${values.broker}'`);

  const listingFlag = values['report-customers'];
  const asked = listingFlag === undefined ? undefined : parseListing(listingFlag);
  if (asked === null) throw new UsageError(`--report-customers must be all, none or a number of customers, got '${listingFlag}'`);
  // where the reports go is checked before anything runs (a missing folder used to fail after the whole replay)
  for (const flag of ['report-json', 'report-html'] as const) {
    const out = values[flag];
    if (out !== undefined) checkOutputPath(out, `--${flag}`);
  }
  const scenario = loadScenario(file);
  // valid, but part of it will not play (a fault after the end): said before the replay, not silently skipped
  for (const w of scenario.warnings) process.stderr.write(`evernet: warning: ${w}\n`);
  const expected = scenario.scenario.expect;
  // which customers the report lists: all of a small scenario, none of a fleet of more than 100 homes, unless asked
  const customerIds = scenario.scenario.customers.map((c) => c.id);
  const listing = listed(customerIds, asked ?? defaultListing(customerIds.length));
  const isFleet = scenario.scenario.fleet !== undefined;
  const clock = new VirtualClock(scenario.startMs);
  const log = createLogger({ clock, level: values['log-level'] ?? 'warn', pretty: process.stderr.isTTY });
  const bar = progressBar(process.stderr);
  const http = parseHostPort(values.http ?? '127.0.0.1:8080', '--http');
  // staff accounts come from --db (on a cluster: its PostgreSQL, as for its workers' dashboards), or from the default database when the tickets stay in memory
  const staffDb = values.dashboard && cluster ? await openPostgresDb({ url: cluster.db, log, onFailure: (e) => log.error({ err: e.message }, 'the staff database failed') }) : null;
  const staff = !values.dashboard ? null : staffDb ? staffDb.wrap(openStaffStore({ path: staffDb.path, check: false })) : openStaffStore({ path: values.db ?? defaultDbPath() });
  let dashboard: Promise<RunningDashboard> | null = null;
  let result: Awaited<ReturnType<typeof replay>>;
  try {
    result = await replay({
      scenario, log, clock, seed, speed, brokerUrl: values.broker, dbPath: cluster ? undefined : values.db, homeAssistant: values['ha-discovery'], hosts, shards, shardBroker: shardBroker as ShardBroker | undefined,
      ...(cluster ? { cluster } : {}),
      ...(listing.all ? {} : { seriesCustomers: listing.listed }),
      collectSeries: values['report-html'] !== undefined,
      onProgress: (done, total) => bar.update(done, total),
      // with a dashboard, the final state stays browsable until Ctrl-C
      holdUntil: staff
        ? new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          })
        : undefined,
      onReplayed: (r) => {
        if (!staff) return;
        bar.end();
        process.stdout.write(summary(r.report, listing, isFleet, r.wall) + '\n');
        const results = expected ? checkExpectations(r.report, expected) : [];
        if (expected) process.stdout.write(renderExpectations(results) + '\n');
        process.stderr.write('evernet: replay finished; the dashboard stays up until Ctrl-C\n');
      },
      // the embedded helpdesk, or on a cluster a view of every partition; only with a dashboard (it also
      // makes a fleet's replay record every customer's telemetry, for the charts)
      ...(staff
        ? {
            onView: (helpdesk: DashboardHelpdesk) => {
              dashboard = startDashboard({ helpdesk, staff, log, host: http.host, port: http.port });
              dashboard.then((d) => process.stderr.write(`evernet: dashboard at ${d.url} while the replay runs\n`), () => undefined);
            },
          }
        : {}),
    });
  } finally {
    bar.end();
    if (dashboard) await (await (dashboard as Promise<RunningDashboard>)).stop();
    staff?.close();
    await staffDb?.close();
  }
  const report = result.report;
  const results = expected ? checkExpectations(report, expected) : undefined;
  if (values['report-html'] && result.series) writeFileSync(values['report-html'], renderReportHtml(report, result.series, listing));
  if (values['report-json']) writeFileSync(values['report-json'], JSON.stringify(listedJson(withExpectations(report, results), listing), null, 2) + '\n');
  if (!staff) {
    process.stdout.write(summary(report, listing, isFleet, result.wall) + '\n');
    if (results) process.stdout.write(renderExpectations(results) + '\n');
  }
  const failed = results?.filter((r) => !r.ok).length ?? 0;
  if (failed === 0) return 0;
  process.stderr.write(`evernet: EVN_ERR_EXPECTATION: ${failed} of ${results!.length} expectations of ${file} failed (listed above)\n`);
  return EXIT_EXPECTATION_FAILED;
}

/** the summary of the listed customers, with the figures per kind first for a fleet or when customers are left out */
function summary(report: Report, listing: Listed, isFleet: boolean, wall: { seconds: number; messagesPerSecond: number }): string {
  return renderSummary(keepListed(report, listing), wall, { byKind: isFleet || !listing.all, customers: listing.note, anyListed: listing.listed.size > 0 });
}
