/**
 * HTTP for revocation. Admin listener: propose, approve, reject, list pending, answer appeals,
 * block or unblock one app for one person. Public listener (signed-in person): their
 * revocations and appeals, lodge an appeal, ask for their own revocation.
 */
import type { Services } from '../app/services.ts';
import { operatorBody } from '../authority/admin-auth.ts';
import type { RouteModule } from '../http/server.ts';
import type { RevocationService } from './revocation-service.ts';
import { REVOCATION_REASONS } from './tables.ts';

const tags = ['revocation'];
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;
const text = { type: 'string', minLength: 1, maxLength: 256 } as const;

export function revocationAdminRoutes(revocation: RevocationService): RouteModule {
  return (app) => {
    app.post('/admin/v1/revocations', {
      schema: {
        summary: "Propose revoking a person's credentials everywhere (reason from the closed list, reference)", tags,
        body: { type: 'object', additionalProperties: false, required: ['operator_id', 'person_id', 'reason', 'reference'], properties: { ...operatorBody, person_id: { type: 'string', format: 'uuid' }, reason: { enum: [...REVOCATION_REASONS] }, procedure: text, reference: text, source: { enum: ['operator', 'registry'] } } },
      },
    }, async (request, reply) => {
      const b = request.body as Record<string, string>;
      const row = await revocation.propose({ personId: b.person_id!, reason: b.reason as never, ...(b.procedure ? { procedure: b.procedure } : {}), reference: b.reference!, source: (b.source ?? 'operator') as 'operator' }, b.source === 'registry' ? 'registry' : b.operator_id!);
      return reply.status(201).send(row);
    });
    app.get('/admin/v1/revocations/pending', { schema: { summary: 'Proposals waiting for a second operator', tags } }, async () => ({ revocations: await revocation.pending() }));
    app.post('/admin/v1/revocations/:id/approve', { schema: { summary: 'Approve (a second operator) and apply', tags, params: idParams, body: { type: 'object', additionalProperties: false, required: ['operator_id'], properties: operatorBody } } }, async (request) =>
      revocation.approve((request.params as { id: string }).id, (request.body as { operator_id: string }).operator_id),
    );
    app.post('/admin/v1/revocations/:id/reject', { schema: { summary: 'Reject a proposal', tags, params: idParams, body: { type: 'object', additionalProperties: false, required: ['operator_id', 'reason'], properties: { ...operatorBody, reason: text } } } }, async (request) => {
      const b = request.body as { operator_id: string; reason: string };
      return revocation.reject((request.params as { id: string }).id, b.operator_id, b.reason);
    });
    app.get('/admin/v1/appeals', { schema: { summary: 'Open appeals an operator must answer', tags } }, async () => ({ appeals: await revocation.openAppeals() }));
    app.post('/admin/v1/appeals/:id/answer', { schema: { summary: 'Uphold or dismiss an appeal, with an answer to the person', tags, params: idParams, body: { type: 'object', additionalProperties: false, required: ['operator_id', 'decision', 'answer'], properties: { ...operatorBody, decision: { enum: ['uphold', 'dismiss'] }, answer: { type: 'string', minLength: 1, maxLength: 4000 } } } } }, async (request) => {
      const b = request.body as { operator_id: string; decision: 'uphold' | 'dismiss'; answer: string };
      return revocation.answerAppeal((request.params as { id: string }).id, b.operator_id, b.decision, b.answer);
    });
    app.post('/admin/v1/app-blocks', { schema: { summary: "Suspend one app's access for one person", tags, body: { type: 'object', additionalProperties: false, required: ['operator_id', 'person_id', 'client_id', 'reason', 'reference'], properties: { ...operatorBody, person_id: { type: 'string', format: 'uuid' }, client_id: text, reason: text, reference: text } } } }, async (request) => {
      const b = request.body as Record<string, string>;
      return { blocked: await revocation.blockApp(b.person_id!, b.client_id!, { reason: b.reason!, reference: b.reference! }, b.operator_id!) };
    });
    app.post('/admin/v1/app-blocks/remove', { schema: { summary: "Restore one app's access for one person", tags, body: { type: 'object', additionalProperties: false, required: ['operator_id', 'person_id', 'client_id'], properties: { ...operatorBody, person_id: { type: 'string', format: 'uuid' }, client_id: text } } } }, async (request) => {
      const b = request.body as Record<string, string>;
      return { unblocked: await revocation.unblockApp(b.person_id!, b.client_id!, b.operator_id!) };
    });
  };
}

export function revocationPersonRoutes(services: Services, revocation: RevocationService): RouteModule {
  const sessions = services.personSessions;
  return (app) => {
    app.get('/api/v1/me/revocations', { schema: { summary: 'My revocations and appeals, with how to appeal', tags } }, async (request) => {
      const session = await sessions.require(request);
      return { ...(await revocation.forPerson(session.personId)), credentials: await revocation.credentialStatus(session.personId) };
    });
    app.post('/api/v1/me/revocations', { schema: { summary: 'Revoke my own credentials everywhere (no second approval)', tags, body: { type: 'object', additionalProperties: false, required: ['reference'], properties: { reference: text } } } }, async (request, reply) => {
      const session = await sessions.require(request);
      const row = await revocation.propose({ personId: session.personId, reason: 'person_request', reference: (request.body as { reference: string }).reference, source: 'person' }, 'person');
      return reply.status(201).send(row);
    });
    app.post('/api/v1/me/revocations/:id/appeal', { schema: { summary: 'Appeal a revocation', tags, params: idParams, body: { type: 'object', additionalProperties: false, required: ['statement'], properties: { statement: { type: 'string', minLength: 1, maxLength: 4000 } } } } }, async (request, reply) => {
      const session = await sessions.require(request);
      const appeal = await revocation.lodgeAppeal(session.personId, (request.params as { id: string }).id, (request.body as { statement: string }).statement);
      return reply.status(201).send(appeal);
    });
  };
}
