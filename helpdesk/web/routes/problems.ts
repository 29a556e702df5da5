/**
 * Mass incidents: GET /problems (newest first, one row each: count, cause, opened, state) and
 * GET /problems/:id (with its linked tickets' summaries).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROBLEM_STATES } from '../../problems/store.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { problemDetail, problemSummary } from '../problem-views.js';
import { DEFAULT_SLA_MINUTES } from '../sla.js';
import { namesOf } from '../views.js';

export const MAX_PROBLEMS = 500;

const ListQuery = z.object({
  state: z.enum(PROBLEM_STATES).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `limit: a whole number from 1 to ${MAX_PROBLEMS}`)
    .transform(Number)
    .pipe(z.number().min(1, 'limit: at least 1').max(MAX_PROBLEMS, `limit: at most ${MAX_PROBLEMS}`))
    .default(100),
});
const Id = z.object({ id: z.string() });

export async function problemRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk } = deps;
  const sla = deps.sla ?? DEFAULT_SLA_MINUTES;

  app.get('/problems', async (req) => {
    const q = parse(ListQuery, req.query, 'query');
    const names = namesOf(helpdesk.devices());
    const problems = helpdesk.problems?.({ ...(q.state ? { state: q.state } : {}), limit: q.limit });
    return { now: helpdesk.now(), problems: (problems ?? []).map((p) => problemSummary(p, names, helpdesk.ticket)) };
  });

  app.get('/problems/:id', async (req) => {
    const { id } = parse(Id, req.params, 'params');
    const p = id.length <= 100 ? (helpdesk.problem?.(id) ?? null) : null;
    if (!p) throw new HttpError(404, WEB_ERR.PROBLEM_NOT_FOUND, `no problem '${id.slice(0, 100)}'`);
    const now = helpdesk.now();
    return { now, problem: problemDetail(p, now, namesOf(helpdesk.devices()), helpdesk.ticket, sla) };
  });
}
