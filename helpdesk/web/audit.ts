/**
 * The audit log of staff views of a customer's data: every successful GET of one customer's data
 * (a ticket and its telemetry, a device and its telemetry, a load, the customer's consent and offers) is
 * written to the customer's audit log (helpdesk/customers) with the staff member's name, the route
 * and its parameters, before the answer leaves: a view whose entry cannot be written is not
 * answered (500). The export and the erasure write their own entry (routes/customers.ts). Lists (the
 * queue, all devices, all loads) show many customers' summaries and are not written per customer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DashboardDeps } from './deps.js';

/** route -> the customer whose data it shows (from its parameters) */
const VIEWS: Record<string, (p: Record<string, string>, deps: DashboardDeps) => string | undefined> = {
  '/api/v1/tickets/:id': (p, d) => d.helpdesk.ticket(p.id ?? '')?.customerId,
  '/api/v1/tickets/:id/telemetry': (p, d) => d.helpdesk.ticket(p.id ?? '')?.customerId,
  '/api/v1/devices/:customerId/:deviceId': (p) => p.customerId,
  '/api/v1/devices/:customerId/:deviceId/telemetry': (p) => p.customerId,
  '/api/v1/loads/:customerId/:offerId': (p) => p.customerId,
  '/api/v1/customers/:id/consent': (p) => p.id,
  '/api/v1/customers/:id/offers': (p) => p.id,
};

export function auditHook(deps: DashboardDeps) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (req.method !== 'GET' || reply.statusCode >= 400 || !req.staff) return payload;
    const route = req.routeOptions.url ?? '';
    const who = VIEWS[route];
    if (!who) return payload;
    const params = req.params as Record<string, string>;
    const customerId = who(params, deps);
    if (customerId !== undefined) await deps.helpdesk.customers?.audit(customerId, req.staff.name, `GET ${route}`, { ...params });
    return payload;
  };
}
