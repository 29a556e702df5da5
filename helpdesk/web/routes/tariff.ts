/**
 * GET /tariff: where the helpdesk's prices come from and how that source is doing — the provider,
 * its label and fallback, the zone, the last refresh and its error (a feed that failed says so here,
 * with its code), when it tries next, and until when prices are known. 404 when the dashboard was
 * started without a tariff; a plain tariff as tariffProvider describes it (a file read once).
 */
import type { FastifyInstance } from 'fastify';
import type { TariffInput } from '../../schedule/source.js';
import type { Tariff } from '../../schedule/tariff.js';
import { tariffProvider, type TariffProvider, type TariffStatus } from '../../tariffs/provider.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, WEB_ERR } from '../errors.js';

const isTariff = (t: TariffInput): t is Tariff => 'eurPerMwh' in t;
const isProvider = (t: TariffInput): t is TariffProvider => typeof (t as TariffProvider).status === 'function';

function statusOf(t: TariffInput): TariffStatus {
  if (isProvider(t)) return t.status();
  if (isTariff(t)) return tariffProvider(t).status();
  // a bare source of snapshots: what it says of itself
  const snap = t.current();
  return { provider: 'file', label: snap.primary.label, fallback: snap.fallback?.label ?? null, timeZone: snap.timeZone, lastRefreshAt: null, lastAttemptAt: null, nextRefreshAt: null, lastError: snap.problem, pricedFrom: null, pricedUntil: null, slotMinutes: null };
}

export async function tariffRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  app.get('/tariff', async () => {
    if (!deps.tariff) throw new HttpError(404, WEB_ERR.NOT_FOUND, 'this dashboard was started without a tariff');
    return { tariff: statusOf(deps.tariff) };
  });
}
