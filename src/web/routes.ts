/**
 * The netid app's pages on the public listener. Pages call the JSON APIs of the other
 * capabilities from small client scripts; the server renders the first view.
 */
import type { RouteModule } from '../http/server.ts';
import type { Services } from '../app/services.ts';
import { staticRoutes } from './static-routes.ts';

export function webRoutes(_services: Services): RouteModule {
  return (app) => {
    staticRoutes(app);
  };
}
