/**
 * Checks every request passes before any route sees it, on both listeners:
 *
 * - Its path is in plain form. The router decodes percent-encoding before it matches, so
 *   `/%61dmin/v1/keys` and `/admin/v1/keys` are the same route; a decision taken on the raw URL
 *   could be walked around that way. netid decides on the matched route (src/http/server.ts) and,
 *   besides, refuses paths that only an evasion would send: encoded unreserved characters (letters,
 *   digits, `-._~`), empty segments (`//`) and dot segments (`.`, `..`, also encoded).
 * - No U+0000 in its path, query or body strings: PostgreSQL text cannot store it, and no
 *   identifier, name or document ever contains it.
 * - A JSON body is an object: every JSON body netid takes is one, and a handler reading a field
 *   of `null` or of a number would fail with a 500.
 * - On the admin listener, its Host is one of the loopback names with this listener's port, so a
 *   page on another site that rebinds its DNS name to 127.0.0.1 cannot reach the admin API or the
 *   console with the browser's help.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './error-mapper.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Why `path` (raw, before `?`) is not in plain form, or undefined when it is. */
export function nonCanonical(path: string): string | undefined {
  if (path.includes('//')) return 'empty segment';
  for (const match of path.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    if (UNRESERVED.test(String.fromCharCode(Number.parseInt(match[1]!, 16)))) return 'encoded unreserved character';
  }
  // Encoded dots were refused above.
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'dot segment';
  return undefined;
}

/** onRequest: the URL's form and content. */
export async function checkUrl(request: FastifyRequest): Promise<void> {
  const url = request.raw.url ?? '/';
  if (/%00/.test(url)) throw HttpError('request.invalid', { problems: 'the address contains U+0000' });
  const query = url.indexOf('?');
  const reason = nonCanonical(query < 0 ? url : url.slice(0, query));
  if (reason) throw HttpError('request.path_not_canonical', { problems: reason });
}

/** True when a string anywhere in `value` (keys included) contains U+0000. Iterative: bodies may nest deeply. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (item && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/** preValidation: the parsed body (JSON or form), before any schema or handler. */
export async function checkBody(request: FastifyRequest): Promise<void> {
  if (containsNul(request.body)) throw HttpError('request.invalid', { problems: 'the body contains U+0000' });
}

/** onRequest on the admin listener: Host must be `localhost`, `127.0.0.1` or `[::1]` with the port the connection came in on. */
export async function checkLoopbackHost(request: FastifyRequest): Promise<void> {
  const port = request.socket.localPort;
  const host = (request.headers.host ?? '').toLowerCase();
  if (port === undefined || !['localhost', '127.0.0.1', '[::1]'].some((name) => host === `${name}:${port}`)) throw HttpError('request.host_not_allowed');
}

/**
 * fastify's JSON parser (which refuses `__proto__` and `constructor.prototype` keys), refusing any
 * body but an object with 400 `request.invalid`.
 */
export function objectJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return done(HttpError('request.invalid', { problems: 'the body must be a JSON object' }), undefined);
      done(null, value);
    });
  });
}
