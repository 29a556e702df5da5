/**
 * V8 flags of a device host's and a broker shard's process, sized from what it carries.
 *
 * Left alone, V8 lets its old generation grow to a multiple (up to 4 ×) of what survived the last full
 * collection before it collects again. A host's messages live across turns of the event loop (in its
 * outbox until acknowledged, in mqtt.js until written), so they reach the old generation and die there:
 * a host of 4,000 devices with 89 MB live grew to 267 MB of heap within an hour of a replay
 * (bench/fleet-memory.ts). A ceiling on the old generation of about twice what it holds live makes V8
 * collect before it grows that far, at a few per cent more of the host's CPU (docs/fleets.md#engine).
 * The ceiling is generous on purpose: a process that reaches it dies ("heap out of memory").
 *
 * A host's young generation is larger than V8's default, too (hostSemiSpaceMB): each scavenge costs a
 * fixed part for a host's thousands of connections and records, however little it finds, so fewer and
 * larger ones cost less (docs/fleet-engine-log.md#a-larger-young-generation-for-large-hosts).
 *
 * And a host allocates nothing old by V8's guess (NO_PRETENURING, as the runner: RUNNER_V8_FLAGS).
 */

import v8 from 'node:v8';

const MB = 1024 * 1024;
const KB = 1024;

/** what a host keeps live (bench/fleet-memory.ts): ≈ 25 MB of its own, ≈ 17 KB a device it runs, ≈ 1 KB a device of the scenario it loads */
export const HOST_HEAP = { baseBytes: 64 * MB, perDeviceBytes: 40 * KB, perScenarioDeviceBytes: 2 * KB } as const;
/** what an aedes shard keeps live: ≈ 25 MB of its own, ≈ 8 KB a connection */
export const SHARD_HEAP = { baseBytes: 64 * MB, perDeviceBytes: 20 * KB } as const;

const oldSpace = (bytes: number): string => `--max-old-space-size=${Math.ceil(bytes / MB)}`;

/**
 * A device host's semi-space (MB; V8's default 16), by the devices it runs. Each scavenge costs a host a part
 * that does not depend on what it finds, so fewer and larger ones cost less. 10,000 homes, 13,501 devices a
 * host, a day: 1,726–1,817 scavenges of 25–31 ms at 16 MB (46–53 s a host), 881–907 of about 43 ms at 32 MB
 * (39 s), 450–456 of 61–64 ms at 64 MB (27–29 s). One host of 13,469 devices through four hours of the day
 * (bench/fleet-memory.ts), pairs of runs alternating: 2.1 s less CPU at 64 MB than at 32 in each of five pairs
 * (27.9–34.3 s against 31.6–36.1), and 3.2 s less at 128 than at 64 in six (25.2–36.2 against 29.4–34.7; five
 * of the six less), at 65 and 75 MB more resident memory. A host of 1,000 homes' 1,342 devices scavenges for
 * 1.5 s of its day whatever the size. It costs up to three semi-spaces of resident memory (hostYoungBytes, in
 * what a layout is checked against): a large host takes 128 MB, a smaller one 32.
 */
export const HOST_SEMI_SPACE_MB = { small: 32, large: 128 } as const;
/** the devices from which a host is large (HOST_SEMI_SPACE_MB) */
export const LARGE_HOST_DEVICES = 8_000;
export const hostSemiSpaceMB = (devices: number): number => (devices >= LARGE_HOST_DEVICES ? HOST_SEMI_SPACE_MB.large : HOST_SEMI_SPACE_MB.small);
export const hostYoungBytes = (devices: number): number => 3 * hostSemiSpaceMB(devices) * MB;

/**
 * Room above a host's ceiling for its young generation. V8 sets the next full collection's threshold at
 * most halfway from what survived the last one to the ceiling, and starts marking as soon as less than a
 * semi-space is left below that threshold. A ceiling of twice the live heap left a small host (1,342
 * devices, 51 MB live, a ceiling of 121 MB) 31 MB: it marked again at once after every full collection,
 * 19–57 of them in a day at 1,000 homes, 12 % of the host's CPU in concurrent marking. Two semi-spaces
 * more keep that threshold a semi-space and more above what survives.
 */
export const hostOldHeadroomBytes = (devices: number): number => 2 * hostSemiSpaceMB(devices) * MB;

/**
 * V8 watches what survives of each allocation site's objects and, past 85 %, allocates the site's later
 * objects straight in the old generation. In a replay's processes a few sites cross that line (a start's
 * bursts, state a device keeps until its next message) and go on allocating short-lived objects there:
 * they fill the old generation with garbage, and each one still pointing into the young generation keeps
 * what it points to alive through the next scavenges, which copy and promote it. Off in the runner
 * (1,000 homes: its helpdesk promoted 83 MB where it had promoted 159, and spent 1.2 s in scavenges where
 * it had spent 2.0) and in the hosts (10,000 homes: half the full collections, 195 s of a host's CPU
 * where it took 207; docs/fleets.md).
 */
export const NO_PRETENURING = '--no-allocation-site-pretenuring';

/** `devices`: the devices the host runs; `scenarioDevices`: all the scenario's (each host loads it whole) */
export function hostNodeFlags(o: { devices: number; scenarioDevices: number }): string[] {
  return [
    oldSpace(hostOldHeadroomBytes(o.devices) + HOST_HEAP.baseBytes + o.devices * HOST_HEAP.perDeviceBytes + o.scenarioDevices * HOST_HEAP.perScenarioDeviceBytes),
    `--max-semi-space-size=${hostSemiSpaceMB(o.devices)}`,
    NO_PRETENURING,
  ];
}

/** `devices`: the connections the shard is expected to carry */
export function shardNodeFlags(o: { devices: number }): string[] {
  return [oldSpace(SHARD_HEAP.baseBytes + o.devices * SHARD_HEAP.perDeviceBytes)];
}

/**
 * V8 flags the runner's own process sets on itself as it starts (`applyRunnerV8Flags`: the CLI and the
 * benches): it may be the user's `node`, started before evernet could choose its command line (what V8 reads
 * only at a start is on the command lines evernet writes: RUNNER_START_FLAGS).
 * NO_PRETENURING: V8 reads the flag when it weighs its sites, at each scavenge, so set at run time it
 * takes effect.
 */
export const RUNNER_V8_FLAGS: readonly string[] = [NO_PRETENURING];

/**
 * The runner's semi-space (MB), which V8 sizes only as a process starts: so it is on the command lines that start
 * the runner (`RUNNER_START_FLAGS`: `evernet replay` runs in a node started with them, cli/bin.mjs, and so does
 * `npm run bench`). A fleet
 * replay's runner takes every message the fleet sends (decoded, buffered until its window is decided), a
 * young generation filled every window at 10,000 homes with V8's 16 MB. The bench at 10,000 homes: the runner
 * 132.9 s of CPU with 64 MB against the bare subscriber's 69.3 in the same process (1.92 times), where it took
 * 2.08 and 2.13 times with 16 MB the same day. At 128 MB its scavenges in a 10,000-home day went from 304 to 207
 * (their pauses 8.8 s to 6.8 s; 2.4 s less with the start's), the runner 0.707 of a host's CPU where it took 0.725
 * and 0.728 at 64 (docs/fleet-engine-log.md); about 110 MB more at its peak. Where a runner starts without it
 * (`node cli/bin.mjs`, `tsx cli/main.ts`), it runs with V8's default: slower at fleet scale, the same report.
 */
export const RUNNER_SEMI_SPACE_MB = 128;
export const RUNNER_START_FLAGS: readonly string[] = [`--max-semi-space-size=${RUNNER_SEMI_SPACE_MB}`];

/** sets RUNNER_V8_FLAGS on this process (node:v8's setFlagsFromString); once, before the work begins */
export function applyRunnerV8Flags(): void {
  for (const f of RUNNER_V8_FLAGS) v8.setFlagsFromString(f);
}
