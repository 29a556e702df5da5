/**
 * The customer side for staff: GET /customers/:id/consent (read-only: the customer changes it through
 * the app), GET /customers/:id/offers (next-best offers with their reasons and outcomes), GET /customers/:id/export (everything evernet holds about them, one JSON document), and
 * POST /customers/:id/erase. Each is written to the customer's audit log with the staff member's name.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DashboardDeps } from '../deps.js';
import { me } from '../auth.js';
import { HttpError, parse } from '../errors.js';

const Params = z.object({ id: z.string().max(64) });
const NoBody = z.strictObject({}).optional();

/** a coded failure of helpdesk/customers as an HTTP error: an unknown customer is a 404, a refusal a 409 */
function refused(error: { code: string; message: string }): HttpError {
  return new HttpError(error.code === 'EVN_ERR_UNKNOWN_CUSTOMER' ? 404 : 409, error.code, error.message);
}

export async function customerRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk } = deps;
  const customers = helpdesk.customers;
  if (!customers) return;

  app.get('/customers/:id/consent', async (req) => {
    const { id } = parse(Params, req.params, 'params');
    const r = await customers.consent(id);
    if (!r.ok) throw refused(r.error);
    return { now: helpdesk.now(), customerId: id, ...r.value };
  });

  // next-best offers with their reasons and outcomes, oldest first (read-only; audited like the consent)
  app.get('/customers/:id/offers', async (req) => {
    const { id } = parse(Params, req.params, 'params');
    const r = await customers.consent(id);
    if (!r.ok) throw refused(r.error);
    return { now: helpdesk.now(), customerId: id, offers: await customers.offers(id) };
  });

  app.get('/customers/:id/export', async (req, reply) => {
    const { id } = parse(Params, req.params, 'params');
    const r = await customers.export(id, me(req).name, 'GET /api/v1/customers/:id/export');
    if (!r.ok) throw refused(r.error);
    void reply.header('content-disposition', `attachment; filename="evernet-customer-${id}.json"`);
    return r.value;
  });

  app.post('/customers/:id/erase', async (req) => {
    const { id } = parse(Params, req.params, 'params');
    parse(NoBody, req.body);
    const r = await customers.erase(id, me(req).name, 'POST /api/v1/customers/:id/erase');
    if (!r.ok) throw refused(r.error);
    return { now: helpdesk.now(), customerId: id, erased: r.value.counts };
  });
}
