/**
 * HTTP routes of the enrolment flow, under /api/v1/enrolments. They only translate requests into
 * EnrolmentService calls; the JSON schemas feed the OpenAPI document. Frames travel as base64
 * JPEG/PNG in JSON; they are decoded in memory for the decision and never logged or stored.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PersonSessions } from '../accounts/person-session.ts';
import type { RouteModule } from '../http/server.ts';
import { limited, type LimitName } from '../http/rate-limit.ts';
import { EnrolmentError } from './errors.ts';
import type { EnrolmentService } from './service.ts';
import { nextStep, type Enrolment } from './states.ts';
import { WEBAUTHN_RESPONSE_SCHEMA as webauthnJson } from '../accounts/devices.ts';

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
export const errorBody = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' }, detail: { type: 'object', additionalProperties: true } } } as const;
/**
 * The JSON view of a proofing flow (enrolment or recovery), one schema for both: only the states,
 * the next steps and what the web number means differ.
 */
export function proofingViewSchema(states: readonly string[], nextSteps: readonly string[], webNumber: Record<string, string> = {}) {
  return {
    type: 'object',
    properties: {
      id: { type: 'string' },
      state: { type: 'string', enum: [...states] },
      next_step: { type: ['string', 'null'], enum: [...nextSteps, null] },
      age_group: { type: 'string', enum: ['adult', 'minor', 'child'] },
      liveness_mode: { type: 'string', enum: ['active', 'passive'] },
      expires_at: { type: 'string', format: 'date-time' },
      face_attempts_left: { type: 'integer' },
      challenge: { type: ['object', 'null'], properties: { prompts: { type: 'array', items: { type: 'string', enum: ['turn_left', 'turn_right'] } } } },
      failure_code: { type: ['string', 'null'] },
      web_number: { type: ['string', 'null'], ...webNumber },
    },
  } as const;
}
const view = proofingViewSchema(
  ['started', 'document_checked', 'face_verified', 'guardian_approved', 'device_bound', 'issued', 'failed', 'expired', 'cancelled'],
  ['document', 'face', 'guardian_approval', 'passkey', 'issue'],
);
const issuedBody = {
  type: 'object',
  properties: { id: { type: 'string' }, state: { type: 'string', const: 'issued' }, web_number: { type: 'string' }, session: { type: 'object', properties: { token: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' }, idle_timeout_seconds: { type: 'integer' } } } },
} as const;
export const optionsBody = { type: 'object', additionalProperties: true, description: 'WebAuthn options JSON for navigator.credentials.create()/get() (PublicKeyCredential*OptionsJSON).' } as const;
const errors = { 400: errorBody, 404: errorBody, 409: errorBody, 410: errorBody, 422: errorBody } as const;
const tags = ['enrolment'];

/** Base64 of one image: up to ~6 MB. */
export const MAX_FRAME_CHARS = 8_000_000;

/** The document details a person types in: what an enrolment or a recovery starts with. */
export const documentBody = {
  type: 'object',
  required: ['document_type', 'document_number', 'name', 'birth_date'],
  additionalProperties: false,
  properties: {
    document_type: { type: 'string', maxLength: 64 },
    document_number: { type: 'string', maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    birth_date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    expiry_date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    mrz: { type: 'string', maxLength: 100 },
  },
} as const;

/** The frames of a face step, from base64 (a data: URL prefix allowed) to bytes, in memory only. */
export function decodeFrames(frames: readonly string[]): Uint8Array[] {
  return frames.map((f) => new Uint8Array(Buffer.from(f.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64')));
}

/**
 * The proofing steps enrolment and recovery share (a recovery proves who someone is exactly as an
 * enrolment does), as one set of route shapes that differ only in where they live, what they are
 * called and which flow answers.
 */
export interface ProofingRoutes {
  /** '/api/v1/enrolments' or '/api/v1/recoveries'. */
  readonly prefix: string;
  readonly tags: string[];
  readonly view: object;
  readonly service: EnrolmentService;
  readonly toView: (e: Enrolment) => Promise<object>;
  readonly startLimit: LimitName;
  readonly summaries: { readonly start: string; readonly state: string; readonly cancel: string; readonly face: string; readonly guardian: string; readonly passkeyOptions: string };
  readonly passkeyOptions: (id: string) => Promise<unknown>;
}

/** What an enrolment or a recovery answers about itself; the web number once it is issued or kept. */
export function proofingView(e: Enrolment, policy: EnrolmentService['policy'], webNumber: string | null) {
  return {
    id: e.enrolmentId,
    state: e.state,
    next_step: nextStep(e),
    age_group: e.ageGroup,
    liveness_mode: policy.livenessMode,
    expires_at: e.expiresAt.toISOString(),
    face_attempts_left: Math.max(0, policy.maxFaceAttempts - e.faceAttempts),
    challenge: e.state === 'document_checked' && e.data.challenge ? { prompts: [...e.data.challenge] } : null,
    failure_code: e.state === 'failed' ? e.failureCode : null,
    web_number: webNumber,
  };
}

/** The :id of a route under the prefix. */
export const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;

/** Start with the document, read the state, cancel, and the face step with its liveness challenge. */
export function documentAndFaceRoutes(app: FastifyInstance, p: ProofingRoutes): void {
  const { prefix, tags, view, service, toView } = p;
  app.post(prefix, {
    config: limited(p.startLimit),
    schema: {
      summary: p.summaries.start,
      tags,
      body: documentBody,
      response: { 201: view, ...errors },
    },
  }, async (request, reply) => {
    const b = request.body as { document_type: string; document_number: string; name: string; birth_date: string; expiry_date?: string; mrz?: string };
    const e = await service.start({ documentType: b.document_type, documentNumber: b.document_number, name: b.name, birthDate: b.birth_date, expiryDate: b.expiry_date, mrz: b.mrz });
    return reply.status(201).send(await toView(e));
  });

  app.get(`${prefix}/:id`, { schema: { summary: p.summaries.state, tags, params: idParams, response: { 200: view, ...errors } } }, async (request) => toView(await service.find(idOf(request))));

  app.delete(`${prefix}/:id`, { config: limited('enrolment_step'), schema: { summary: p.summaries.cancel, tags, params: idParams, response: { 200: view, ...errors } } }, async (request) => toView(await service.cancel(idOf(request))));

  app.get(`${prefix}/:id/face/challenge`, {
    config: limited('enrolment_step'),
    schema: { summary: 'A new active-liveness challenge: one frame per prompt, in order', tags, params: idParams, response: { 200: { type: 'object', properties: { prompts: { type: 'array', items: { type: 'string' } } } }, ...errors } },
  }, async (request) => ({ prompts: [...(await service.faceChallenge(idOf(request)))] }));

  app.post(`${prefix}/:id/face`, {
    config: limited('enrolment_step'),
    schema: {
      summary: p.summaries.face,
      tags,
      params: idParams,
      body: { type: 'object', required: ['frames'], additionalProperties: false, properties: { frames: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', minLength: 4, maxLength: MAX_FRAME_CHARS } } } },
      response: { 200: view, ...errors },
    },
  }, async (request) => toView(await service.submitFace(idOf(request), decodeFrames((request.body as { frames: string[] }).frames))));
}

/** The guardian's approval (minors) and the new passkey's registration options. */
export function guardianAndPasskeyOptionsRoutes(app: FastifyInstance, p: ProofingRoutes): void {
  const { prefix, tags, view, service, toView } = p;
  app.post(`${prefix}/:id/guardian/options`, {
    config: limited('passkey_options'),
    schema: { summary: "Passkey assertion options for the guardian's approval (minors)", tags, params: idParams, response: { 200: optionsBody, ...errors } },
  }, async (request) => service.guardianOptions(idOf(request)));

  app.post(`${prefix}/:id/guardian`, {
    config: limited('passkey_verification', 'passkey_credential'),
    schema: { summary: p.summaries.guardian, tags, params: idParams, body: webauthnJson, response: { 200: view, 403: errorBody, ...errors } },
  }, async (request) => toView(await service.guardianApprove(idOf(request), request.body as never)));

  app.post(`${prefix}/:id/passkey/options`, {
    config: limited('passkey_options'),
    schema: { summary: p.summaries.passkeyOptions, tags, params: idParams, response: { 200: optionsBody, ...errors } },
  }, async (request) => p.passkeyOptions(idOf(request)));
}

export interface EnrolmentRouteDeps {
  readonly enrolment: EnrolmentService;
  readonly personSessions: PersonSessions;
  /** A demo identity's sample selfie (src/registry/demo-selfie.ts); null in production, which refuses it. */
  readonly sampleSelfie: ((documentType: string, documentNumber: string) => Promise<Uint8Array | null>) | null;
}

export function enrolmentRoutes(deps: EnrolmentRouteDeps): RouteModule {
  const { enrolment: service } = deps;
  const toView = async (e: Enrolment) => proofingView(e, service.policy, await service.webNumberOf(e));
  const issued = async (reply: FastifyReply, id: string, result: { personId: string; webNumber: string; deviceId: string }) => {
    const { token, session } = await deps.personSessions.create(result.personId, ['enrolment', 'passkey', 'face'], result.deviceId);
    deps.personSessions.setCookie(reply, token, session);
    return { id, state: 'issued' as const, web_number: result.webNumber, session: { token, expires_at: session.expiresAt.toISOString(), idle_timeout_seconds: deps.personSessions.idleSeconds } };
  };

  const proofing: ProofingRoutes = {
    prefix: '/api/v1/enrolments',
    tags,
    view,
    service,
    toView,
    startLimit: 'enrolment_start',
    summaries: {
      start: 'Start an enrolment with an identity document; the registry check runs at once',
      state: 'State of an enrolment and its next step',
      cancel: 'Cancel an unfinished enrolment',
      face: 'Submit the selfie frames (base64 JPEG/PNG): one frame in passive mode, one per prompt in active mode',
      guardian: "The guardian's passkey assertion (AuthenticationResponseJSON): approval for under-14s, consent for 14–17",
      passkeyOptions: 'Passkey registration options (user verification required)',
    },
    passkeyOptions: (id) => service.passkeyOptions(id),
  };

  return (app) => {
    documentAndFaceRoutes(app, proofing);

    app.post('/api/v1/enrolments/:id/face/sample-selfie', {
      config: limited('enrolment_step'),
      schema: {
        summary: "Development only: the face step with the demo identity's sample selfie, another photo of the portrait's face (passive liveness and the real match; one attempt). Refused in production",
        tags,
        params: idParams,
        response: { 200: view, 403: errorBody, ...errors },
      },
    }, async (request) => {
      if (!deps.sampleSelfie) throw EnrolmentError('enrolment.sample_selfie_development_only');
      const id = idOf(request);
      const current = await service.find(id);
      if (current.state !== 'document_checked') throw EnrolmentError('enrolment.wrong_state', { state: current.state });
      const selfie = await deps.sampleSelfie(current.data.attributes.document_type, current.data.attributes.document_number);
      if (!selfie) throw EnrolmentError('enrolment.no_sample_selfie');
      return toView(await service.submitFace(id, [selfie], 'demo_sample_selfie'));
    });

    guardianAndPasskeyOptionsRoutes(app, proofing);

    app.post('/api/v1/enrolments/:id/passkey', {
      config: limited('passkey_verification'),
      schema: { summary: 'Bind the passkey (RegistrationResponseJSON) and issue the web number; starts a session', tags, params: idParams, body: webauthnJson, response: { 200: issuedBody, ...errors } },
    }, async (request, reply) => {
      const id = idOf(request);
      return issued(reply, id, await service.bindPasskey(id, request.body as never));
    });

    app.post('/api/v1/enrolments/:id/issue', {
      config: limited('enrolment_step'),
      schema: { summary: 'Finish issuance of an enrolment whose passkey is bound (after an interruption)', tags, params: idParams, response: { 200: issuedBody, ...errors } },
    }, async (request, reply) => {
      const id = idOf(request);
      const current = await service.find(id);
      if (current.state === 'issued') throw EnrolmentError('enrolment.wrong_state', { state: 'issued' });
      return issued(reply, id, await service.issue(id));
    });
  };
}
