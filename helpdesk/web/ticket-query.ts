/** The dashboard's one way to ticket summaries: the store's SQL query (DashboardHelpdesk.ticketSummaries). */
import type { TicketSummaryPage, TicketSummaryQuery } from '../tickets/store.js';
import type { DashboardHelpdesk } from './deps.js';

/** The page of `q`, and how many tickets there are at all (filters aside). */
export function queryTickets(helpdesk: DashboardHelpdesk, q: TicketSummaryQuery): TicketSummaryPage & { totalAll: number } {
  const filtered = q.states !== undefined || q.severities !== undefined || q.proactive !== undefined || q.customerId !== undefined || q.deviceId !== undefined;
  const page = helpdesk.ticketSummaries(q);
  return { ...page, totalAll: filtered ? helpdesk.ticketSummaries({ limit: 0 }).total : page.total };
}
