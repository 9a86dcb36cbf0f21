/**
 * The admin API on the loopback-only admin listener: what the `netid` CLI calls while the service
 * runs (the embedded database allows one process). Bearer token from the data directory.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/error-mapper.ts';
import type { RouteModule } from '../http/server.ts';
import { importRegistryFile } from '../registry/registry-import.ts';
import type { Services } from './services.ts';

/** Routes of the admin listener that need no bearer token, by the pattern the router matched. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/api/openapi.json', '/lang']);
/**
 * The operator console (src/console/routes.ts) and the stylesheets and scripts its pages load:
 * the console authenticates operators by its own session and passkeys, not by the machine token.
 */
const isConsoleRoute = (route: string) => route === '/' || route === '/console' || route.startsWith('/console/') || route.startsWith('/static/');

/**
 * The admin listener's one authorization decision, deny by default: every route needs the bearer
 * token unless it is one of the open routes above. Taken after routing, on the route the router
 * matched (which it found in the decoded path), so no spelling of a path can reach a route
 * without the decision that route gets. A request that matched no route gets the 404 answer.
 */
export function adminAuthorization(token: string): (request: FastifyRequest) => Promise<void> {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (request) => {
    if (request.is404) return;
    const route = request.routeOptions.url;
    if (route !== undefined && (OPEN_ROUTES.has(route) || isConsoleRoute(route))) return;
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw HttpError('request.unauthenticated');
  };
}

export function adminRoutes(services: Services): RouteModule {
  return (app) => {

    app.post('/admin/v1/registry/import', {
      schema: { summary: 'Import a registry file (JSON Lines) from a path on this machine', tags: ['registry'], body: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1 } } } },
    }, async (request) => {
      if (!services.embeddedRegistry) throw HttpError('request.forbidden');
      const { path } = request.body as { path: string };
      return importRegistryFile({ registry: services.embeddedRegistry, faceEngine: services.faceEngine, now: services.now }, { path, channel: 'admin_api' });
    });

    app.get('/admin/v1/registry/stats', { schema: { summary: 'Embedded registry record counts', tags: ['registry'] } }, async () => {
      if (!services.embeddedRegistry) throw HttpError('request.forbidden');
      return services.embeddedRegistry.stats();
    });

    app.get('/admin/v1/keys', { schema: { summary: 'Signing keys and their states', tags: ['keys'] } }, async () => ({ keys: await services.keys.list() }));

    app.post('/admin/v1/keys/rotate', {
      schema: { summary: 'Add a new active signing key; the old one stays published for verification', tags: ['keys'], body: { type: 'object', required: ['alg'], additionalProperties: false, properties: { alg: { enum: ['ES256', 'EdDSA'] } } } },
    }, async (request) => ({ kid: await services.keys.rotate((request.body as { alg: 'ES256' | 'EdDSA' }).alg) }));

    app.post('/admin/v1/keys/:kid/retire', { schema: { summary: 'Stop publishing a verify-only key', tags: ['keys'], params: { type: 'object', properties: { kid: { type: 'string' } } } } }, async (request) => {
      const retired = await services.keys.retire((request.params as { kid: string }).kid);
      if (!retired) throw HttpError('request.not_found');
      return { retired: true };
    });
  };
}
