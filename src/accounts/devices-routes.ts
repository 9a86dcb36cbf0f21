/**
 * The signed-in person's routes (/api/v1/me…) and passkey sign-in to the netid app
 * (/api/v1/session…). Translation only: the logic is in devices.ts, deactivation.ts and
 * person-session.ts.
 */
import type { ActivityRepository } from '../audit/activity.ts';
import { NetidError } from '../domain/errors.ts';
import type { RouteModule } from '../http/server.ts';
import { limited } from '../http/rate-limit.ts';
import { deactivatePerson, type DeactivationDeps } from './deactivation.ts';
import { isUuid as isUuidLike } from '../enrolment/enrolment-repository.ts';
import { WEBAUTHN_RESPONSE_SCHEMA as webauthnJson, type Passkeys } from './devices.ts';
import type { PersonRepository } from './person-repository.ts';
import type { PersonSessions } from './person-session.ts';

export interface AccountRouteDeps {
  readonly persons: PersonRepository;
  readonly passkeys: Passkeys;
  readonly activity: ActivityRepository;
  readonly personSessions: PersonSessions;
  readonly deactivation: DeactivationDeps;
  /** The pending "your account was recovered" notice, if any (src/recovery/notices.ts). */
  readonly recoveryNotice?: (personId: string) => Promise<{ readonly recoveryId: string; readonly recoveredAt: Date } | null>;
  readonly now: () => Date;
}

const errorBody = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
const optionsBody = { type: 'object', additionalProperties: true, description: 'WebAuthn options JSON' } as const;
const device = { type: 'object', properties: { id: { type: 'string' }, label: { type: ['string', 'null'] }, created_at: { type: 'string', format: 'date-time' }, last_used_at: { type: ['string', 'null'], format: 'date-time' }, transports: { type: 'array', items: { type: 'string' } } } } as const;
const tags = ['account'];
const recoveryNotice = {
  type: ['object', 'null'],
  description: 'Set after an account recovery until the person dismisses it (DELETE /api/v1/me/recovery-notice): "your account was recovered on … — was this you?"',
  properties: { recovery_id: { type: 'string' }, recovered_at: { type: 'string', format: 'date-time' } },
} as const;
const deviceParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export function accountRoutes(deps: AccountRouteDeps): RouteModule {
  const { passkeys, personSessions } = deps;
  const devicesOf = async (personId: string) =>
    (await passkeys.devices.listActive(personId)).map((d) => ({ id: d.deviceId, label: d.label, created_at: d.createdAt.toISOString(), last_used_at: d.lastUsedAt?.toISOString() ?? null, transports: [...d.transports] }));
  const fail = (problem: { code: string }) => new NetidError(problem.code);

  return (app) => {
    app.get('/api/v1/me', {
      schema: {
        summary: 'The signed-in person: web number, state, devices, and the notice of a recovery not yet dismissed',
        tags,
        response: { 200: { type: 'object', properties: { web_number: { type: ['string', 'null'] }, state: { type: 'string' }, guardian_linked: { type: 'boolean' }, devices: { type: 'array', items: device }, recovery_notice: recoveryNotice } }, 401: errorBody },
      },
    }, async (request) => {
      const session = await personSessions.require(request);
      const person = (await deps.persons.find(session.personId))!;
      const notice = (await deps.recoveryNotice?.(person.personId)) ?? null;
      return {
        web_number: person.webNumber,
        state: person.state,
        guardian_linked: person.guardianPersonId !== null,
        devices: await devicesOf(person.personId),
        recovery_notice: notice ? { recovery_id: notice.recoveryId, recovered_at: notice.recoveredAt.toISOString() } : null,
      };
    });

    app.get('/api/v1/me/activity', {
      schema: { summary: "The person's activity: enrolment, devices, guardianship, sign-ins, disclosures", tags, response: { 200: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, 401: errorBody } },
    }, async (request) => {
      const session = await personSessions.require(request);
      const entries = await deps.activity.listVisible(session.personId, deps.now());
      return { entries: entries.map((e) => ({ id: e.activityId, occurred_at: e.occurredAt.toISOString(), type: e.type, relying_party_id: e.relyingPartyId, details: e.details })) };
    });

    app.post('/api/v1/me/devices/options', { config: limited('passkey_options'), schema: { summary: 'Options to register another passkey', tags, response: { 200: optionsBody, 401: errorBody } } }, async (request) => {
      const session = await personSessions.require(request);
      const person = (await deps.persons.find(session.personId))!;
      return passkeys.addDeviceOptions(person.personId, person.webNumber ?? 'netid');
    });

    app.post('/api/v1/me/devices', { config: limited('passkey_verification'), schema: { summary: 'Register another passkey (RegistrationResponseJSON)', tags, body: webauthnJson, response: { 201: device, 400: errorBody, 401: errorBody, 409: errorBody } } }, async (request, reply) => {
      const session = await personSessions.require(request);
      const added = await passkeys.addDevice(session.personId, request.body as never);
      if (!added.ok) throw fail(added.error);
      const d = added.value;
      return reply.status(201).send({ id: d.deviceId, label: d.label, created_at: d.createdAt.toISOString(), last_used_at: null, transports: [...d.transports] });
    });

    app.delete('/api/v1/me/devices/:id', {
      schema: { summary: 'Remove a passkey (never the last one)', tags, params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, 401: errorBody, 404: errorBody, 409: errorBody } },
    }, async (request, reply) => {
      const session = await personSessions.require(request);
      const id = (request.params as { id: string }).id;
      if (!isUuidLike(id)) throw new NetidError('device.not_found');
      await passkeys.removeDevice(session.personId, id);
      return reply.status(204).send();
    });

    app.post('/api/v1/me/devices/:id/lost', {
      schema: {
        summary: 'Report another of your devices lost: its passkey and web certificates are revoked at once and its sessions end. Not the device this session was opened with (device.lost_is_current)',
        tags,
        params: deviceParams,
        response: { 204: { type: 'null' }, 401: errorBody, 404: errorBody, 409: errorBody },
      },
    }, async (request, reply) => {
      const session = await personSessions.require(request);
      const id = (request.params as { id: string }).id;
      if (!isUuidLike(id)) throw new NetidError('device.not_found');
      await passkeys.reportLost(session.personId, id, session.deviceId);
      return reply.status(204).send();
    });

    app.post('/api/v1/me/deactivate', {
      schema: { summary: 'Deactivate: devices revoked, identity attributes deleted, web number retired; a keyed-hash tombstone stays', tags, response: { 200: { type: 'object', properties: { state: { type: 'string' }, devices_revoked: { type: 'integer' } } }, 401: errorBody } },
    }, async (request, reply) => {
      const session = await personSessions.require(request);
      const { devicesRevoked } = await deactivatePerson(deps.deactivation, session.personId);
      personSessions.clearCookie(reply);
      return { state: 'deactivated', devices_revoked: devicesRevoked };
    });

    app.post('/api/v1/session/options', { config: limited('passkey_options'), schema: { summary: 'Passkey sign-in to the netid app: assertion options', tags, response: { 200: optionsBody } } }, async () => passkeys.authenticationOptions('netid_signin'));

    app.post('/api/v1/session', {
      config: limited('passkey_verification', 'passkey_credential'),
      schema: { summary: 'Passkey sign-in to the netid app (AuthenticationResponseJSON); starts a session', tags, body: webauthnJson, response: { 200: { type: 'object', properties: { web_number: { type: ['string', 'null'] }, session: { type: 'object', properties: { token: { type: 'string' }, expires_at: { type: 'string', description: 'the absolute end; unused for idle_timeout_seconds, the session ends sooner' }, idle_timeout_seconds: { type: 'integer' } } } } }, 400: errorBody, 401: errorBody } },
    }, async (request, reply) => {
      const verified = await passkeys.finishAuthentication('netid_signin', request.body as never);
      if (!verified.ok) throw fail(verified.error);
      const person = await deps.persons.find(verified.value.personId);
      if (!person || person.state !== 'active') throw new NetidError('person.not_active');
      await deps.activity.record({ personId: person.personId, type: 'signin.netid_app', occurredAt: deps.now(), details: { device_id: verified.value.deviceId, user_verified: verified.value.userVerified } });
      const { token, session } = await personSessions.create(person.personId, verified.value.userVerified ? ['passkey', 'uv'] : ['passkey'], verified.value.deviceId);
      personSessions.setCookie(reply, token, session);
      return { web_number: person.webNumber, session: { token, expires_at: session.expiresAt.toISOString(), idle_timeout_seconds: personSessions.idleSeconds } };
    });

    app.delete('/api/v1/session', { schema: { summary: 'Sign out of the netid app: the session (cookie or bearer token) ends at once, on every node', tags, response: { 204: { type: 'null' }, 403: errorBody } } }, async (request, reply) => {
      await personSessions.end(request, reply);
      return reply.status(204).send();
    });
  };
}
