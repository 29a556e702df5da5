/**
 * Every API call but login needs a session (cookie `evn_session`: HttpOnly, SameSite=Strict, Path=/);
 * state-changing calls also need the header X-CSRF-Token equal to the session's token. Runs as an
 * onRequest hook, before the body is read: an anonymous request never gets its body parsed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { StaffSession, StaffStore } from '../staff/store.js';
import { HttpError, WEB_ERR } from './errors.js';

export const SESSION_COOKIE = 'evn_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    staff: (StaffSession & { id: string }) | null;
  }
  interface FastifyContextConfig {
    /** true: no session needed (login) */
    public?: boolean;
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authHook(staff: StaffStore) {
  return async (req: FastifyRequest): Promise<void> => {
    const id = req.cookies[SESSION_COOKIE];
    const s = id ? staff.session(id) : null;
    req.staff = s && id ? { ...s, id } : null;
    if (req.routeOptions.config.public) return;
    if (!req.staff) throw new HttpError(401, WEB_ERR.UNAUTHENTICATED, 'log in first: POST /api/v1/session');
    if (SAFE_METHODS.has(req.method)) return;
    const header = req.headers[CSRF_HEADER];
    if (typeof header !== 'string' || !sameToken(header, req.staff.csrf)) {
      throw new HttpError(403, WEB_ERR.CSRF, `state-changing requests need the ${CSRF_HEADER} header from GET /api/v1/session`);
    }
  };
}

/** The logged-in staff member of a request that passed the hook. */
export function me(req: FastifyRequest): StaffSession & { id: string } {
  if (!req.staff) throw new HttpError(401, WEB_ERR.UNAUTHENTICATED, 'log in first: POST /api/v1/session');
  return req.staff;
}
