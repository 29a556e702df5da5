/**
 * Deferrable loads: GET /loads and GET /loads/:customerId/:offerId, the latter with the tariff of the
 * plan's window (price per hour from the hour of the request to the deadline) when the dashboard has it.
 */
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HOUR_MS, hourIndex } from '../../schedule/tariff.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { loadView, namesOf } from '../views.js';

const Params = z.object({ customerId: z.string().max(64), offerId: z.string().max(64) });
const MAX_HOURS = 72;

export async function loadRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk, tariff } = deps;

  app.get('/loads', async () => {
    const names = namesOf(helpdesk.devices());
    return { now: helpdesk.now(), loads: helpdesk.loads().map((l) => loadView(l, names)).reverse() };
  });

  app.get('/loads/:customerId/:offerId', async (req) => {
    const p = parse(Params, req.params, 'params');
    const load = helpdesk
      .loads()
      .filter((l) => l.customerId === p.customerId && l.offerId === p.offerId)
      .pop();
    if (!load) throw new HttpError(404, WEB_ERR.LOAD_NOT_FOUND, `no load '${p.customerId}/${p.offerId}'`);
    const view = loadView(load, namesOf(helpdesk.devices()));
    let hours: Array<{ start: number; eurPerMwh: number; gridLoadMw: number }> | null = null;
    if (tariff) {
      const first = Math.floor(load.requestedAt / HOUR_MS) * HOUR_MS;
      const end = Math.max(load.deadline, view.runEnd ?? 0);
      hours = [];
      for (let t = first; t < end && hours.length < MAX_HOURS; t += HOUR_MS) {
        const i = hourIndex(tariff, t);
        if (i >= 0) hours.push({ start: t, eurPerMwh: tariff.eurPerMwh[i]!, gridLoadMw: tariff.gridLoadMw[i]! });
      }
    }
    return { now: helpdesk.now(), load: view, tariff: tariff && hours ? { source: basename(tariff.source), hours } : null };
  });
}
