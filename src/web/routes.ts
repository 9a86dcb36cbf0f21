/**
 * The netid app's pages on the public listener: sign-in, enrolment wizard, home, activity,
 * connected apps, settings. Pages read through the same services as the JSON APIs; the
 * interactive steps (camera, passkeys) call the JSON APIs from /static/client/ scripts.
 *
 * Also two small person routes nobody else owns: reporting an activity entry ("this wasn't me",
 * "this app asked for too much"), recorded as activity entries of type `report_*`, and the
 * activity export.
 */
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deactivatePerson } from '../accounts/deactivation.ts';
import type { Services } from '../app/services.ts';
import type { RouteModule } from '../http/server.ts';
import { relyingPartyRegistryOf } from '../relying-parties/admin-routes.ts';
import { CONNECTED_APPS_HISTORY_LIMIT, connectedAppsOf, disconnectApp, personGrantsOf } from '../oidc/grants.ts';
import { HttpError } from '../http/error-mapper.ts';
import { pageLang, sendPage, setPageLang } from './layout.ts';
import { format, messages, type PageLang } from './messages/index.ts';
import { activityPage, appsPage, deactivatedPage, enrolPage, homePage, landingPage, settingsPage, signInPage, type ActivityView, type ConnectedApp, type PageContext } from './pages.ts';
import { staticRoutes } from './static-routes.ts';
import { RecoveryNotices } from '../recovery/notices.ts';
import { demoAppRoutes } from './demo-app/routes.ts';

const REPORT_KINDS = { not_me: 'report_not_me', over_asking: 'report_over_asking' } as const;

export function webRoutes(services: Services): RouteModule {
  const registry = relyingPartyRegistryOf(services);
  const grants = personGrantsOf(services);
  const recoveryNotices = new RecoveryNotices({ db: services.database.db });
  const appName = async (clientId: string | null, cache: Map<string, string>) => {
    if (!clientId) return null;
    if (!cache.has(clientId)) cache.set(clientId, (await registry.find(clientId))?.name ?? clientId);
    return cache.get(clientId)!;
  };

  const sessionOf = (request: FastifyRequest) => services.personSessions.fromCookie(request);
  const ctxOf = (request: FastifyRequest): PageContext => ({ lang: pageLang(request), path: request.url });
  /** The signed-in person, or a redirect to /signin that returns here. */
  const requirePerson = (request: FastifyRequest, reply: FastifyReply) => services.personSessions.forPage(request, reply);

  /** The claim names an activity entry records (a sign-in's `claims`, a credential's `disclosed`). */
  const claimsOf = (d: Record<string, unknown>): string[] => (Array.isArray(d.claims) ? d.claims.map(String) : Array.isArray(d.disclosed) ? d.disclosed.map(String) : []);
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

  const activityViews = async (personId: string, lang: PageLang): Promise<ActivityView[]> => {
    const t = messages(lang) as Record<string, string>;
    // A reason code from a closed list reads as words; free text (an operator's) stays as written.
    const reasonText = (value: unknown) => {
      const code = text(value);
      return (code ? t[`reason.${code}`] : undefined) ?? code;
    };
    const entries = await services.activity.listVisible(personId, services.now());
    const names = new Map<string, string>();
    const out: ActivityView[] = [];
    for (const e of entries) {
      const d = e.details;
      const basis = d.legal_basis ?? d.legal_bases;
      // A sign-in records each plaintext claim's basis as the consent screen showed it ({claim: basis}).
      const legalBasis = Array.isArray(basis) ? basis.map((b) => ({ claim: null, basis: String(b) })) : typeof basis === 'string' ? [{ claim: null, basis }] : basis && typeof basis === 'object' ? Object.entries(basis).map(([claim, v]) => ({ claim, basis: String(v) })) : [];
      out.push({ id: e.activityId, occurredAt: e.occurredAt, type: e.type, app: await appName(e.relyingPartyId, names), claims: claimsOf(d), legalBasis, reason: reasonText(d.reason), answer: text(d.answer) });
    }
    return out;
  };

  return async (app) => {
    await app.register(formbody);
    staticRoutes(app);
    await demoAppRoutes(services)(app);

    app.get('/', { schema: { hide: true } }, async (request, reply) => {
      const ctx = ctxOf(request);
      const session = await sessionOf(request);
      if (!session) return sendPage(reply, landingPage(ctx));
      const person = await services.persons.find(session.personId);
      const devices = await services.passkeys.devices.listActive(session.personId);
      return sendPage(reply, homePage(ctx, {
        webNumber: person?.webNumber ?? null,
        devices: devices.map((d) => ({ id: d.deviceId, label: d.label, createdAt: d.createdAt, lastUsedAt: d.lastUsedAt })),
        certificate: await services.credentials.stateOf(session.personId),
        recoveredAt: (await recoveryNotices.pending(session.personId))?.recoveredAt ?? null,
      }));
    });

    app.get('/signin', { schema: { hide: true } }, async (request, reply) => {
      const next = (request.query as { next?: string }).next;
      const safeNext = typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
      return sendPage(reply, signInPage(ctxOf(request), safeNext));
    });

    app.post('/signout', { schema: { hide: true } }, async (request, reply) => {
      await services.personSessions.end(request, reply);
      return reply.redirect('/', 303);
    });

    app.get('/enrol', { schema: { hide: true } }, async (request, reply) => {
      const session = await sessionOf(request);
      return sendPage(reply, enrolPage(ctxOf(request), { guardianSignedIn: session !== null, sampleSelfie: services.config.NODE_ENV !== 'production' }));
    });

    // The enrol form without scripts: the details are dropped unread (nothing can enrol without the camera and a passkey).
    app.post('/enrol', { schema: { hide: true } }, async (request, reply) => sendPage(reply, enrolPage(ctxOf(request), { guardianSignedIn: false, noScript: true })));

    app.get('/activity', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const ctx = ctxOf(request);
      const reported = (request.query as { reported?: string }).reported === '1';
      return sendPage(reply, activityPage(ctx, await activityViews(session.personId, ctx.lang), reported ? messages(ctx.lang)['activity.reported'] : null));
    });

    app.get('/activity/export.json', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const entries = await services.activity.listVisible(session.personId, services.now(), 10_000);
      reply.header('content-disposition', 'attachment; filename="netid-activity.json"');
      return reply.type('application/json; charset=utf-8').send({
        exported_at: services.now().toISOString(),
        entries: entries.map((e) => ({ id: e.activityId, occurred_at: e.occurredAt.toISOString(), type: e.type, relying_party_id: e.relyingPartyId, details: e.details })),
      });
    });

    const report = async (personId: string, activityId: string, kind: keyof typeof REPORT_KINDS) => {
      const entries = await services.activity.listVisible(personId, services.now(), 10_000);
      const entry = entries.find((e) => e.activityId === activityId);
      if (!entry) return false;
      await services.activity.record({ personId, type: REPORT_KINDS[kind], occurredAt: services.now(), relyingPartyId: entry.relyingPartyId, details: { activity_id: activityId, reported_type: entry.type } });
      return true;
    };

    app.post('/activity/report', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const body = request.body as { activity_id?: string; kind?: string };
      const kind = body.kind === 'over_asking' ? 'over_asking' : body.kind === 'not_me' ? 'not_me' : null;
      if (!kind || typeof body.activity_id !== 'string' || !(await report(session.personId, body.activity_id, kind))) return reply.redirect('/activity', 303);
      return reply.redirect('/activity?reported=1', 303);
    });

    app.post('/api/v1/me/reports', {
      schema: {
        summary: 'Report an activity entry: "this wasn\'t me" (not_me) or "this app asked for too much" (over_asking); recorded in the activity feed',
        tags: ['account'],
        body: { type: 'object', required: ['activity_id', 'kind'], additionalProperties: false, properties: { activity_id: { type: 'string', maxLength: 64 }, kind: { enum: ['not_me', 'over_asking'] } } },
      },
    }, async (request, reply) => {
      const session = await services.personSessions.require(request);
      const body = request.body as { activity_id: string; kind: 'not_me' | 'over_asking' };
      if (!(await report(session.personId, body.activity_id, body.kind))) return reply.status(404).send({ error: 'request.not_found', message: 'No such activity entry.' });
      return reply.status(201).send({ reported: true });
    });

    /** Connected apps, from the person's own activity (the rule: src/oidc/grants.ts connectedAppsOf). */
    const connectedApps = async (personId: string): Promise<ConnectedApp[]> => {
      const names = new Map<string, string>();
      const apps: ConnectedApp[] = [];
      for (const [clientId, signIns] of connectedAppsOf(await services.activity.listVisible(personId, services.now(), CONNECTED_APPS_HISTORY_LIMIT))) {
        apps.push({ clientId, name: (await appName(clientId, names)) ?? clientId, firstAt: signIns[0]!.occurredAt, claims: [...new Set(signIns.flatMap((e) => claimsOf(e.details)))] });
      }
      return apps;
    };

    app.get('/apps', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const ctx = ctxOf(request);
      const query = request.query as { disconnected?: string; none?: string };
      const notice = query.none === '1' ? messages(ctx.lang)['apps.disconnected.none'] : query.disconnected ? format(messages(ctx.lang)['apps.disconnected'], { app: query.disconnected }) : null;
      return sendPage(reply, appsPage(ctx, await connectedApps(session.personId), { notice }));
    });

    /** Disconnect: only an app the person is connected to; revokes its grants and tokens. */
    const disconnect = async (personId: string, clientId: string): Promise<ConnectedApp | null> => {
      const connected = (await connectedApps(personId)).find((a) => a.clientId === clientId);
      if (!connected) return null;
      await disconnectApp({ grants, activity: services.activity, now: services.now, notifiers: services.disconnectNotifiers }, personId, clientId);
      return connected;
    };

    app.post('/apps/disconnect', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const clientId = (request.body as { client_id?: unknown }).client_id;
      const done = typeof clientId === 'string' && clientId.length <= 200 ? await disconnect(session.personId, clientId) : null;
      return reply.redirect(done ? `/apps?disconnected=${encodeURIComponent(done.name)}` : '/apps?none=1', 303);
    });

    app.delete('/api/v1/me/apps/:clientId', {
      schema: {
        summary: 'Disconnect an app: revoke every grant, access token and refresh token it holds for the signed-in person',
        tags: ['account'],
        params: { type: 'object', required: ['clientId'], properties: { clientId: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    }, async (request, reply) => {
      const session = await services.personSessions.require(request);
      const done = await disconnect(session.personId, (request.params as { clientId: string }).clientId);
      if (!done) throw HttpError('request.not_found');
      return reply.status(200).send({ disconnected: done.clientId });
    });

    app.get('/api/v1/me/apps', { schema: { summary: 'Apps connected to the signed-in person, with the claim names each received', tags: ['account'] } }, async (request) => {
      const session = await services.personSessions.require(request);
      return { apps: (await connectedApps(session.personId)).map((a) => ({ client_id: a.clientId, name: a.name, first_connected_at: a.firstAt.toISOString(), claims: a.claims })) };
    });

    app.get('/settings', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const ctx = ctxOf(request);
      const saved = (request.query as { saved?: string }).saved === '1';
      return sendPage(reply, settingsPage(ctx, { notice: saved ? messages(ctx.lang)['settings.language.saved'] : null, error: null }));
    });

    app.post('/settings/language', { schema: { hide: true } }, async (request, reply) => {
      const lang = (request.body as { lang?: string }).lang === 'en' ? 'en' : 'zh-CN';
      setPageLang(reply, lang);
      return reply.redirect('/settings?saved=1', 303);
    });

    app.post('/settings/deactivate', { schema: { hide: true } }, async (request, reply) => {
      const session = await requirePerson(request, reply);
      if (!session) return reply;
      const ctx = ctxOf(request);
      const typed = String((request.body as { confirm?: string }).confirm ?? '').trim().toUpperCase().replace(/[\s-]/g, '');
      const person = await services.persons.find(session.personId);
      if (!person?.webNumber || typed !== person.webNumber) {
        return sendPage(reply, settingsPage(ctx, { notice: null, error: messages(ctx.lang)['settings.deactivate.confirm.mismatch'] }), 422);
      }
      await deactivatePerson(services.deactivation, session.personId);
      services.personSessions.clearCookie(reply);
      return sendPage(reply, deactivatedPage(ctx));
    });
  };
}
