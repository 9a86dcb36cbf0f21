/**
 * Builds the two listeners: the public one (the netid app, OIDC, status lists, transparency log,
 * public APIs) and the admin one (operator console, admin API; loopback only). Capabilities
 * contribute routes through `RouteModule`s; this file owns only the cross-cutting parts.
 */
import type { Socket } from 'node:net';
import fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { errorBody, HttpError, sendError } from './error-mapper.ts';
import { instrument, type Metrics } from './metrics.ts';
import { registerRateLimits, type RateLimitSettings } from './rate-limit.ts';
import { checkBody, checkLoopbackHost, checkUrl, objectJsonBodies } from './request-guard.ts';
import { CONTENT_SECURITY_POLICY, securityHeaderList, securityHeaders } from './security-headers.ts';

export type RouteModule = (app: FastifyInstance) => void | Promise<void>;

export interface ServerOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly https: boolean;
  readonly title: string;
  readonly routes: readonly RouteModule[];
  readonly readiness: () => Promise<boolean>;
  /** Serve /metrics here: only the admin listener does; the public one never serves it. */
  readonly exposeMetrics: boolean;
  readonly bodyLimit?: number;
  /** The abuse limits' counters and maxima (src/http/rate-limit.ts). */
  readonly rateLimits: RateLimitSettings;
  /** Reverse proxies whose X-Forwarded-For gives the client address (NETID_TRUSTED_PROXIES); false: none. */
  readonly trustProxy?: string[] | false;
  /**
   * The listener's one authorization decision (the admin listener's: src/app/admin-routes.ts). It
   * runs after routing, for every request, and decides on the route the router matched
   * (`request.routeOptions.url`, `request.is404`), never on the raw URL.
   */
  readonly authorize?: (request: FastifyRequest) => Promise<void>;
  /** Answer only requests whose Host is a loopback name with this listener's port (the admin listener). */
  readonly loopbackHostOnly?: boolean;
}

/**
 * Node's HTTP parser refuses some requests before fastify sees them (malformed request lines,
 * oversized headers): they still get a coded answer.
 */
function clientError(error: Error & { code?: string }, socket: Socket, https: boolean): void {
  if (!socket.writable) return void socket.destroy();
  const refusal = HttpError(error.code === 'HPE_HEADER_OVERFLOW' ? 'request.headers_too_large' : 'request.invalid');
  const body = JSON.stringify(errorBody(refusal, 'en'));
  const headers = [`content-type: application/json; charset=utf-8`, `content-length: ${Buffer.byteLength(body)}`, `content-security-policy: ${CONTENT_SECURITY_POLICY}`, 'cache-control: no-store', 'connection: close'];
  socket.end(`HTTP/1.1 ${refusal.status} ${refusal.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n${[...headers, ...securityHeaderList({ https }).map(([n, v]) => `${n}: ${v}`)].join('\r\n')}\r\n\r\n${body}`);
}

/** A route as registered: what a test enumerates to cover every route, hidden ones included. */
export interface ListedRoute {
  readonly method: string;
  readonly url: string;
  readonly hidden: boolean;
}

const routeLists = new WeakMap<FastifyInstance, ListedRoute[]>();

/** Every route of a listener built by buildServer (the HEAD routes fastify adds beside GET ones left out). */
export function routesOf(app: FastifyInstance): readonly ListedRoute[] {
  const listed = routeLists.get(app) ?? [];
  const gets = new Set(listed.filter((r) => r.method === 'GET').map((r) => r.url));
  return listed.filter((r) => r.method !== 'HEAD' || !gets.has(r.url));
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: options.logger as unknown as FastifyServerOptions['loggerInstance'],
    bodyLimit: options.bodyLimit ?? 12 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // The router's own refusals (a path that does not decode, an over-long parameter) go through the
    // error mapper like any other error: a code, and never the path echoed back.
    frameworkErrors: (error, request, reply) => {
      for (const [name, value] of securityHeaderList({ https: options.https })) reply.header(name, value);
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('cache-control', 'no-store');
      return sendError(error, request, reply);
    },
    clientErrorHandler: (error, socket) => clientError(error, socket, options.https),
  });
  const listed: ListedRoute[] = [];
  routeLists.set(app, listed);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      listed.push({ method, url: route.url ?? route.path, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
    }
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(HttpError('request.not_found'), request, reply));
  securityHeaders(app, { https: options.https });
  // At the root, so they cover every route module (each is registered in its own scope) and the
  // not-found handler. onRequest runs after routing: `authorize` sees the matched route.
  if (options.loopbackHostOnly) app.addHook('onRequest', checkLoopbackHost);
  app.addHook('onRequest', checkUrl);
  if (options.authorize) app.addHook('onRequest', options.authorize);
  app.addHook('preValidation', checkBody);
  objectJsonBodies(app);
  instrument(app, options.metrics);

  // A route opts in with `config: limited(…)`; a 429 goes through the error mapper.
  await registerRateLimits(app, options.rateLimits);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: '1', description: 'Errors answer {"error": "<stable code>", "message": "…"}; see docs/errors.md.' },
    },
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await options.readiness().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
  });
  if (options.exposeMetrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()));
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const routes of options.routes) await app.register(async (scope) => routes(scope));
  return app;
}
