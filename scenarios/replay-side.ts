/**
 * The helpdesk as a replay sees it: what the runner asks of it window by window, and what the report
 * is made of at the end. Embedded (this file): the helpdesk in the runner's process. On a NATS
 * cluster (scenarios/cluster/): the partitions served by helpdesk workers, asked over NATS — the
 * runner's loop and the report are the same, so is what they decide (docs/scale.md).
 */
import type { BookingRecord } from '../helpdesk/bookings/store.js';
import type { ShoppingRecord } from '../helpdesk/core.js';
import type { SatisfactionRecord } from '../helpdesk/dialogue/store.js';
import type { IngestStats } from '../helpdesk/ingest/ingest.js';
import type { LoadRecord } from '../helpdesk/loads.js';
import type { OfferRecord } from '../helpdesk/offers/offers.js';
import type { ProblemFacts } from '../helpdesk/problems/regroup.js';
import type { PartitionCounts } from './engine/device-host.js';
import type { SeriesOrder } from './cluster/series.js';
import type { ReportSeries } from './report-html/collect.js';
import type { ProblemRecord } from '../helpdesk/problems/store.js';
import type { Helpdesk } from '../helpdesk/service.js';
import type { Ticket } from '../helpdesk/tickets/lifecycle.js';
import type { TicketStore } from '../helpdesk/tickets/store.js';
import { within } from './clock/pacer.js';
import type { ReplyLookups } from './replies.js';

/** what the report is made of, from the helpdesk's stores */
export interface ReplayOutcome {
  tickets: Ticket[];
  loads: LoadRecord[];
  shopping: ShoppingRecord[];
  problems: ProblemRecord[];
  bookings: BookingRecord[];
  satisfaction: SatisfactionRecord[];
  offers: OfferRecord[];
  /** a partition's share of grouping tickets across partitions (a cluster); merged into `problems` */
  problemFacts?: ProblemFacts;
}

export type ReplayStats = IngestStats & { published: number };

export interface ReplaySide {
  /** the devices commanded since the last call, with their cumulative counts (device key, count) */
  takeCommanded(): Array<[string, number]>;
  /**
   * The window ends at `to`: waits until the helpdesk has received what was sent to it by then
   * (`total`; by partition, `by(n)`: all, and what connections said), then it decides at `to`.
   */
  window(to: number, sent: { total: number; by: (partitions: number) => PartitionCounts }, stallMs: number): Promise<void>;
  /** what a scenario reply needs to know of one customer's tickets and bookings */
  lookups(customerId: string): Promise<ReplyLookups>;
  stats(): ReplayStats;
  commandCount(): number;
  outcome(): Promise<ReplayOutcome>;
  /** the HTML report's series, where the helpdesk is not in this process (a cluster: its partitions collect theirs) */
  series?(q: { customers?: ReadonlySet<string>; order: SeriesOrder }): Promise<ReportSeries>;
  /** wall seconds spent deciding so far (of the window calls), where the side can tell */
  decidingSeconds?(): number;
}

/** the helpdesk in the runner's process */
export function embeddedSide(helpdesk: Helpdesk, store: TicketStore): ReplaySide {
  let deciding = 0;
  return {
    takeCommanded: () => helpdesk.takeCommanded(),
    async window(to, sent, stallMs) {
      await within(helpdesk.received(sent.total, to), stallMs, () => `helpdesk received ${helpdesk.stats().received} of ${sent.total} messages by ${new Date(to).toISOString()}`);
      const t0 = performance.now();
      helpdesk.advance(to);
      deciding += performance.now() - t0;
    },
    decidingSeconds: () => deciding / 1000,
    lookups: async () => ({ tickets: () => store.list(), bookingOf: helpdesk.bookingOf }),
    stats: () => helpdesk.stats(),
    commandCount: () => helpdesk.commandCount(),
    outcome: async () => ({
      tickets: store.list(),
      loads: helpdesk.loads({ order: 'asc', slots: true }).loads,
      shopping: helpdesk.shopping(),
      problems: helpdesk.problems(),
      bookings: helpdesk.bookings(),
      satisfaction: helpdesk.satisfaction(),
      offers: helpdesk.offers(),
    }),
  };
}

/**
 * The runner's side of a pipelined replay (scenario `pipeline`, docs/fleets.md#pipelined-windows): a window's
 * deciding runs on while the devices move through the next; `decided()` waits for it, and `next` holds the
 * commands it leaves for the window after. Off, each window's deciding is waited for at once.
 */
export function createPipeline(on: boolean) {
  let pending: Promise<void> = Promise.resolve();
  const pipe = {
    /** the commands for the devices' next window: decided at the end of the window before the last (cumulative counts by device) */
    next: [] as Array<[string, number]>,
    async deciding(start: () => Promise<void>): Promise<void> {
      if (!on) return start();
      // started once the next window's call to the devices has gone out (a turn of the event loop later): deciding
      // runs in one piece, and started at once it could hold that call back in the same turn, the devices waiting
      const call = new Promise((resolve) => setImmediate(resolve)).then(start);
      // handled here and thrown where it is waited for (decided): no rejection goes unhandled while the devices move
      call.catch(() => undefined);
      pending = call;
    },
    decided: (): Promise<void> => pending,
    /** the last commands: those left for a window that does not come and those decided last (the later count wins) */
    last: (taken: Array<[string, number]>): Array<[string, number]> => (on ? [...new Map([...pipe.next, ...taken])] : taken),
  };
  return pipe;
}
