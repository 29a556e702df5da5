/**
 * Errors of the dashboard API are data with codes: every failure answers
 *   { error: { code, message, fields? } }
 * with a fitting status. Input is checked with zod; its issues become field-level messages.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';

export const WEB_ERR = {
  INPUT: 'EVN_ERR_INPUT',
  JSON: 'EVN_ERR_JSON',
  MEDIA_TYPE: 'EVN_ERR_MEDIA_TYPE',
  TOO_LARGE: 'EVN_ERR_TOO_LARGE',
  BODY: 'EVN_ERR_BODY',
  REQUEST: 'EVN_ERR_REQUEST',
  UNAUTHENTICATED: 'EVN_ERR_UNAUTHENTICATED',
  LOGIN: 'EVN_ERR_LOGIN',
  CSRF: 'EVN_ERR_CSRF',
  NOT_FOUND: 'EVN_ERR_NOT_FOUND',
  TICKET_NOT_FOUND: 'EVN_ERR_TICKET_NOT_FOUND',
  DEVICE_NOT_FOUND: 'EVN_ERR_DEVICE_NOT_FOUND',
  LOAD_NOT_FOUND: 'EVN_ERR_LOAD_NOT_FOUND',
  TICKET_STALE: 'EVN_ERR_TICKET_STALE',
  INTERNAL: 'EVN_ERR_INTERNAL',
} as const;

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** zod issues -> { 'a.b': 'message' } (the first message per field); `prefix` names where the value came from. */
export function fieldsOf(issues: readonly z.core.$ZodIssue[], prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of issues) {
    const key = [prefix, ...i.path.map(String)].filter((s) => s !== '').join('.') || 'body';
    fields[key] ??= i.message;
  }
  return fields;
}

/** Parses or throws a 400 EVN_ERR_INPUT with field errors. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(400, WEB_ERR.INPUT, `invalid ${where}`, fieldsOf(r.error.issues, where === 'body' ? '' : where));
}

const CTP: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, WEB_ERR.JSON, 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, WEB_ERR.JSON, 'the body is empty but the content type is application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, WEB_ERR.TOO_LARGE, 'the body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, WEB_ERR.MEDIA_TYPE, 'send JSON with content-type application/json'],
};

/** Maps anything thrown in a route (or by fastify while reading the body) to a coded JSON error. Never rethrows. */
export function errorHandler(log: Logger) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void => {
    let e: HttpError;
    const code = (err as FastifyError).code;
    const status = (err as FastifyError).statusCode;
    if (err instanceof HttpError) e = err;
    else if (code && CTP[code]) e = new HttpError(...CTP[code]!);
    else if (code?.startsWith('FST_ERR_CTP_')) e = new HttpError(status && status < 500 ? status : 400, WEB_ERR.BODY, err.message);
    else if (status && status >= 400 && status < 500) e = new HttpError(status, WEB_ERR.REQUEST, err.message);
    else if (code === 'EVN_ERR_TICKET_STALE') e = new HttpError(409, WEB_ERR.TICKET_STALE, 'the ticket changed meanwhile; reload it and try again');
    else {
      log.error({ err, url: req.url, method: req.method }, 'dashboard request failed');
      e = new HttpError(500, WEB_ERR.INTERNAL, 'internal error; the helpdesk keeps running');
    }
    if (e.status >= 500) log.warn({ code: e.code, url: req.url }, e.message);
    void reply.code(e.status).type('application/json; charset=utf-8').send(e.body());
  };
}
