/**
 * HTTP routes of account recovery, under /api/v1/recoveries beside enrolment's, and the recovered
 * person's notice (/api/v1/me/recovery-notice, and the home page's form). They only translate
 * requests into RecoveryService calls; the JSON schemas feed the OpenAPI document.
 */
import formbody from '@fastify/formbody';
import type { PersonSessions } from '../accounts/person-session.ts';
import { WEBAUTHN_RESPONSE_SCHEMA as webauthnJson } from '../accounts/devices.ts';
import { documentAndFaceRoutes, errorBody, guardianAndPasskeyOptionsRoutes, idOf, idParams, proofingView, proofingViewSchema, type ProofingRoutes } from '../enrolment/routes.ts';
import type { Enrolment } from '../enrolment/states.ts';
import { limited } from '../http/rate-limit.ts';
import type { RouteModule } from '../http/server.ts';
import { RecoveryError } from './errors.ts';
import type { RecoveryNotices } from './notices.ts';
import type { RecoveryService } from './service.ts';

const view = proofingViewSchema(
  ['started', 'document_checked', 'face_verified', 'guardian_approved', 'recovered', 'failed', 'expired', 'cancelled'],
  ['document', 'face', 'guardian_approval', 'passkey'],
  { description: 'The web number kept, once recovered.' },
);
const recoveredBody = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', const: 'recovered' },
    web_number: { type: 'string', description: 'The same web number as before.' },
    devices_revoked: { type: 'integer', description: 'Old passkeys revoked.' },
    session: { type: 'object', properties: { token: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' }, idle_timeout_seconds: { type: 'integer' } } },
  },
} as const;
const errors = { 400: errorBody, 404: errorBody, 409: errorBody, 410: errorBody, 422: errorBody } as const;
const tags = ['recovery'];

export interface RecoveryRouteDeps {
  readonly recovery: RecoveryService;
  readonly notices: RecoveryNotices;
  readonly personSessions: PersonSessions;
  readonly now: () => Date;
}

export function recoveryRoutes(deps: RecoveryRouteDeps): RouteModule {
  const { recovery } = deps;
  const proofing = recovery.proofing;
  const toView = async (r: Enrolment) => proofingView(r, proofing.policy, r.state === 'recovered' ? await recovery.webNumberOf(r.personId) : null);
  const routes: ProofingRoutes = {
    prefix: '/api/v1/recoveries',
    tags,
    view,
    service: proofing,
    toView,
    startLimit: 'recovery_start',
    summaries: {
      start: 'Recover an account whose passkeys are lost: start with the identity document; the registry check runs at once (the same answers as an enrolment)',
      state: 'State of a recovery and its next step',
      cancel: 'Cancel an unfinished recovery',
      face: "Submit the selfie frames (base64 JPEG/PNG), matched against the registry portrait with liveness, as at enrolment; only then is it said whether the document is enrolled (recovery.not_enrolled)",
      guardian: "The guardian's passkey assertion (AuthenticationResponseJSON) approving a minor's recovery",
      passkeyOptions: 'Registration options for the new passkey (user verification required)',
    },
    passkeyOptions: (id) => recovery.passkeyOptions(id),
  };

  return async (app) => {
    await app.register(formbody);

    documentAndFaceRoutes(app, routes);
    guardianAndPasskeyOptionsRoutes(app, routes);

    app.post('/api/v1/recoveries/:id/passkey', {
      config: limited('passkey_verification'),
      schema: {
        summary: 'Bind the new passkey (RegistrationResponseJSON) and recover: every old passkey, session and web certificate is revoked, connected apps are logged out; the web number and app identifiers stay. Starts a session',
        tags,
        params: idParams,
        body: webauthnJson,
        response: { 200: recoveredBody, ...errors },
      },
    }, async (request, reply) => {
      const id = idOf(request);
      const result = await recovery.recover(id, request.body as never);
      const { token, session } = await deps.personSessions.create(result.personId, ['recovery', 'passkey', 'face'], result.deviceId);
      deps.personSessions.setCookie(reply, token, session);
      return { id, state: 'recovered' as const, web_number: result.webNumber, devices_revoked: result.devicesRevoked, session: { token, expires_at: session.expiresAt.toISOString(), idle_timeout_seconds: deps.personSessions.idleSeconds } };
    });

    app.delete('/api/v1/me/recovery-notice', {
      schema: { summary: 'Dismiss the "your account was recovered — was this you?" notice', tags: ['account'], response: { 204: { type: 'null' }, 401: errorBody, 404: errorBody } },
    }, async (request, reply) => {
      const session = await deps.personSessions.require(request);
      if (!(await deps.notices.dismiss(session.personId, deps.now()))) throw RecoveryError('recovery.notice_not_found');
      return reply.status(204).send();
    });

    // The home page's "Yes, it was me" button (a form, so it works without scripts).
    app.post('/recovery-notice/dismiss', { schema: { hide: true } }, async (request, reply) => {
      const session = await deps.personSessions.fromCookie(request);
      if (!session) return reply.redirect('/signin?next=%2F', 303);
      await deps.notices.dismiss(session.personId, deps.now());
      return reply.redirect('/', 303);
    });
  };
}
