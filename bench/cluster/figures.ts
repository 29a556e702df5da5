/**
 * The `cluster` bench's judgements, pure: whether a cluster run decided what the embedded run decided
 * (the same comparison as tests/cluster/replay-cluster.test.ts), and what limits the rate, in words,
 * from where the CPU went.
 */
import { isDeepStrictEqual } from 'node:util';
import { round } from '../../contracts/round.js';
import type { Report } from '../../scenarios/report.js';
import type { CpuShares } from './cpu.js';

/**
 * What a cluster run must decide as the embedded helpdesk does (the message counts differ: the cluster
 * adds marks). Command ids are the one difference: each partition numbers its own commands
 * (`c-<session>-p<N>-<n>`), one helpdesk numbers them all, so they are compared as `c-#` (as the
 * cluster tests do, tests/helpers/cluster-replay.ts).
 */
export const decisions = (r: Report): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify({ tickets: r.tickets, loads: r.loads, shopping: r.shopping, offers: r.offers, contacts: r.contacts, bookings: r.bookings, satisfaction: r.satisfaction, faults: r.faults })
      .replace(/"c-[a-z0-9]+(-p\d+)?-\d+"/g, '"c-#"'),
  ) as Record<string, unknown>;

/** the parts of the decisions in which `run` differs from `embedded` (none: the same report) */
export function differences(embedded: Report, run: Report): string[] {
  const a = decisions(embedded);
  const b = decisions(run);
  return Object.keys(a).filter((k) => !isDeepStrictEqual(a[k], b[k]));
}

export const CPU_GROUPS = ['nats', 'runner', 'workers', 'postgres'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

const LABEL: Record<CpuGroup, string> = {
  nats: 'the three nats-server nodes',
  runner: 'the runner (devices, their MQTT clients, the window marks)',
  workers: 'the helpdesk workers',
  postgres: 'PostgreSQL',
};

const WHY: Record<CpuGroup, string> = {
  nats: 'every device message is taken over MQTT, mapped to its partition and stored by JetStream on all three nodes (R3: a Raft round per message), then delivered to a worker; the window marks and the workers\' answers cross the cluster too',
  runner: 'the devices\' models and one MQTT client each run in the runner\'s one Node thread, which also waits for every partition at each window\'s end',
  workers: 'the helpdesks (ingest, detectors, stores, checkpoints) run in the workers',
  postgres: 'the workers\' checkpoints and flushes are PostgreSQL transactions',
};

/** each group's share of the machine (cores × wall seconds), and the rest of the busy CPU as `other` */
export function cpuShares(s: CpuShares): Record<CpuGroup | 'other' | 'busy', number> {
  const cap = s.capacitySeconds || 1;
  const ours = CPU_GROUPS.reduce((n, g) => n + (s.seconds[g] ?? 0), 0);
  const out = Object.fromEntries(CPU_GROUPS.map((g) => [g, round((s.seconds[g] ?? 0) / cap, 3)])) as Record<CpuGroup, number>;
  return { ...out, other: round(Math.max(0, s.machineSeconds - ours) / cap, 3), busy: round(s.machineSeconds / cap, 3) };
}

/**
 * What limits the rate, in words: whether the cores were saturated (and by whom: on a shared machine
 * other work takes its part), and how the run's own CPU divided between its processes.
 */
export function limitsText(s: CpuShares, cores: number, msPerWindow: number): string {
  const shares = cpuShares(s);
  const pct = (x: number): string => `${Math.round(x * 100)} %`;
  const ours = CPU_GROUPS.reduce((n, g) => n + shares[g], 0) || 1;
  const ranked = [...CPU_GROUPS].sort((a, b) => shares[b] - shares[a]);
  const who = ranked.filter((g) => shares[g] / ours >= 0.005).map((g) => `${LABEL[g]} ${pct(shares[g] / ours)}`).join(', ');
  const machine = `the ${cores} cores were ${pct(shares.busy)} busy, ${pct(shares.other / (shares.busy || 1))} of that other work on the machine`;
  const head = shares.busy >= 0.85
    ? `CPU-bound (${machine})`
    : `not CPU-bound (${machine}): each window waits for its marks to go round the cluster (${round(msPerWindow, 1)} ms a window)`;
  return `${head}. The run's own CPU (${round(ours * cores, 2)} cores on average): ${who}. Most goes to ${LABEL[ranked[0]!]}: ${WHY[ranked[0]!]}.`;
}
