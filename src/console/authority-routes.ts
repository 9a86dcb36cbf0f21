/**
 * The console's authority-request routes (admin listener, /console/authority): the page, and one
 * form POST per step, each an act with a step-up (ConsoleService.authority). Dates come from date
 * fields and are read as whole UTC days: a records window runs from the start of its first day to
 * the end of its last; a deferral or its extension ends at the start of the chosen day. The
 * fulfilment answers with the released scope (shown once, not cached, never in a URL); the other
 * steps return to the list (?done= / ?error=).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorityError } from '../authority/errors.ts';
import type { AuthorityRequestInput } from '../authority/authority-service.ts';
import { NetidError } from '../domain/errors.ts';
import { sendPage } from '../web/layout.ts';
import { authorityPage, releasedPage } from './authority-pages.ts';
import type { ConsoleService } from './console-service.ts';
import { ConsoleError } from './errors.ts';
import type { ActingOperator } from './operator-passkeys.ts';
import { isUuid, type Operator } from './operator-repository.ts';
import type { ConsoleContext } from './pages.ts';
import type { ConsoleSession, ConsoleSessions } from './session.ts';

const hide = { hide: true } as const;
const BACK = '/console/authority';
const DAY_MS = 86_400_000;

/** The console's request helpers (routes.ts) this module shares. */
export interface ConsoleHttp {
  readonly sessions: ConsoleSessions;
  pageSession(request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | null>;
  ctxOf(request: FastifyRequest, session: ConsoleSession): ConsoleContext;
  act(back: string, run: (operator: Operator, request: FastifyRequest, acting: ActingOperator) => Promise<string>): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
  refuse(request: FastifyRequest, reply: FastifyReply, error: NetidError, back: string): FastifyReply;
  bodyOf(request: FastifyRequest): Record<string, string | undefined>;
  text(value: unknown): string;
  actingOf(session: ConsoleSession, request: FastifyRequest): ActingOperator;
}

/** A date field's day as a UTC instant (`plusDays` later); an invalid date for an empty or malformed field. */
function dayOf(value: string, plusDays = 0): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(Number.NaN);
  return new Date(Date.parse(`${value}T00:00:00.000Z`) + plusDays * DAY_MS);
}

/** The request id of the path; an unknown one answers as not found. */
function requestIdOf(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!isUuid(id)) throw AuthorityError('authority.not_found');
  return id;
}

export function authorityConsoleRoutes(app: FastifyInstance, service: ConsoleService, http: ConsoleHttp, deps: { deferralMaxDays: number; now: () => Date }): void {
  const { act, bodyOf, text } = http;

  app.get(BACK, { schema: hide }, async (request, reply) => {
    const session = await http.pageSession(request, reply);
    if (!session) return reply;
    const [requests, operators] = await Promise.all([service.authority.list(), service.operators.list()]);
    return sendPage(reply, authorityPage(http.ctxOf(request, session), { requests, operatorNames: new Map(operators.map((o) => [o.id, o.name])), deferralMaxDays: deps.deferralMaxDays, now: deps.now() }));
  });

  app.post(BACK, { schema: hide }, act(BACK, async (_operator, request, acting) => {
    const b = bodyOf(request);
    const scope = text(b.scope);
    if (scope !== 'identity' && scope !== 'records') throw AuthorityError('authority.field_required', { field: 'scope' });
    const deferralReason = text(b.deferral_reason).trim();
    const deferralUntil = text(b.deferral_until);
    const input: Omit<AuthorityRequestInput, 'subject'> = {
      requestingBody: text(b.requesting_body).trim(),
      legalBasis: { statute: text(b.statute).trim(), caseReference: text(b.case_reference).trim() },
      scope: scope === 'records' ? { kind: 'records', from: dayOf(text(b.window_from)), to: dayOf(text(b.window_to), 1) } : { kind: 'identity' },
      ...(deferralReason || deferralUntil ? { deferral: { reason: deferralReason, until: dayOf(deferralUntil) } } : {}),
    };
    await service.authority.submit(acting, text(b.web_number), input);
    return 'authority_submitted';
  }));

  app.post(`${BACK}/:id/approve`, { schema: hide }, act(BACK, async (_operator, request, acting) => {
    const row = await service.authority.approve(acting, requestIdOf(request));
    return row.state === 'approved' ? 'authority_approved' : 'authority_first_approval';
  }));
  app.post(`${BACK}/:id/reject`, { schema: hide }, act(BACK, async (_operator, request, acting) => {
    await service.authority.reject(acting, requestIdOf(request), text(bodyOf(request).reason));
    return 'authority_rejected';
  }));
  app.post(`${BACK}/:id/extension`, { schema: hide }, act(BACK, async (_operator, request, acting) => {
    const b = bodyOf(request);
    await service.authority.proposeExtension(acting, requestIdOf(request), { reason: text(b.reason), until: dayOf(text(b.until)) });
    return 'extension_proposed';
  }));
  app.post(`${BACK}/:id/extension/approve`, { schema: hide }, act(BACK, async (_operator, request, acting) => {
    await service.authority.approveExtension(acting, requestIdOf(request));
    return 'extension_approved';
  }));

  // The released scope is the answer to this POST: shown once, never in a URL or a redirect.
  app.post(`${BACK}/:id/fulfil`, { schema: hide }, async (request, reply) => {
    const session = await http.sessions.fromRequest(request);
    if (!session) return http.refuse(request, reply, ConsoleError('console.signin_required'), '/console/signin');
    try {
      const { request: row, released } = await service.authority.fulfil(http.actingOf(session, request), requestIdOf(request));
      reply.header('cache-control', 'no-store');
      return sendPage(reply, releasedPage({ ...http.ctxOf(request, session), path: BACK }, row, released));
    } catch (error) {
      if (!(error instanceof NetidError)) throw error;
      if (error.code === 'console.read_only') return http.refuse(request, reply, error, BACK);
      return reply.redirect(`${BACK}?error=${encodeURIComponent(error.code)}`, 303);
    }
  });
}
