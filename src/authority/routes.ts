/**
 * HTTP for authority requests. Admin listener (machine token): reads only — the list and one
 * request. Every step (submit, approve, reject, fulfil, deferral extension) is an operator's act
 * in the console with a passkey step-up (src/console/authority-routes.ts); the machine token never
 * stands in for a person. Public listener: the monthly aggregate counts (JSON, or an HTML table
 * for a browser) at GET /transparency/authority-requests.
 */
import type { RouteModule } from '../http/server.ts';
import type { AuthorityService } from './authority-service.ts';

const tags = ['authority requests'];
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function authorityAdminRoutes(authority: AuthorityService): RouteModule {
  return (app) => {
    app.get('/admin/v1/authority-requests', { schema: { summary: 'Authority requests, newest first (each step is taken in the console, with a passkey)', tags, querystring: { type: 'object', properties: { state: { enum: ['submitted', 'approved', 'fulfilled', 'rejected'] } } } } }, async (request) => ({
      requests: await authority.list((request.query as { state?: 'submitted' }).state),
    }));
    app.get('/admin/v1/authority-requests/:id', { schema: { summary: 'One authority request', tags, params: idParams } }, async (request) => authority.find((request.params as { id: string }).id));
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
