/**
 * Admin API for the relying-party registry (loopback admin listener; same bearer token as the
 * rest of the admin API): register, list, show with history, approve, suspend.
 */
import type { Services } from '../app/services.ts';
import { HttpError } from '../http/error-mapper.ts';
import type { RouteModule } from '../http/server.ts';
import { RelyingPartyRegistry, type Registration, type RelyingParty } from './registry.ts';

export function relyingPartyRegistryOf(services: Services): RelyingPartyRegistry {
  return new RelyingPartyRegistry({ db: services.database.db, sealer: services.sealer, now: services.now, log: (event, trx) => services.transparency.recordAccountableEvent(event, trx) });
}

/** The public view of a registration (no secret). */
export function describeRelyingParty(rp: RelyingParty): Record<string, unknown> {
  return {
    client_id: rp.clientId,
    name: rp.name,
    organisation: rp.organisation,
    category: rp.category,
    state: rp.state,
    redirect_uris: rp.redirectUris,
    post_logout_redirect_uris: rp.postLogoutRedirectUris,
    sector_identifier: rp.sectorIdentifier,
    token_endpoint_auth_method: rp.tokenEndpointAuthMethod,
    claims: rp.claims,
    required_acr: rp.requiredAcr,
    fapi2: rp.fapi2,
    backchannel_logout_uri: rp.backchannelLogoutUri,
    created_at: rp.createdAt,
    updated_at: rp.updatedAt,
  };
}

// No actor in the body: nothing a request says names who acts; the admin API records itself.
const transitionSchema = { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000 } } };
const idParams = { type: 'object', properties: { clientId: { type: 'string' } } };

export function relyingPartyAdminRoutes(services: Services): RouteModule {
  const registry = relyingPartyRegistryOf(services);
  return (app) => {
    app.post('/admin/v1/relying-parties', { schema: { summary: 'Register a relying party (state pending)', tags: ['relying-parties'], body: { type: 'object' } } }, async (request, reply) => {
      const { relyingParty, clientSecret } = await registry.register(request.body as Registration, 'admin-api');
      return reply.status(201).send({ ...describeRelyingParty(relyingParty), ...(clientSecret ? { client_secret: clientSecret } : {}) });
    });

    app.get('/admin/v1/relying-parties', { schema: { summary: 'List relying parties', tags: ['relying-parties'] } }, async () => ({ relying_parties: (await registry.list()).map(describeRelyingParty) }));

    app.get('/admin/v1/relying-parties/:clientId', { schema: { summary: 'A relying party and its change history', tags: ['relying-parties'], params: idParams } }, async (request) => {
      const { clientId } = request.params as { clientId: string };
      const rp = await registry.find(clientId);
      if (!rp) throw HttpError('request.not_found');
      return { ...describeRelyingParty(rp), history: await registry.history(clientId) };
    });

    for (const transition of ['approve', 'suspend'] as const) {
      app.post(`/admin/v1/relying-parties/:clientId/${transition}`, { schema: { summary: `${transition === 'approve' ? 'Approve (or reinstate)' : 'Suspend'} a relying party`, tags: ['relying-parties'], params: idParams, body: transitionSchema } }, async (request) => {
        const { clientId } = request.params as { clientId: string };
        const body = (request.body ?? {}) as { reason?: string };
        return describeRelyingParty(await registry.transition(clientId, transition, 'admin-api', body.reason));
      });
    }
  };
}
