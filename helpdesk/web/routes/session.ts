/**
 * Login, the current session (with its CSRF token) and logout. Login runs under the login guard
 * (login/guard.ts: per-address and per-name locks, bounded scrypt concurrency) behind a coarse
 * per-address request limit (@fastify/rate-limit, policy.requestsPerMinute).
 */
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PASSWORD_MAX } from '../../staff/store.js';
import { me, SESSION_COOKIE } from '../auth.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import type { LoginGuard } from '../login/guard.js';
import type { LoginPolicy } from '../login/policy.js';
import type { StreamRegistry } from '../streams.js';
import { siteZone } from '../views.js';

const Login = z.strictObject({
  name: z.string().trim().min(1, 'enter your name').max(40, 'at most 40 characters'),
  password: z.string().min(1, 'enter your password').max(PASSWORD_MAX, `at most ${PASSWORD_MAX} characters`),
});

/** the source address a login is counted under: IPv4 as it is, IPv6 by its /64 (one host's usual share) */
export const sourceOf = (req: FastifyRequest): string => normalizeIP(req.ip, 64);

export async function sessionRoutes(
  app: FastifyInstance,
  deps: DashboardDeps & { streams: StreamRegistry; guard: LoginGuard; policy: LoginPolicy },
): Promise<void> {
  const cookie = (maxAgeS: number) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: deps.secureCookie ?? false,
    maxAge: maxAgeS,
  });

  /** the session and its live streams */
  const endSession = (id: string): void => {
    deps.staff.deleteSession(id);
    deps.streams.endSession(id);
  };

  const rateLimit = {
    max: deps.policy.requestsPerMinute,
    timeWindow: 60_000,
    keyGenerator: sourceOf,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) =>
      new HttpError(429, WEB_ERR.LOGIN_THROTTLED, `too many login requests from this address: try again in ${Math.max(1, Math.ceil(ctx.ttl / 1000))} s`),
  };

  // timeZone (here and in GET): the zone of the page's event-time clock; a ticket's, device's or load's times come with its customer's
  app.post('/session', { config: { public: true, rateLimit } }, async (req, reply) => {
    const body = parse(Login, req.body);
    const name = await deps.guard.login(sourceOf(req), body.name, () => deps.staff.verify(body.name, body.password));
    if (req.staff) endSession(req.staff.id);
    const s = deps.staff.createSession(name);
    deps.log.info({ staff: name }, 'staff logged in');
    void reply.setCookie(SESSION_COOKIE, s.id, cookie(Math.floor(s.ttlMs / 1000)));
    return { user: { name }, csrf: s.csrf, expiresAt: s.expiresAt, timeZone: siteZone(deps.helpdesk.devices()) };
  });

  app.get('/session', async (req) => {
    const s = me(req);
    return { user: { name: s.name }, csrf: s.csrf, expiresAt: s.expiresAt, timeZone: siteZone(deps.helpdesk.devices()) };
  });

  app.delete('/session', async (req, reply) => {
    endSession(me(req).id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
}
