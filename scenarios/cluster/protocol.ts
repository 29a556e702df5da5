/**
 * What the replay runner and the helpdesk workers of a cluster replay say to each other over NATS,
 * outside the evernet/v1 tree and the partitions' stream: a partition's answer to a mark, and the
 * requests for one customer's tickets (scenario replies) and for a partition's outcome (the report).
 */
import { z } from 'zod';

export const replaySubjects = (run: string) => ({
  /** a partition processed a mark: { p, w, commanded, stats, commandCount } */
  done: `evernet._replay.${run}.done`,
  /** request to the partition's owner: one customer's tickets and bookings */
  lookup: (p: number) => `evernet._replay.${run}.lookup.${p}`,
  /** request to the partition's owner: its outcome (tickets, loads, shopping, …) */
  outcome: (p: number) => `evernet._replay.${run}.outcome.${p}`,
  /** request to the partition's owner: a page of its HTML report series (series.ts SeriesQuery) */
  series: (p: number) => `evernet._replay.${run}.series.${p}`,
});

export const WorkerStart = z.object({
  file: z.string(),
  seed: z.number().int(),
  id: z.string(),
  /** the replay's run: the workers' group, and the marks they follow */
  run: z.string(),
  /** the stream's last sequence when the replay began: what came before is another run's */
  startAfterSeq: z.number().int().min(0),
  natsUrls: z.array(z.string()).min(1),
  mqttUrls: z.array(z.string()).min(1),
  db: z.string(),
  partitions: z.number().int().min(1),
  logLevel: z.string().default('warn'),
  deadAfterMs: z.number().int().positive().optional(),
  checkpointEveryMs: z.number().int().positive().optional(),
  /** answer a dashboard's cluster view (cluster/view-serve.ts) under the run's group: replay --dashboard */
  view: z.boolean().optional(),
});
export type WorkerStart = z.infer<typeof WorkerStart>;

export interface MarkDone {
  p: number;
  w: number;
  commanded: Array<[string, number]>;
  stats: { received: number; accepted: number; rejected: number; duplicates: number; gaps: number; byCode: Record<string, number>; published: number };
  commandCount: number;
}
