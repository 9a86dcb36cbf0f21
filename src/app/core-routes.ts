/**
 * Public routes that belong to no single capability: the service's public keys.
 */
import type { RouteModule } from '../http/server.ts';
import type { Services } from './services.ts';

export function coreRoutes(services: Pick<Services, 'keys'>): RouteModule {
  return (app) => {
    app.get('/jwks.json', {
      schema: { summary: 'Public signing keys (JWKS) of netid: web certificates, status lists, ID tokens', tags: ['keys'] },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return services.keys.publicJwks();
    });
  };
}
