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
 */

const MB = 1024 * 1024;
const KB = 1024;

/** what a host keeps live (bench/fleet-memory.ts): ≈ 25 MB of its own, ≈ 17 KB a device it runs, ≈ 1 KB a device of the scenario it loads */
export const HOST_HEAP = { baseBytes: 64 * MB, perDeviceBytes: 40 * KB, perScenarioDeviceBytes: 2 * KB } as const;
/** what an aedes shard keeps live: ≈ 25 MB of its own, ≈ 8 KB a connection */
export const SHARD_HEAP = { baseBytes: 64 * MB, perDeviceBytes: 20 * KB } as const;

const oldSpace = (bytes: number): string => `--max-old-space-size=${Math.ceil(bytes / MB)}`;

/** `devices`: the devices the host runs; `scenarioDevices`: all the scenario's (each host loads it whole) */
export function hostNodeFlags(o: { devices: number; scenarioDevices: number }): string[] {
  return [oldSpace(HOST_HEAP.baseBytes + o.devices * HOST_HEAP.perDeviceBytes + o.scenarioDevices * HOST_HEAP.perScenarioDeviceBytes)];
}

/** `devices`: the connections the shard is expected to carry */
export function shardNodeFlags(o: { devices: number }): string[] {
  return [oldSpace(SHARD_HEAP.baseBytes + o.devices * SHARD_HEAP.perDeviceBytes)];
}
