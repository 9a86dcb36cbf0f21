/**
 * HTTP surface of the web certificate: status lists, issuer and type metadata (public, cacheable,
 * no cookies needed — a verifier fetches them rarely and never per presentation) and the
 * signed-in person's batch request.
 */
import type { FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { DeviceRepository } from '../../accounts/devices-repository.ts';
import type { Services } from '../../app/services.ts';
import type { RouteModule } from '../../http/server.ts';
import { STATUS_LIST_MEDIA_TYPE } from '../status/status-list-token.ts';
import { CredentialServiceError } from './errors.ts';
import { MAX_BATCH } from './issuance.ts';
import type { WebCertificateService } from './web-certificate-service.ts';

/**
 * Who is asking: the signed-in person and the device their session was opened with, if any (the
 * app wires PersonSessions.require), or a thrown request.unauthenticated.
 */
export type AuthenticatePerson = (request: FastifyRequest) => Promise<{ personId: string; deviceId: string | null }>;

const holderKeySchema = {
  type: 'object',
  required: ['kty', 'crv', 'x', 'y'],
  properties: { kty: { const: 'EC' }, crv: { const: 'P-256' }, x: { type: 'string', maxLength: 64 }, y: { type: 'string', maxLength: 64 } },
} as const;

export function credentialRoutes(
  services: Pick<Services, 'database'> & { credentials: WebCertificateService },
  authenticate: AuthenticatePerson,
): RouteModule {
  const { credentials } = services;
  const devices = new DeviceRepository({ db: services.database.db });
  return (app) => {
    app.get<{ Params: { id: string } }>('/status/v1/lists/:id', {
      schema: { summary: 'Token Status List of web certificates (application/statuslist+jwt)', tags: ['web certificate'], params: { type: 'object', properties: { id: { type: 'string', pattern: '^(0|[1-9][0-9]{0,8})$' } } } },
    }, async (request, reply) => {
      const published = await credentials.statusLists.token(Number(request.params.id));
      if (!published) throw CredentialServiceError('status.list_not_found');
      reply.header('cache-control', `public, max-age=${published.maxAgeSeconds}`).header('etag', published.etag);
      if (request.headers['if-none-match'] === published.etag) return reply.status(304).send();
      return reply.type(STATUS_LIST_MEDIA_TYPE).send(published.token);
    });

    app.get('/.well-known/jwt-vc-issuer', {
      schema: { summary: 'SD-JWT VC issuer metadata: issuer and its public keys (JWKS)', tags: ['web certificate'] },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return credentials.issuerMetadata();
    });

    app.get('/vct/web-certificate/v1', {
      schema: { summary: 'SD-JWT VC type metadata of the web certificate', tags: ['web certificate'] },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=86400');
      return credentials.typeMetadata();
    });

    app.post<{ Body: { holder_keys: JWK[]; device_id?: string } }>('/api/v1/me/web-certificates', {
      schema: {
        summary: "A batch of web certificates for the signed-in person's device: one per device public key",
        tags: ['web certificate'],
        body: {
          type: 'object',
          required: ['holder_keys'],
          additionalProperties: false,
          properties: {
            holder_keys: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: holderKeySchema },
            device_id: { type: 'string', format: 'uuid' },
          },
        },
      },
    }, async (request, reply) => {
      const { personId, deviceId: sessionDevice } = await authenticate(request);
      // Bound to a device, the batch is revoked when that passkey is removed: the one named, else the session's.
      const deviceId = request.body.device_id ?? sessionDevice;
      if (deviceId && !(await devices.listActive(personId)).some((d) => d.deviceId === deviceId)) throw CredentialServiceError('credential.unknown_device');
      const batch = await credentials.issue(personId, request.body.holder_keys, deviceId);
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ credentials: batch.credentials, expires_at: batch.expiresAt.toISOString(), format: 'dc+sd-jwt' });
    });
  };
}
