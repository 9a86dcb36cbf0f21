/**
 * Static assets of the web pages: /static/netid.css, /static/icon.svg, client scripts
 * (/static/client/*.js), the @simplewebauthn/browser ESM build (/static/vendor/simplewebauthn/…) and
 * the uqr QR encoder (/static/vendor/uqr.mjs).
 * Also /lang, which sets the language cookie and returns to the page the person was on.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from '../http/error-mapper.ts';
import { setPageLang } from './layout.ts';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const VENDOR_WEBAUTHN = fileURLToPath(new URL('../../node_modules/@simplewebauthn/browser/esm/', import.meta.url));
const VENDOR_UQR = fileURLToPath(new URL('../../node_modules/uqr/dist/index.mjs', import.meta.url));

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };

function safeFile(root: string, relative: string): string | undefined {
  if (!/^[\w./-]+$/.test(relative) || relative.includes('..')) return undefined;
  const path = normalize(join(root, relative));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return existsSync(path) ? path : undefined;
}

/**
 * A handler for a `…/*` route that serves the files of one folder (CSS, scripts, SVG), read once
 * and kept in memory, cacheable for five minutes; anything outside the folder, of another kind,
 * or (when `names` is given) with a name it does not match is the coded 404 (`request.not_found`).
 */
export function folderFiles(root: string, names?: RegExp): (request: { params: unknown }, reply: FastifyReply) => Promise<FastifyReply> {
  const cache = new Map<string, Buffer>();
  return async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const path = safeFile(root, relative);
    const ext = relative.split('.').pop() ?? '';
    if (!path || !TYPES[ext] || (names && !names.test(relative))) throw HttpError('request.not_found');
    let body = cache.get(path);
    if (!body) {
      body = readFileSync(path);
      cache.set(path, body);
    }
    return reply.type(TYPES[ext]!).header('cache-control', 'public, max-age=300').send(body);
  };
}

/** Registers /static/* and /lang on a listener (both the public and the admin one use it). */
export function staticRoutes(app: FastifyInstance): void {
  app.get('/static/client/*', { schema: { hide: true } }, folderFiles(CLIENT_DIR));
  app.get('/static/vendor/simplewebauthn/*', { schema: { hide: true } }, folderFiles(VENDOR_WEBAUTHN));
  // uqr: the QR encoder of the home page's dynamic QR (one dependency-free ES module).
  app.get('/static/vendor/uqr.mjs', { schema: { hide: true } }, async (_request, reply) => reply.type(TYPES.js!).header('cache-control', 'public, max-age=300').send(readFileSync(VENDOR_UQR)));
  app.get('/static/*', { schema: { hide: true } }, folderFiles(STATIC_DIR));

  app.get('/lang', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as { to?: string; back?: string };
    const lang = query.to === 'en' ? 'en' : 'zh-CN';
    const back = typeof query.back === 'string' && query.back.startsWith('/') && !query.back.startsWith('//') ? query.back : '/';
    setPageLang(reply, lang);
    return reply.redirect(back, 303);
  });
}
