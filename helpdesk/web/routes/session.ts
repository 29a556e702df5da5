/** Login, the current session (with its CSRF token) and logout. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PASSWORD_MAX } from '../../staff/store.js';
import { me, SESSION_COOKIE } from '../auth.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import type { StreamRegistry } from '../streams.js';

const Login = z.strictObject({
  name: z.string().trim().min(1, 'enter your name').max(40, 'at most 40 characters'),
  password: z.string().min(1, 'enter your password').max(PASSWORD_MAX, `at most ${PASSWORD_MAX} characters`),
});

export async function sessionRoutes(app: FastifyInstance, deps: DashboardDeps & { streams: StreamRegistry }): Promise<void> {
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

  app.post('/session', { config: { public: true } }, async (req, reply) => {
    const body = parse(Login, req.body);
    const name = await deps.staff.verify(body.name, body.password);
    if (!name) throw new HttpError(401, WEB_ERR.LOGIN, 'unknown name or wrong password');
    if (req.staff) endSession(req.staff.id);
    const s = deps.staff.createSession(name);
    deps.log.info({ staff: name }, 'staff logged in');
    void reply.setCookie(SESSION_COOKIE, s.id, cookie(Math.floor(s.ttlMs / 1000)));
    return { user: { name }, csrf: s.csrf, expiresAt: s.expiresAt };
  });

  app.get('/session', async (req) => {
    const s = me(req);
    return { user: { name: s.name }, csrf: s.csrf, expiresAt: s.expiresAt };
  });

  app.delete('/session', async (req, reply) => {
    endSession(me(req).id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
}
