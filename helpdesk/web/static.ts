/**
 * The page itself: helpdesk/web/public/ (plain HTML, CSS and JS modules, no build step) and uPlot
 * from node_modules/uplot/dist. Everything is served from here: no CDN, works offline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError, WEB_ERR } from './errors.js';

export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));

// Maps, not object literals: a name from the URL ('constructor', '__proto__') must never find a prototype's member
const TYPES = new Map<string, string>([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
]);
const VENDOR = new Map<string, string>([
  ['uplot.js', path.join(UPLOT_DIR, 'uPlot.iife.min.js')],
  ['uplot.css', path.join(UPLOT_DIR, 'uPlot.min.css')],
]);
const SAFE_PATH = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_.-]*)*\.[a-z]{2,4}$/;

export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

async function sendFile(reply: FastifyReply, file: string, cache: string): Promise<FastifyReply> {
  const type = TYPES.get(path.extname(file));
  if (!type) throw new HttpError(404, WEB_ERR.NOT_FOUND, 'not found');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    throw new HttpError(404, WEB_ERR.NOT_FOUND, 'not found');
  }
  return reply.type(type).header('cache-control', cache).send(body);
}

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', (_req, reply) => sendFile(reply, path.join(PUBLIC_DIR, 'index.html'), 'no-cache'));
  app.get('/assets/*', (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    if (!SAFE_PATH.test(rel)) throw new HttpError(404, WEB_ERR.NOT_FOUND, 'not found');
    const file = path.join(PUBLIC_DIR, rel);
    if (!file.startsWith(PUBLIC_DIR)) throw new HttpError(404, WEB_ERR.NOT_FOUND, 'not found');
    return sendFile(reply, file, 'no-cache');
  });
  app.get('/vendor/:file', (req, reply) => {
    const file = VENDOR.get((req.params as { file: string }).file);
    if (!file) throw new HttpError(404, WEB_ERR.NOT_FOUND, 'not found');
    return sendFile(reply, file, 'public, max-age=86400');
  });
}
