/**
 * HTTP for revocation. Admin listener (machine token): reads — pending proposals, one revocation,
 * open appeals, blocks in force — and one write that needs no person: a revocation the registry
 * reported, applied only when the registry's own record confirms it (reportedByRegistry).
 * Proposing, approving and rejecting revocations, answering appeals and blocking apps are
 * operators' acts in the console, each with a passkey step-up. Public listener (signed-in
 * person): their revocations and appeals, lodge an appeal, ask for their own revocation.
 */
import type { Services } from '../app/services.ts';
import type { RouteModule } from '../http/server.ts';
import { RevocationError } from './errors.ts';
import { REGISTRY_REASONS, type RevocationService } from './revocation-service.ts';
import type { RevocationReasonCode } from './tables.ts';

const tags = ['revocation'];
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;
const text = { type: 'string', minLength: 1, maxLength: 256 } as const;

export function revocationAdminRoutes(revocation: RevocationService): RouteModule {
  return (app) => {
    app.post('/admin/v1/revocations/registry-reported', {
      schema: {
        summary: "A revocation the registry reported: applied at once only if the registry's record of the person's document confirms it (else 409 revocation.registry_not_confirmed, nothing stored)", tags,
        body: { type: 'object', additionalProperties: false, required: ['person_id', 'reason', 'reference'], properties: { person_id: { type: 'string', format: 'uuid' }, reason: { enum: [...REGISTRY_REASONS] }, reference: text } },
      },
    }, async (request, reply) => {
      const b = request.body as { person_id: string; reason: RevocationReasonCode; reference: string };
      return reply.status(201).send(await revocation.reportedByRegistry({ personId: b.person_id, reason: b.reason, reference: b.reference }));
    });
    app.get('/admin/v1/revocations/pending', { schema: { summary: 'Proposals waiting for a second operator (who approves in the console)', tags } }, async () => ({ revocations: await revocation.pending() }));
    app.get('/admin/v1/revocations/:id', { schema: { summary: 'One revocation', tags, params: idParams } }, async (request) => {
      const row = await revocation.find((request.params as { id: string }).id);
      if (!row) throw RevocationError('revocation.not_found');
      return row;
    });
    app.get('/admin/v1/appeals', { schema: { summary: 'Open appeals an operator must answer (in the console)', tags } }, async () => ({ appeals: await revocation.openAppeals() }));
    app.get('/admin/v1/app-blocks', { schema: { summary: "Per-app blocks in force, newest first (blocking and lifting are operators' acts in the console)", tags } }, async () => ({ blocks: await revocation.blocks() }));
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
