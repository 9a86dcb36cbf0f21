/**
 * The admin listener's bearer-token check for route modules registered beside adminRoutes (each
 * module is its own fastify scope, so the hook of src/app/admin-routes.ts does not cover it).
 * The operator acting is named by `operator_id` in the body until operator sign-in lands.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/error-mapper.ts';

export function requireAdminToken(app: FastifyInstance, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  app.addHook('onRequest', async (request) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw HttpError('request.unauthenticated');
  });
}

export const operatorBody = { operator_id: { type: 'string', minLength: 1, maxLength: 128 } } as const;
