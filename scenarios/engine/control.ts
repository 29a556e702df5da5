/**
 * How the replay runner drives device hosts in other processes (or, later, on other machines):
 * small JSON messages over the broker, outside the evernet/v1 tree the helpdesk reads. Each host has
 * an inbox topic and answers on its outbox topic; every call carries an id the answer repeats.
 */
import type { MqttClient } from 'mqtt';
import { z } from 'zod';

export const ENGINE_ROOT = 'evernet/_engine';

export const hostTopics = (run: string, index: number) => ({
  in: `${ENGINE_ROOT}/${run}/host/${index}/in`,
  out: `${ENGINE_ROOT}/${run}/host/${index}/out`,
});

const Sent = z.array(z.tuple([z.string(), z.number().int().min(0)]));

export const HostCall = z.discriminatedUnion('op', [
  z.object({ op: z.literal('advance'), id: z.number().int(), from: z.number(), to: z.number(), sent: Sent }),
  z.object({ op: z.literal('settle'), id: z.number().int(), sent: Sent }),
  z.object({ op: z.literal('stop'), id: z.number().int() }),
]);
export type HostCall = z.infer<typeof HostCall>;

export const HostAnswer = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ready'), devices: z.number().int(), rssBytes: z.number() }),
  z.object({ op: z.literal('done'), id: z.number().int(), toHelpdesk: z.number().int(), commandsReceived: z.number().int(), rssBytes: z.number(), toHelpdeskBy: z.object({ all: z.array(z.number().int()), said: z.array(z.number().int()) }).optional() }),
  z.object({ op: z.literal('error'), id: z.number().int().nullable(), code: z.string(), message: z.string() }),
]);
export type HostAnswer = z.infer<typeof HostAnswer>;

/** what a host process is started with (one JSON argument) */
export const HostStart = z.object({
  /** the scenario file: every host loads and expands it itself (the same seed gives the same devices) */
  file: z.string(),
  seed: z.number().int(),
  index: z.number().int().min(0),
  count: z.number().int().min(1),
  /** the broker shards devices connect to (partitionOf by customer); one without shards */
  brokerUrls: z.array(z.string()).min(1),
  /** where the runner's calls come from */
  controlUrl: z.string(),
  run: z.string(),
  logLevel: z.string().default('warn'),
  /** brokerUrls are a NATS cluster's MQTT listeners (engine.ts): devices fail over, and each answer counts what went to each partition */
  cluster: z.object({ partitions: z.number().int().min(1) }).optional(),
  /** the file its message trace goes to (device-host.ts traceFile; bench `fleet`) */
  traceFile: z.string().optional(),
});
export type HostStart = z.infer<typeof HostStart>;

/** no Nagle on a control connection (and again after a reconnect): each call is one small message waited for */
export function noDelay(client: MqttClient): void {
  const set = () => (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
  set();
  client.on('connect', set);
}

/**
 * a replay run with --cpu-prof or --heap-prof (and their -dir/-name/-interval options) profiles its hosts
 * and shards too; an option's value given as the next argument (`--cpu-prof-interval 5000`) goes with it
 */
export function profilingFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (!/^--(cpu|heap)-prof/.test(a)) continue;
    out.push(a);
    if (/^--(cpu|heap)-prof-(dir|name|interval)$/.test(a) && i + 1 < execArgv.length) out.push(execArgv[++i]!);
  }
  return out;
}
