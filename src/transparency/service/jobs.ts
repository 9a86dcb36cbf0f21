/**
 * The node's accountability jobs: every NETID_CHECKPOINT_INTERVAL_SECONDS release the deferred
 * authority notices that are due, move queued events into the log and sign a checkpoint; once a
 * day (and shortly after start) run retention and release the status entries of long-expired web
 * certificates (src/credentials/service/status-purge.ts). Every node may run them: the log's locked head
 * row serialises appends and checkpoints, the notice release is a conditional UPDATE.
 */
import type { Services } from '../../app/services.ts';
import { runRetention } from '../../retention/retention-job.ts';

const DAY_MS = 86_400_000;

export async function accountabilityTick(services: Services): Promise<void> {
  await services.authority.releaseDueNotices();
  await services.transparency.checkpoint();
}

export function startAccountabilityJobs(services: Services): () => void {
  const log = services.logger.child({ job: 'accountability' });
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await accountabilityTick(services);
    } catch (error) {
      log.error({ err: error }, 'checkpoint job failed');
    } finally {
      running = false;
    }
  };
  const retention = async () => {
    try {
      const report = await runRetention({ db: services.database.db, log: services.transparency, now: services.now, retentionDays: services.config.NETID_RETENTION_DAYS });
      log.info({ cutoff: report.cutoff, dropped: report.droppedPartitions, deleted: report.deletedRows }, 'retention run');
    } catch (error) {
      log.error({ err: error }, 'retention job failed');
    }
    try {
      const purge = await services.credentials.purgeExpiredStatusEntries();
      log.info({ cutoff: purge.cutoff, released: purge.released, releasedRevoked: purge.releasedRevoked, lists: purge.changedLists }, 'status entry purge');
    } catch (error) {
      log.error({ err: error }, 'status entry purge failed');
    }
  };
  const timers = [setInterval(tick, services.config.NETID_CHECKPOINT_INTERVAL_SECONDS * 1000), setInterval(retention, DAY_MS), setTimeout(retention, 60_000)];
  for (const timer of timers) timer.unref();
  void tick();
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
