/**
 * HTTP for authority requests. Admin listener: submit, approve, reject, fulfil, extend a
 * deferral, list. Public listener: the monthly aggregate counts (JSON, or an HTML table for a
 * browser) at GET /transparency/authority-requests.
 */
import type { RouteModule } from '../http/server.ts';
import type { AuthorityService } from './authority-service.ts';
import { operatorBody } from './admin-auth.ts';

const tags = ['authority requests'];
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function authorityAdminRoutes(authority: AuthorityService): RouteModule {
  return (app) => {
    app.post('/admin/v1/authority-requests', {
      schema: {
        summary: 'Record an authority request (legal basis, requesting body, scope, optional deferral of the notice)', tags,
        body: {
          type: 'object', additionalProperties: false, required: ['operator_id', 'web_number', 'requesting_body', 'statute', 'case_reference', 'scope'],
          properties: {
            ...operatorBody,
            web_number: { type: 'string', minLength: 1, maxLength: 32 },
            requesting_body: { type: 'string', minLength: 1, maxLength: 256 },
            statute: { type: 'string', minLength: 1, maxLength: 256 },
            case_reference: { type: 'string', minLength: 1, maxLength: 256 },
            scope: { enum: ['identity', 'records'] },
            window_from: { type: 'string', format: 'date-time' },
            window_to: { type: 'string', format: 'date-time' },
            deferral_reason: { type: 'string', minLength: 1, maxLength: 256 },
            deferral_until: { type: 'string', format: 'date-time' },
          },
        },
      },
    }, async (request, reply) => {
      const b = request.body as Record<string, string>;
      const row = await authority.submit(
        {
          subject: { webNumber: b.web_number! },
          requestingBody: b.requesting_body!,
          legalBasis: { statute: b.statute!, caseReference: b.case_reference! },
          scope: b.scope === 'identity' ? { kind: 'identity' } : { kind: 'records', from: new Date(b.window_from ?? 'invalid'), to: new Date(b.window_to ?? 'invalid') },
          ...(b.deferral_reason || b.deferral_until ? { deferral: { reason: b.deferral_reason ?? '', until: new Date(b.deferral_until ?? 'invalid') } } : {}),
        },
        b.operator_id!,
      );
      return reply.status(201).send(row);
    });
    app.get('/admin/v1/authority-requests', { schema: { summary: 'Authority requests, newest first', tags, querystring: { type: 'object', properties: { state: { enum: ['submitted', 'approved', 'fulfilled', 'rejected'] } } } } }, async (request) => ({
      requests: await authority.list((request.query as { state?: 'submitted' }).state),
    }));
    app.get('/admin/v1/authority-requests/:id', { schema: { summary: 'One authority request', tags, params: idParams } }, async (request) => authority.find((request.params as { id: string }).id));
    const action = (path: string, summary: string, run: (id: string, body: Record<string, string>) => Promise<unknown>, extra: Record<string, unknown> = {}, required: string[] = []) =>
      app.post(`/admin/v1/authority-requests/:id/${path}`, { schema: { summary, tags, params: idParams, body: { type: 'object', additionalProperties: false, required: ['operator_id', ...required], properties: { ...operatorBody, ...extra } } } }, async (request) =>
        run((request.params as { id: string }).id, request.body as Record<string, string>),
      );
    action('approve', 'Approve (two different operators, neither the submitter)', (id, b) => authority.approve(id, b.operator_id!));
    action('reject', 'Reject, with a reason', (id, b) => authority.reject(id, b.operator_id!, b.reason!), { reason: { type: 'string', minLength: 1, maxLength: 256 } }, ['reason']);
    action('fulfil', 'Fulfil: release exactly the approved scope', (id, b) => authority.fulfil(id, b.operator_id!));
    action('deferral-extension', 'Propose the one extension of the notice deferral', (id, b) => authority.proposeDeferralExtension(id, b.operator_id!, { reason: b.reason!, until: new Date(b.until!) }), { reason: { type: 'string', minLength: 1, maxLength: 256 }, until: { type: 'string', format: 'date-time' } }, ['reason', 'until']);
    action('deferral-extension/approve', 'Approve the proposed extension (a second operator)', (id, b) => authority.approveDeferralExtension(id, b.operator_id!));
  };
}

export function authorityPublicRoutes(authority: AuthorityService): RouteModule {
  return (app) => {
    app.get('/transparency/authority-requests', { schema: { summary: 'Authority requests per month: requests, approved, rejected, deferred', tags: ['transparency'] } }, async (request, reply) => {
      const months = await authority.monthlyCounts();
      if (!/text\/html/.test(request.headers.accept ?? '')) return { months };
      const rows = months.map((m) => `<tr><td>${m.month}</td><td>${m.requests}</td><td>${m.approved}</td><td>${m.rejected}</td><td>${m.deferred}</td></tr>`).join('');
      return reply.type('text/html; charset=utf-8').send(
        `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>调取请求统计 Authority requests</title></head><body><h1>调取请求统计 / Authority requests per month</h1><table><thead><tr><th>月份 Month</th><th>请求 Requests</th><th>批准 Approved</th><th>拒绝 Rejected</th><th>推迟通知 Deferred</th></tr></thead><tbody>${rows}</tbody></table></body></html>`,
      );
    });
  };
}
