/**
 * Public routes of the transparency log: the log's read API (logRoutes, docs/transparency.md),
 * and, for the signed-in person, their log key and their own entries with inclusion proofs.
 */
import type { Services } from '../../app/services.ts';
import type { RouteModule } from '../../http/server.ts';
import { runRetention } from '../../retention/retention-job.ts';
import { logRoutes } from '../http-routes.ts';
import type { TransparencyService } from './transparency-service.ts';

export function transparencyRoutes(services: Services, transparency: TransparencyService): RouteModule {
  const sessions = services.personSessions;
  return (app) => {
    for (const route of logRoutes(transparency.log)) {
      app.get(route.url, { schema: { summary: 'Transparency log (docs/transparency.md)', tags: ['transparency'] } }, async (request, reply) => {
        const answer = await route.handler(request.query as Record<string, string | undefined>);
        return reply.status(answer.status).type(answer.contentType).header('cache-control', 'no-cache').send(answer.body);
      });
    }
    app.get('/api/v1/me/log-key', { schema: { summary: 'My transparency log key: finds my entries, and only mine', tags: ['transparency'] } }, async (request, reply) => {
      const session = await sessions.require(request);
      reply.header('cache-control', 'no-store');
      return { origin: transparency.origin, verifier_key: transparency.log.verifierKey(), person_log_key: Buffer.from(transparency.personLogKey(session.personId)).toString('base64url') };
    });
    app.get('/api/v1/me/log-entries', { schema: { summary: 'My entries in the transparency log, each with its inclusion proof against the latest checkpoint', tags: ['transparency'] } }, async (request, reply) => {
      const session = await sessions.require(request);
      const own = await transparency.ownEntries(session.personId);
      reply.header('cache-control', 'no-store');
      return { checkpoint: own.checkpoint?.note ?? null, entries: own.entries.map((e) => ({ index: e.index, entry: e.entry, event: e.event, inclusion: e.inclusion && { tree_size: e.inclusion.treeSize, hashes: e.inclusion.hashes } })) };
    });
  };
}

/** Admin: sign a checkpoint now (after flushing queued events); run retention now. */
export function transparencyAdminRoutes(services: Services): RouteModule {
  return (app) => {
    app.post('/admin/v1/log/checkpoint', { schema: { summary: 'Flush queued accountable events and sign a checkpoint now', tags: ['transparency'] } }, async () => {
      await services.authority.releaseDueNotices();
      const checkpoint = await services.transparency.checkpoint();
      return { tree_size: checkpoint.treeSize, note: checkpoint.note };
    });
    app.post('/admin/v1/retention/run', { schema: { summary: 'Run the daily jobs now: record retention, then the purge of expired web certificate status entries', tags: ['transparency'] } }, async () => {
      const retention = await runRetention({ db: services.database.db, log: services.transparency, now: services.now, retentionDays: services.config.NETID_RETENTION_DAYS });
      const purge = await services.credentials.purgeExpiredStatusEntries();
      return { ...retention, status_purge: { cutoff: purge.cutoff.toISOString(), released: purge.released, released_revoked: purge.releasedRevoked, lists: purge.changedLists } };
    });
  };
}
