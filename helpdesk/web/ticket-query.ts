/**
 * The dashboard's one way to ticket summaries: the store's SQL query when the helpdesk offers it
 * (DashboardHelpdesk.ticketSummaries), else the same query over every ticket in memory.
 */
import { summarizeTickets, type TicketSummaryPage, type TicketSummaryQuery } from '../tickets/store.js';
import type { DashboardHelpdesk } from './deps.js';

/** The page of `q`, and how many tickets there are at all (filters aside). */
export function queryTickets(helpdesk: DashboardHelpdesk, q: TicketSummaryQuery): TicketSummaryPage & { totalAll: number } {
  const filtered = q.states !== undefined || q.severities !== undefined || q.proactive !== undefined || q.customerId !== undefined || q.deviceId !== undefined;
  if (helpdesk.ticketSummaries) {
    const page = helpdesk.ticketSummaries(q);
    return { ...page, totalAll: filtered ? helpdesk.ticketSummaries({ limit: 0 }).total : page.total };
  }
  const all = helpdesk.tickets();
  return { ...summarizeTickets(all, q), totalAll: all.length };
}
