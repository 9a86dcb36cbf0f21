/**
 * Prometheus metrics (prom-client). One registry per service instance, so two instances in one
 * process (tests) do not collide.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Histogram<'method' | 'route' | 'status'>;
  /** Domain counters other capabilities increment, by name. */
  counter(name: string, help: string, labelNames?: string[]): Counter<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({ name: 'netid_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['method', 'route', 'status'] as const, registers: [registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
  const counters = new Map<string, Counter<string>>();
  return {
    registry,
    requests,
    counter(name, help, labelNames = []) {
      let c = counters.get(name);
      if (!c) counters.set(name, (c = new Counter({ name, help, labelNames, registers: [registry] })));
      return c;
    },
  };
}

export function instrument(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
