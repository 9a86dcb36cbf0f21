/**
 * The operator console on the admin listener (loopback only): pages under /console, the passkey
 * JSON calls under /console/api, the console's client script under /console/static, and the
 * shared /static assets. Every page except sign-in and the enrolment link needs a console
 * session; every POST that acts needs the `operator` role (auditors get 403
 * `console.read_only`) and a same-origin request (SameSite=Strict cookie and an Origin check).
 * The acts of the four-eyes processes also carry a step-up: the page's script asks
 * POST /console/api/step-up/options for a challenge bound to the act and its target, gets a
 * user-verified assertion from the operator's passkey and posts it with the form (`assertion`).
 */
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderSVG } from 'uqr';
import type { Services } from '../app/services.ts';
import { NetidError } from '../domain/errors.ts';
import { nextStep } from '../enrolment/states.ts';
import { sendError } from '../http/error-mapper.ts';
import type { RouteModule } from '../http/server.ts';
import { limited } from '../http/rate-limit.ts';
import { relyingPartyRegistryOf } from '../relying-parties/admin-routes.ts';
import { RevocationError } from '../revocation/errors.ts';
import { REVOCATION_REASONS, type RevocationReasonCode } from '../revocation/tables.ts';
import { pageLang, sendPage } from '../web/layout.ts';
import { folderFiles, staticRoutes } from '../web/static-routes.ts';
import { consoleRelyingParty, requireActor, type ConsoleService } from './console-service.ts';
import { ConsoleError } from './errors.ts';
import { isUuid } from './operator-repository.ts';
import { authorityConsoleRoutes } from './authority-routes.ts';
import type { ActingOperator } from './operator-passkeys.ts';
import { appsPage, assistedPage, auditPage, consoleErrorPage, enrolPage, handOffPage, linkIssuedPage, operatorsPage, overviewPage, REVOCATION_HISTORY_PAGE_SIZE, signInPage, type AssistedValues, type ConsoleContext } from './pages.ts';
import { appealsPage, revocationsPage } from './revocation-pages.ts';
import { ConsoleSessions, type ConsoleSession } from './session.ts';
import { buildConsoleService, enrolmentLink } from './wiring.ts';
import type { Operator } from './operator-repository.ts';
import { WEBAUTHN_RESPONSE_SCHEMA as webauthnJson } from '../accounts/devices.ts';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const hide = { hide: true } as const;

type Body = Record<string, string | undefined>;

export function consoleRoutes(services: Services, service: ConsoleService = buildConsoleService(services)): RouteModule {
  const sessions = new ConsoleSessions({ key: services.sealer.deriveKey('console-session'), operators: service.operators, now: services.now });
  const apps = relyingPartyRegistryOf(services);
  const rpOf = (request: FastifyRequest) => consoleRelyingParty(request.socket.localPort ?? services.config.NETID_ADMIN_PORT);
  const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');

  /** Answers an error: JSON for API callers, else a page in the operator's language. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: NetidError, back: string): FastifyReply => {
    if ((request.headers.accept ?? '').includes('application/json')) return sendError(error, request, reply);
    return sendPage(reply, consoleErrorPage(pageLang(request), error.code, back), error.status);
  };

  const ctxOf = (request: FastifyRequest, session: ConsoleSession): ConsoleContext => {
    const query = request.query as Record<string, unknown>;
    const flash = typeof query.error === 'string' ? { kind: 'error' as const, code: query.error.slice(0, 100) } : typeof query.done === 'string' ? { kind: 'done' as const, code: query.done.slice(0, 50) } : null;
    return { lang: pageLang(request), path: request.url, operator: session.operator, flash };
  };

  /** The signed-in operator, or a redirect to the sign-in page that comes back here. */
  const pageSession = async (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | null> => {
    const session = await sessions.fromRequest(request);
    if (!session) {
      await reply.redirect(`/console/signin?next=${encodeURIComponent(request.url)}`, 303);
      return null;
    }
    return session;
  };

  /** The signed-in operator acting with this request, and the step-up assertion its form carries. */
  const actingOf = (session: ConsoleSession, request: FastifyRequest): ActingOperator => ({ operator: session.operator, sessionId: session.sessionId, rp: rpOf(request), assertion: bodyOf(request).assertion });

  /**
   * A form POST that acts: signed in, same origin, operator role; then runs the act and returns
   * to `back` with ?done=<what> or ?error=<code> (PRG, so a reload does not repeat the act).
   */
  const act = (back: string, run: (operator: Operator, request: FastifyRequest, acting: ActingOperator) => Promise<string>) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await sessions.fromRequest(request);
      if (!session) return refuse(request, reply, ConsoleError('console.signin_required'), '/console/signin');
      try {
        requireActor(session.operator);
      } catch (error) {
        return refuse(request, reply, error as NetidError, back);
      }
      try {
        const done = await run(session.operator, request, actingOf(session, request));
        return reply.redirect(`${back}?done=${done}`, 303);
      } catch (error) {
        if (error instanceof NetidError) return reply.redirect(`${back}?error=${encodeURIComponent(error.code)}`, 303);
        throw error;
      }
    };
  };

  return async (app) => {
    await app.register(formbody);
    staticRoutes(app);

    app.addHook('onRequest', async (request, reply) => {
      // WebAuthn needs a name, not an IP address: send 127.0.0.1 visitors to localhost.
      const host = request.headers.host ?? '';
      if (request.method === 'GET' && request.url.startsWith('/console') && /^(127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host)) {
        return reply.redirect(`http://localhost:${request.socket.localPort}${request.url}`, 307);
      }
      // Acting requests come from the console's own pages (the cookie is SameSite=Strict too).
      // With Referrer-Policy no-referrer a form post's Origin is "null"; Sec-Fetch-Site still says.
      const origin = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      const foreign = (origin !== undefined && origin !== 'null' && origin !== `http://${host}`) || (site !== undefined && site !== 'same-origin');
      if (request.method === 'POST' && request.url.startsWith('/console') && foreign) {
        return refuse(request, reply, ConsoleError('console.cross_origin'), '/console');
      }
      return undefined;
    });

    app.get('/', { schema: hide }, async (_request, reply) => reply.redirect('/console', 303));

    app.get('/console/static/*', { schema: hide }, folderFiles(CLIENT_DIR, /^[\w-]+\.js$/));

    // Enrolment link and sign-in (no session).
    app.get('/console/enrol/:token', { schema: hide }, async (request, reply) => {
      const lang = pageLang(request);
      const { token } = request.params as { token: string };
      const operator = await service.operators.findByEnrolmentToken(token, services.now());
      if (!operator) return sendPage(reply, consoleErrorPage(lang, 'console.enrolment_link_invalid', '/console/signin'), 410);
      return sendPage(reply, enrolPage(lang, token, operator));
    });
    app.post('/console/api/enrol/:token/options', { schema: hide, config: limited('passkey_options') }, async (request) => service.passkeys.enrolmentOptions((request.params as { token: string }).token, rpOf(request)));
    app.post('/console/api/enrol/:token', { schema: { ...hide, body: webauthnJson }, config: limited('passkey_verification') }, async (request) => {
      await service.passkeys.finishEnrolment((request.params as { token: string }).token, request.body as never, rpOf(request));
      return { registered: true, next: '/console/signin?enrolled=1' };
    });

    app.get('/console/signin', { schema: hide }, async (request, reply) => {
      const query = request.query as { next?: string; enrolled?: string };
      const next = typeof query.next === 'string' && query.next.startsWith('/console') && !query.next.startsWith('//') ? query.next : '/console';
      return sendPage(reply, signInPage(pageLang(request), { enrolled: query.enrolled === '1', next }));
    });
    app.post('/console/api/signin/options', { schema: hide, config: limited('passkey_options') }, async (request) => service.passkeys.signInOptions(rpOf(request)));
    app.post('/console/api/signin', { schema: { ...hide, body: webauthnJson }, config: limited('passkey_verification', 'passkey_credential') }, async (request, reply) => {
      const operator = await service.passkeys.finishSignIn(request.body as never, rpOf(request));
      sessions.setCookie(reply, sessions.create(operator.id, (request.body as { id: string }).id));
      return { signed_in: true, role: operator.role };
    });
    // A step-up for one act on one target, by the signed-in operator (JSON: {action, target}).
    app.post('/console/api/step-up/options', { schema: hide, config: limited('passkey_options') }, async (request, reply) => {
      const session = await sessions.fromRequest(request);
      if (!session) return sendError(ConsoleError('console.signin_required'), request, reply);
      requireActor(session.operator);
      const b = bodyOf(request) as Record<string, unknown>;
      return service.passkeys.stepUpOptions({ operator: session.operator, sessionId: session.sessionId, rp: rpOf(request) }, text(b.action), b.target);
    });
    app.post('/console/signout', { schema: hide }, async (_request, reply) => {
      sessions.clearCookie(reply);
      return reply.redirect('/console/signin', 303);
    });

    // Pages.
    app.get('/console', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      const [registry, imports, list, pending, appeals] = await Promise.all([services.embeddedRegistry?.stats() ?? null, services.embeddedRegistry?.imports(5) ?? [], apps.list(), service.pendingRevocations(), services.revocation.openAppeals()]);
      return sendPage(reply, overviewPage(ctxOf(request, session), { registry, imports, pendingApps: list.filter((a) => a.state === 'pending').length, pendingRevocations: pending.length, openAppeals: appeals.length }));
    });

    app.get('/console/apps', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      return sendPage(reply, appsPage(ctxOf(request, session), await apps.list()));
    });
    for (const transition of ['approve', 'suspend'] as const) {
      app.post(`/console/apps/:clientId/${transition}`, { schema: hide }, act('/console/apps', async (operator, request) => {
        const { clientId } = request.params as { clientId: string };
        await service.transitionApp(operator, clientId, transition, text(bodyOf(request).reason).slice(0, 500));
        return transition === 'approve' ? 'approved' : 'suspended';
      }));
    }

    app.get('/console/revocations', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      const requested = Number((request.query as { page?: string }).page ?? '1');
      const page = Number.isSafeInteger(requested) && requested >= 1 && requested <= 100_000 ? requested : 1;
      const [pending, history, operators, list, blocks] = await Promise.all([service.pendingRevocations(), service.decidedRevocations(page, REVOCATION_HISTORY_PAGE_SIZE), service.operators.list(), apps.list(), service.blocks()]);
      return sendPage(reply, revocationsPage(ctxOf(request, session), { pending, history: { ...history, page }, apps: list, blocks, operatorNames: new Map(operators.map((o) => [o.id, o.name])) }));
    });
    app.post('/console/app-blocks', { schema: hide }, act('/console/revocations', async (_operator, request, acting) => {
      const b = bodyOf(request);
      await service.blockApp(acting, { webNumber: text(b.web_number), clientId: text(b.client_id), reason: text(b.reason), reference: text(b.reference) });
      return 'blocked';
    }));

    app.post('/console/app-blocks/lift', { schema: hide }, act('/console/revocations', async (_operator, request, acting) => {
      const b = bodyOf(request);
      await service.unblockApp(acting, text(b.person_id), text(b.client_id));
      return 'unblocked';
    }));

    app.get('/console/appeals', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      const [appeals, operators] = await Promise.all([service.openAppeals(), service.operators.list()]);
      return sendPage(reply, appealsPage(ctxOf(request, session), appeals, new Map(operators.map((o) => [o.id, o.name]))));
    });
    app.post('/console/appeals/:id/answer', { schema: hide }, act('/console/appeals', async (_operator, request, acting) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw RevocationError('revocation.appeal_not_found');
      const b = bodyOf(request);
      await service.answerAppeal(acting, id, text(b.decision), text(b.answer));
      return 'appeal_answered';
    }));

    app.get('/console/operators', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      return sendPage(reply, operatorsPage(ctxOf(request, session), await service.listOperators()));
    });
    app.post('/console/operators/:id/enable', { schema: hide }, act('/console/operators', async (operator, request) => {
      await service.enableOperator(operator, (request.params as { id: string }).id);
      return 'operator_enabled';
    }));
    app.post('/console/operators/:id/disable', { schema: hide }, act('/console/operators', async (operator, request) => {
      await service.disableOperator(operator, (request.params as { id: string }).id);
      return 'operator_disabled';
    }));
    // The new link is the answer to this POST (shown once, never in a URL or a redirect).
    app.post('/console/operators/:id/reissue', { schema: hide }, async (request, reply) => {
      const session = await sessions.fromRequest(request);
      if (!session) return refuse(request, reply, ConsoleError('console.signin_required'), '/console/signin');
      try {
        const issued = await service.reissueEnrolmentLink(session.operator, (request.params as { id: string }).id);
        return sendPage(reply, linkIssuedPage({ ...ctxOf(request, session), path: '/console/operators' }, { name: issued.operator.name, link: enrolmentLink(request.socket.localPort ?? services.config.NETID_ADMIN_PORT, issued.enrolmentToken), expiresAt: issued.expiresAt }));
      } catch (error) {
        if (!(error instanceof NetidError)) throw error;
        if (error.code === 'console.read_only') return refuse(request, reply, error, '/console/operators');
        return reply.redirect(`/console/operators?error=${encodeURIComponent(error.code)}`, 303);
      }
    });
    app.post('/console/revocations', { schema: hide }, act('/console/revocations', async (_operator, request, acting) => {
      const b = bodyOf(request);
      const reason = text(b.reason);
      if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) throw RevocationError('revocation.reason_required');
      await service.proposeRevocation(acting, { webNumber: text(b.web_number), reason: reason as RevocationReasonCode, reference: text(b.reference), procedure: text(b.procedure) });
      return 'proposed';
    }));
    app.post('/console/revocations/:id/approve', { schema: hide }, act('/console/revocations', async (_operator, request, acting) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw RevocationError('revocation.not_found');
      await service.approveRevocation(acting, id);
      return 'revocation_approved';
    }));
    app.post('/console/revocations/:id/reject', { schema: hide }, act('/console/revocations', async (_operator, request, acting) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw RevocationError('revocation.not_found');
      await service.rejectRevocation(acting, id, text(bodyOf(request).reason));
      return 'rejected';
    }));

    app.get('/console/enrol-assisted', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      const ctx = ctxOf(request, session);
      const id = (request.query as { enrolment?: string }).enrolment;
      if (typeof id !== 'string') return sendPage(reply, assistedPage(ctx, {}, null));
      let enrolment;
      try {
        enrolment = await services.enrolment.find(id);
      } catch (error) {
        if (error instanceof NetidError) return sendPage(reply, consoleErrorPage(ctx.lang, error.code, '/console/enrol-assisted'), error.status);
        throw error;
      }
      const url = `${services.config.NETID_ISSUER}/enrol?resume=${encodeURIComponent(enrolment.enrolmentId)}`;
      const qr = `data:image/svg+xml;base64,${Buffer.from(renderSVG(url, { border: 2 })).toString('base64')}`;
      return sendPage(reply, handOffPage(ctx, { enrolmentId: enrolment.enrolmentId, url, qr, nextStep: nextStep(enrolment), state: enrolment.state, expiresAt: enrolment.expiresAt }));
    });
    app.post('/console/enrol-assisted', { schema: hide }, async (request, reply) => {
      const session = await sessions.fromRequest(request);
      if (!session) return refuse(request, reply, ConsoleError('console.signin_required'), '/console/signin');
      try {
        requireActor(session.operator);
      } catch (error) {
        return refuse(request, reply, error as NetidError, '/console/enrol-assisted');
      }
      const b = bodyOf(request);
      const values: AssistedValues = { document_type: text(b.document_type), document_number: text(b.document_number).trim(), name: text(b.name).trim(), birth_date: text(b.birth_date), expiry_date: text(b.expiry_date), mrz: text(b.mrz).replace(/\s+/g, '') };
      try {
        const enrolment = await service.startAssistedEnrolment(session.operator, {
          documentType: values.document_type!,
          documentNumber: values.document_number!,
          name: values.name!,
          birthDate: values.birth_date!,
          expiryDate: values.expiry_date || undefined,
          mrz: values.mrz || undefined,
        });
        return reply.redirect(`/console/enrol-assisted?enrolment=${enrolment.enrolmentId}`, 303);
      } catch (error) {
        if (!(error instanceof NetidError)) throw error;
        return sendPage(reply, assistedPage(ctxOf(request, session), values, error.code), error.status);
      }
    });

    authorityConsoleRoutes(app, service, { sessions, pageSession, ctxOf, act, refuse, bodyOf, text, actingOf }, { deferralMaxDays: services.config.NETID_AUTHORITY_DEFERRAL_MAX_DAYS, now: services.now });

    app.get('/console/audit', { schema: hide }, async (request, reply) => {
      const session = await pageSession(request, reply);
      if (!session) return reply;
      return sendPage(reply, auditPage(ctxOf(request, session), await service.operators.listActions({ limit: 500 })));
    });
  };
}
