/**
 * The dashboard as a fastify app, not listening (server.ts listens): the page, and the REST API under
 * /api/v1 for everything the page does. Every API call but login needs a session; every failure is a
 * coded JSON error; nothing a client sends can take the helpdesk down.
 */
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HelpdeskEvent } from '../events.js';
import { authHook } from './auth.js';
import { auditHook } from './audit.js';
import { customerRoutes } from './routes/customers.js';
import type { DashboardDeps } from './deps.js';
import { errorHandler, HttpError, WEB_ERR } from './errors.js';
import { createLiveHub } from './live.js';
import { createLoginGuard } from './login/guard.js';
import { loginPolicy } from './login/policy.js';
import { deviceRoutes } from './routes/devices.js';
import { eventRoutes } from './routes/events.js';
import { loadRoutes } from './routes/loads.js';
import { problemRoutes } from './routes/problems.js';
import { problemSummary } from './problem-views.js';
import { tariffRoutes } from './routes/tariff.js';
import { sessionRoutes } from './routes/session.js';
import { ticketActionRoutes } from './routes/ticket-actions.js';
import { ticketRoutes } from './routes/tickets.js';
import { DEFAULT_SLA_MINUTES } from './sla.js';
import { SECURITY_HEADERS, staticRoutes } from './static.js';
import { createStreamRegistry } from './streams.js';
import { loadView, namesOf, ticketSummary } from './views.js';

export type { DashboardDeps } from './deps.js';

/** how often (wall time) open live streams are checked against their sessions, by default */
export const DEFAULT_LIVE_SESSION_CHECK_MS = 5000;

export function buildApp(deps: DashboardDeps): FastifyInstance {
  const { helpdesk } = deps;
  const onError = errorHandler(deps.log);
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'dashboard' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // a hijacked event stream is never idle: end the streams (preClose), then close the rest
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 200 },
    // errors fastify meets before routing (a too long path parameter, a bad URL) get coded bodies too
    frameworkErrors: (err, req, reply) => onError(err, req, reply),
  });

  const render = (e: HelpdeskEvent): unknown => {
    switch (e.type) {
      case 'ticket':
        // the summary, like GET /tickets (the page fetches the timeline of the ticket it shows)
        return { at: e.at, note: e.note, ticket: ticketSummary(e.ticket, helpdesk.now(), namesOf(helpdesk.devices()), deps.sla ?? DEFAULT_SLA_MINUTES) };
      case 'availability':
        return { at: e.at, customerId: e.customerId, deviceId: e.deviceId, online: e.online };
      case 'load':
        return { at: e.at, load: loadView(e.load, namesOf(helpdesk.devices())) };
      case 'problem':
        // one row of the queue: count, cause, opened, state and the linked ticket ids (no ticket details)
        return { at: e.at, note: e.note, problem: problemSummary(e.problem, namesOf(helpdesk.devices()), helpdesk.ticket) };
      case 'telemetry':
        return null;
    }
  };
  const hub = createLiveHub({ helpdesk, render });
  const streams = createStreamRegistry();
  let sweep: NodeJS.Timeout | undefined;
  // the app listens to the helpdesk from ready() (listen and inject call it) until close(); streams
  // of sessions that expired (or were deleted elsewhere) end at the next sweep (wall time: an I/O edge)
  app.addHook('onReady', async () => {
    hub.start();
    sweep = setInterval(() => streams.sweep((id) => deps.staff.session(id) !== null), deps.liveSessionCheckMs ?? DEFAULT_LIVE_SESSION_CHECK_MS);
    sweep.unref();
  });
  app.addHook('preClose', async () => {
    clearInterval(sweep);
    streams.endAll();
  });
  app.addHook('onClose', async () => hub.stop());

  // JSON only: a text/plain body is a 415, not a string that fails validation
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(onError);
  app.setNotFoundHandler((req, reply) => {
    const e = new HttpError(404, WEB_ERR.NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`);
    void reply.code(404).send(e.body());
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.headers(SECURITY_HEADERS);
    return payload;
  });

  const policy = loginPolicy(deps.login);
  const guard = createLoginGuard(policy, deps.log.child({ component: 'dashboard' }));

  void app.register(cookie);
  // routes opt in (the login); everything else is limited by its session
  void app.register(rateLimit, { global: false });
  void app.register(staticRoutes);
  void app.register(
    async (api) => {
      api.decorateRequest('staff', null);
      api.addHook('onRequest', authHook(deps.staff));
      // a staff view of one customer's data is written to their audit log before it is answered
      api.addHook('onSend', auditHook(deps));
      await sessionRoutes(api, { ...deps, streams, guard, policy });
      await ticketRoutes(api, deps);
      await ticketActionRoutes(api, deps);
      await problemRoutes(api, deps);
      await deviceRoutes(api, deps);
      await customerRoutes(api, deps);
      await loadRoutes(api, deps);
      await tariffRoutes(api, deps);
      await eventRoutes(api, { ...deps, hub, streams });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
