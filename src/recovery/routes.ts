/**
 * HTTP routes of account recovery, under /api/v1/recoveries beside enrolment's, and the recovered
 * person's notice (/api/v1/me/recovery-notice, and the home page's form). They only translate
 * requests into RecoveryService calls; the JSON schemas feed the OpenAPI document.
 */
import formbody from '@fastify/formbody';
import type { PersonSessions } from '../accounts/person-session.ts';
import { WEBAUTHN_RESPONSE_SCHEMA as webauthnJson } from '../accounts/devices.ts';
import { decodeFrames, documentBody, errorBody, idParams, MAX_FRAME_CHARS, optionsBody } from '../enrolment/routes.ts';
import { nextStep, type Enrolment } from '../enrolment/states.ts';
import { limited } from '../http/rate-limit.ts';
import type { RouteModule } from '../http/server.ts';
import { RecoveryError } from './errors.ts';
import type { RecoveryNotices } from './notices.ts';
import type { RecoveryService } from './service.ts';

const view = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: ['started', 'document_checked', 'face_verified', 'guardian_approved', 'recovered', 'failed', 'expired', 'cancelled'] },
    next_step: { type: ['string', 'null'], enum: ['document', 'face', 'guardian_approval', 'passkey', null] },
    age_group: { type: 'string', enum: ['adult', 'minor', 'child'] },
    liveness_mode: { type: 'string', enum: ['active', 'passive'] },
    expires_at: { type: 'string', format: 'date-time' },
    face_attempts_left: { type: 'integer' },
    challenge: { type: ['object', 'null'], properties: { prompts: { type: 'array', items: { type: 'string', enum: ['turn_left', 'turn_right'] } } } },
    failure_code: { type: ['string', 'null'] },
    web_number: { type: ['string', 'null'], description: 'The web number kept, once recovered.' },
  },
} as const;
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
  const toView = async (r: Enrolment) => ({
    id: r.enrolmentId,
    state: r.state,
    next_step: nextStep(r),
    age_group: r.ageGroup,
    liveness_mode: proofing.policy.livenessMode,
    expires_at: r.expiresAt.toISOString(),
    face_attempts_left: Math.max(0, proofing.policy.maxFaceAttempts - r.faceAttempts),
    challenge: r.state === 'document_checked' && r.data.challenge ? { prompts: [...r.data.challenge] } : null,
    failure_code: r.state === 'failed' ? r.failureCode : null,
    web_number: r.state === 'recovered' ? await recovery.webNumberOf(r.personId) : null,
  });
  const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;

  return async (app) => {
    await app.register(formbody);

    app.post('/api/v1/recoveries', {
      config: limited('recovery_start'),
      schema: {
        summary: 'Recover an account whose passkeys are lost: start with the identity document; the registry check runs at once (the same answers as an enrolment)',
        tags,
        body: documentBody,
        response: { 201: view, ...errors },
      },
    }, async (request, reply) => {
      const b = request.body as { document_type: string; document_number: string; name: string; birth_date: string; expiry_date?: string; mrz?: string };
      const r = await proofing.start({ documentType: b.document_type, documentNumber: b.document_number, name: b.name, birthDate: b.birth_date, expiryDate: b.expiry_date, mrz: b.mrz });
      return reply.status(201).send(await toView(r));
    });

    app.get('/api/v1/recoveries/:id', { schema: { summary: 'State of a recovery and its next step', tags, params: idParams, response: { 200: view, ...errors } } }, async (request) => toView(await proofing.find(idOf(request))));

    app.delete('/api/v1/recoveries/:id', { config: limited('enrolment_step'), schema: { summary: 'Cancel an unfinished recovery', tags, params: idParams, response: { 200: view, ...errors } } }, async (request) => toView(await proofing.cancel(idOf(request))));

    app.get('/api/v1/recoveries/:id/face/challenge', {
      config: limited('enrolment_step'),
      schema: { summary: 'A new active-liveness challenge: one frame per prompt, in order', tags, params: idParams, response: { 200: { type: 'object', properties: { prompts: { type: 'array', items: { type: 'string' } } } }, ...errors } },
    }, async (request) => ({ prompts: [...(await proofing.faceChallenge(idOf(request)))] }));

    app.post('/api/v1/recoveries/:id/face', {
      config: limited('enrolment_step'),
      schema: {
        summary: "Submit the selfie frames (base64 JPEG/PNG), matched against the registry portrait with liveness, as at enrolment; only then is it said whether the document is enrolled (recovery.not_enrolled)",
        tags,
        params: idParams,
        body: { type: 'object', required: ['frames'], additionalProperties: false, properties: { frames: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', minLength: 4, maxLength: MAX_FRAME_CHARS } } } },
        response: { 200: view, ...errors },
      },
    }, async (request) => toView(await proofing.submitFace(idOf(request), decodeFrames((request.body as { frames: string[] }).frames))));

    app.post('/api/v1/recoveries/:id/guardian/options', {
      config: limited('passkey_options'),
      schema: { summary: "Passkey assertion options for the guardian's approval (minors)", tags, params: idParams, response: { 200: optionsBody, ...errors } },
    }, async (request) => proofing.guardianOptions(idOf(request)));

    app.post('/api/v1/recoveries/:id/guardian', {
      config: limited('passkey_verification', 'passkey_credential'),
      schema: { summary: "The guardian's passkey assertion (AuthenticationResponseJSON) approving a minor's recovery", tags, params: idParams, body: webauthnJson, response: { 200: view, 403: errorBody, ...errors } },
    }, async (request) => toView(await proofing.guardianApprove(idOf(request), request.body as never)));

    app.post('/api/v1/recoveries/:id/passkey/options', {
      config: limited('passkey_options'),
      schema: { summary: 'Registration options for the new passkey (user verification required)', tags, params: idParams, response: { 200: optionsBody, ...errors } },
    }, async (request) => recovery.passkeyOptions(idOf(request)));

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
