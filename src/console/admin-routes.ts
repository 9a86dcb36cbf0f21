/**
 * Admin API for operators (loopback admin listener, bearer token): what `netid operator create`
 * calls while the service runs.
 */
import type { Services } from '../app/services.ts';
import type { RouteModule } from '../http/server.ts';
import { OPERATOR_ROLES } from './tables.ts';
import { createOperator } from './wiring.ts';
import { OperatorRepository } from './operator-repository.ts';

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

    app.get('/admin/v1/operators', { schema: { summary: 'Console operators and auditors', tags } }, async () => ({
      operators: (await new OperatorRepository({ db: services.database.db }).list()).map((o) => ({ operator_id: o.id, name: o.name, role: o.role, status: o.status, created_at: o.createdAt.toISOString() })),
    }));
  };
}
