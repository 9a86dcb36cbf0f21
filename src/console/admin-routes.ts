/**
 * Admin API for operators (loopback admin listener, bearer token): what `netid operator create`
 * calls while the service runs, and `netid operator list|disable`.
 */
import type { Services } from '../app/services.ts';
import type { RouteModule } from '../http/server.ts';
import { OPERATOR_ROLES } from './tables.ts';
import { createOperator, disableOperator, listOperators } from './wiring.ts';

const tags = ['operators'];

export function operatorAdminRoutes(services: Services): RouteModule {
  return (app) => {
    app.post('/admin/v1/operators', {
      schema: {
        summary: 'Create a console operator or auditor; answers a one-time enrolment link (24 h)',
        tags,
        body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, role: { enum: [...OPERATOR_ROLES] } } },
      },
    }, async (request, reply) => reply.status(201).send(await createOperator(services, request.body as { name: string; role: string }, request.socket.localPort ?? services.config.NETID_ADMIN_PORT)));

    app.get('/admin/v1/operators', { schema: { summary: 'Console operators and auditors, with when each last signed in', tags } }, async () => listOperators(services));

    app.post('/admin/v1/operators/:id/disable', {
      schema: { summary: 'Disable a console operator or auditor (their sessions end at once)', tags, params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } },
    }, async (request) => disableOperator(services, (request.params as { id: string }).id));
  };
}
