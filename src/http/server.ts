/**
 * Builds the two listeners: the public one (the netid app, OIDC, status lists, transparency log,
 * public APIs) and the admin one (operator console, admin API; loopback only). Capabilities
 * contribute routes through `RouteModule`s; this file owns only the cross-cutting parts.
 */
import fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { HttpError, sendError } from './error-mapper.ts';
import { instrument, type Metrics } from './metrics.ts';
import { registerRateLimits, type RateLimitSettings } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';

export type RouteModule = (app: FastifyInstance) => void | Promise<void>;

export interface ServerOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly https: boolean;
  readonly title: string;
  readonly routes: readonly RouteModule[];
  readonly readiness: () => Promise<boolean>;
  /** Serve /metrics here (the admin listener; the public one keeps it private). */
  readonly exposeMetrics: boolean;
  readonly bodyLimit?: number;
  /** The abuse limits' counters and maxima (src/http/rate-limit.ts). */
  readonly rateLimits: RateLimitSettings;
  /** Reverse proxies whose X-Forwarded-For gives the client address (NETID_TRUSTED_PROXIES); false: none. */
  readonly trustProxy?: string[] | false;
  /** Runs before every route of this listener (the admin listener's bearer-token check). */
  readonly authenticate?: (request: FastifyRequest) => Promise<void>;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: options.logger as unknown as FastifyServerOptions['loggerInstance'],
    bodyLimit: options.bodyLimit ?? 12 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(HttpError('request.not_found'), request, reply));
  securityHeaders(app, { https: options.https });
  // At the root, so it covers every route module (each is registered in its own scope).
  if (options.authenticate) app.addHook('onRequest', options.authenticate);
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
