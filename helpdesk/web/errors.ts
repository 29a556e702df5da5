/**
 * Errors of the dashboard API are data with codes: every failure answers
 *   { error: { code, message, fields? } }
 * with a fitting status. Input is checked with zod; its issues become field-level messages.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { issueFields } from '../../contracts/issues.js';
import { codeTable } from '../../contracts/errors.js';

export const WEB_ERR = codeTable({
  INPUT: 'EVN_ERR_INPUT',
  JSON: 'EVN_ERR_JSON',
  MEDIA_TYPE: 'EVN_ERR_MEDIA_TYPE',
  TOO_LARGE: 'EVN_ERR_TOO_LARGE',
  BODY: 'EVN_ERR_BODY',
  REQUEST: 'EVN_ERR_REQUEST',
  UNAUTHENTICATED: 'EVN_ERR_UNAUTHENTICATED',
  LOGIN: 'EVN_ERR_LOGIN',
  LOGIN_THROTTLED: 'EVN_ERR_LOGIN_THROTTLED',
  CSRF: 'EVN_ERR_CSRF',
  NOT_FOUND: 'EVN_ERR_NOT_FOUND',
  TICKET_NOT_FOUND: 'EVN_ERR_TICKET_NOT_FOUND',
  DEVICE_NOT_FOUND: 'EVN_ERR_DEVICE_NOT_FOUND',
  LOAD_NOT_FOUND: 'EVN_ERR_LOAD_NOT_FOUND',
  PROBLEM_NOT_FOUND: 'EVN_ERR_PROBLEM_NOT_FOUND',
  TICKET_STALE: 'EVN_ERR_TICKET_STALE',
  INTERNAL: 'EVN_ERR_INTERNAL',
});

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** response headers that go with the error (Retry-After) */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** zod issues -> { 'a.b': 'message' } (the first message per field); `prefix` names where the value came from. */
export const fieldsOf = (issues: readonly z.core.$ZodIssue[], prefix = ''): Record<string, string> => issueFields(issues, prefix);

/** Parses or throws a 400 EVN_ERR_INPUT with field errors. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(400, WEB_ERR.INPUT, `invalid ${where}`, fieldsOf(r.error.issues, where === 'body' ? '' : where));
}

const CTP = new Map<string, [number, string, string]>([
  ['FST_ERR_CTP_INVALID_JSON_BODY', [400, WEB_ERR.JSON, 'the body is not valid JSON']],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', [400, WEB_ERR.JSON, 'the body is empty but the content type is application/json']],
  ['FST_ERR_CTP_BODY_TOO_LARGE', [413, WEB_ERR.TOO_LARGE, 'the body is too large']],
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', [415, WEB_ERR.MEDIA_TYPE, 'send JSON with content-type application/json']],
]);
const INTERNAL_MESSAGE = 'internal error; the helpdesk keeps running';
const MAX_LOGGED_URL = 200;

/** `x` when it is a string of sensible length, else undefined (what a thrown value carries is not trusted) */
const text = (x: unknown, max = 500): string | undefined => (typeof x === 'string' ? x.slice(0, max) : undefined);

/** A thrown value as an HttpError: ours as it is, fastify's 4xx mapped, everything else (bugs, non-errors) a bare 500. */
function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (typeof err !== 'object' || err === null) return null;
  const { code, statusCode: status, message } = err as Partial<FastifyError>;
  const msg = text(message) ?? 'the request cannot be read';
  if (typeof code === 'string') {
    const ctp = CTP.get(code);
    if (ctp) return new HttpError(...ctp);
    if (code.startsWith('FST_ERR_CTP_')) return new HttpError(typeof status === 'number' && status >= 400 && status < 500 ? status : 400, WEB_ERR.BODY, msg);
    if (code === 'EVN_ERR_TICKET_STALE') return new HttpError(409, WEB_ERR.TICKET_STALE, 'the ticket changed meanwhile; reload it and try again');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, WEB_ERR.REQUEST, msg);
  return null;
}

/**
 * Maps anything thrown in a route (or by fastify while reading the body) to a coded JSON error. Never
 * rethrows, whatever was thrown (null, a string, an object). Anything but our own HttpError and
 * fastify's 4xx is a bug: a 500 with only its code and a fixed message; the stack and the error's
 * own message go to the log, never to the client.
 */
export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): void => {
    let e = toHttpError(err);
    const url = req.url.slice(0, MAX_LOGGED_URL);
    if (!e) {
      log.error({ code: WEB_ERR.INTERNAL, err: err instanceof Error ? err : { thrown: typeof err }, url, method: req.method }, 'dashboard request failed');
      e = new HttpError(500, WEB_ERR.INTERNAL, INTERNAL_MESSAGE);
    }
    if (e.headers) void reply.headers(e.headers);
    void reply.code(e.status).type('application/json; charset=utf-8').send(e.body());
  };
}
