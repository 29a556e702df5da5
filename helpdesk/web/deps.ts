/** What the dashboard needs: the helpdesk's read side, its live events and act(); the staff store; optionally the tariff. */
import type { Logger } from 'pino';
import type { Helpdesk } from '../service.js';
import type { LoginPolicy } from './login/policy.js';
import type { TariffInput } from '../schedule/source.js';
import type { StaffStore } from '../staff/store.js';
import type { SlaPolicy } from './sla.js';

/** a function whose result may come later: a cluster's view of every partition (cluster/view.ts) asks the worker that serves one */
type MaybeLater<F> = F extends (...a: infer A) => infer R ? (...a: A) => R | Promise<R> : never;

/** ticketSummaries is the store's summary query: filtered, sorted and paged in SQL, without timelines */
export type DashboardHelpdesk = Pick<Helpdesk, 'tickets' | 'ticket' | 'ticketSummaries' | 'devices' | 'loads' | 'on' | 'now'> & {
  /** a device's telemetry chart; the routes await it */
  chart: MaybeLater<Helpdesk['chart']>;
  /** a staff action; the routes await it */
  act: MaybeLater<Helpdesk['act']>;
  /** staff accept or reject a device; the routes await it */
  decideDevice: MaybeLater<Helpdesk['decideDevice']>;
} &
  /** mass incidents (helpdesk/problems); without them GET /problems lists none */
  Partial<Pick<Helpdesk, 'problems' | 'problem'>> &
  /** the customer side (consent, export, erasure, audit log: awaited); a dashboard without it has no /customers routes and writes no audit */
  Partial<{ customers: { [K in 'consent' | 'offers' | 'export' | 'erase' | 'audit']: MaybeLater<Helpdesk['customers'][K]> } }> &
  /** a ticket's booking and satisfaction score (helpdesk/bookings, helpdesk/dialogue); without them the ticket shows none */
  Partial<Pick<Helpdesk, 'bookingOf' | 'satisfactionOf'>> &
  /**
   * a live stream shows this device until the function returned is called: a cluster's view asks the
   * device's partition for its readings (cluster/view-watch.ts); a helpdesk hears every reading anyway
   */
  Partial<{ watch: (customerId: string, deviceId: string) => () => void }>;

export interface DashboardDeps {
  helpdesk: DashboardHelpdesk;
  staff: StaffStore;
  log: Logger;
  /** for the loads view (price per hour of a plan's window); without it the page shows the figures only */
  tariff?: TariffInput;
  /** contact targets in minutes per severity; default 5 / 15 / 60 / 240 */
  sla?: SlaPolicy;
  /** mark the session cookie Secure (behind TLS); default false: the dashboard binds 127.0.0.1 */
  secureCookie?: boolean;
  /** largest accepted request body in bytes; default 64 KiB */
  bodyLimit?: number;
  /** how the login defends itself (locks, concurrency of password checks, the coarse limit); defaults in login/policy.ts */
  login?: Partial<LoginPolicy>;
  /** ms of wall time between checks that end live streams whose session expired; default 5000 */
  liveSessionCheckMs?: number;
}
