/**
 * Composition root: reads config, builds every service, starts the listeners. `createNode`
 * builds without listening (tests and CLI commands use it); `startNode` also listens.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { PersonRepository } from '../accounts/person-repository.ts';
import { ActivityRepository } from '../audit/activity.ts';
import type { Config } from '../config/schema.ts';
import { loggerOptions } from '../http/logging.ts';
import { createMetrics } from '../http/metrics.ts';
import { buildServer, type RouteModule } from '../http/server.ts';
import { startRateLimitCounters, trustedProxies } from '../http/rate-limit.ts';
import { DatabaseKeyStore } from '../keys/database-key-store.ts';
import { createSealer } from '../keys/envelope.ts';
import { EmbeddedRegistry } from '../registry/embedded-registry.ts';
import { importDemoRegistry } from '../registry/demo-registry.ts';
import { openDatabase } from '../storage/database.ts';
import { openEphemeralStore } from '../storage/open-ephemeral-store.ts';
import { migrate } from '../storage/migrate.ts';
import { oidcRoutes } from '../oidc/routes.ts';
import { relyingPartyAdminRoutes } from '../relying-parties/admin-routes.ts';
import { adminAuthorization, adminRoutes } from './admin-routes.ts';
import { acquireLock, adminToken, dataPaths, updateLock } from './data-dir.ts';
import { coreRoutes } from './core-routes.ts';
import { buildEnrolmentServices, enrolmentRouteModules } from '../enrolment/wiring.ts';
import { recoveryRouteModule } from '../recovery/wiring.ts';
import type { Services } from './services.ts';
import { accountabilityAdminRoutes, accountabilityPublicRoutes, buildAccountabilityServices, credentialRevocationReason } from '../transparency/service/build.ts';
import { startAccountabilityJobs } from '../transparency/service/jobs.ts';
import { credentialRoutes, WebCertificateService } from '../credentials/service/index.ts';
import { webRoutes } from '../web/routes.ts';
import { sessionCookieGuard } from '../accounts/person-session.ts';
import { consoleRoutes } from '../console/routes.ts';
import { operatorAdminRoutes } from '../console/admin-routes.ts';

export { DEMO_REGISTRY_FILE } from '../registry/demo-registry.ts';

export interface NodeOptions {
  /** Use an in-memory embedded database (tests). */
  readonly inMemory?: boolean;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Skip the process lock (tests running several nodes in one process). */
  readonly skipLock?: boolean;
  /** Run the accountability jobs (checkpoints, retention; default true). Off in tests that compare stored data around a request. */
  readonly backgroundJobs?: boolean;
}

export interface FirstRunReport {
  readonly migrationsApplied: string[];
  readonly keysCreated: string[];
  readonly demoRecordsImported: number;
}

export interface NetidNode {
  readonly services: Services;
  readonly firstRun: FirstRunReport;
  close(): Promise<void>;
}

export async function createNode(config: Config, options: NodeOptions = {}): Promise<NetidNode> {
  const logger = options.logger ?? pino(loggerOptions(config.NETID_LOG_LEVEL));
  const now = options.now ?? (() => new Date());
  const paths = dataPaths(config.NETID_DATA_DIR);
  const embedded = !config.DATABASE_URL;
  const release = embedded && !options.inMemory && !options.skipLock ? acquireLock(config.NETID_DATA_DIR, null) : () => {};
  try {
    const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: options.inMemory ? undefined : paths.pglite });
    const migrationsApplied = await migrate(database.db);
    const sealer = createSealer([config.NETID_MASTER_KEY, ...config.NETID_PREVIOUS_MASTER_KEYS.split(',').filter(Boolean)]);
    const keys = new DatabaseKeyStore({ db: database.db, sealer, now });
    const keysCreated = await keys.ensureKeys();
    const activity = new ActivityRepository({ db: database.db });
    await activity.ensurePartitions(now());
    const embeddedRegistry = new EmbeddedRegistry({ db: database.db, sealer, now });
    const persons = new PersonRepository({ db: database.db, sealer });
    const ephemeral = await openEphemeralStore(config, { db: database.db, now, logger });
    const services: Services = {
      config,
      logger,
      database,
      ephemeral: ephemeral.store,
      redis: ephemeral.redis,
      sealer,
      keys,
      persons,
      activity,
      registry: embeddedRegistry,
      embeddedRegistry,
      metrics: createMetrics(),
      now,
      ...buildEnrolmentServices({ config, logger, db: database.db, ephemeral: ephemeral.store, sealer, persons, activity, registry: embeddedRegistry, now }),
      credentials: new WebCertificateService({ db: database.db, persons, activity, keyStore: keys, issuer: config.NETID_ISSUER, now, validityDays: config.NETID_CREDENTIAL_VALIDITY_DAYS }),
      ...(await buildAccountabilityServices({ config, db: database.db, sealer, keys, persons, activity, registry: embeddedRegistry, now })),
      disconnectNotifiers: [],
    };
    // Applying a revocation revokes the person's web certificates and ends their netid app sessions in the same transaction (whoever holds a session signs in again with a passkey).
    services.revocation.setCredentialRevoker(async (personId, reason, trx) => {
      await services.credentials.revokePersonCredentials(personId, credentialRevocationReason(reason), trx);
      await services.personSessions.endAll(personId, trx);
    });
    // Deactivation and device removal revoke web certificates in their own transaction.
    services.deactivation.revokers.push((personId, _now, trx) => services.credentials.revokePersonCredentials(personId, 'person_deactivated', trx).then(() => undefined));
    services.passkeys.deviceRevokers.push((personId, deviceId, trx) => services.credentials.revokeCredentialsOfDevice(personId, deviceId, trx));
    // The demo portraits are cut from group photographs by the face engine, so the demo import waits for the services.
    const demoRecordsImported = config.NETID_DEMO_DATA && (await embeddedRegistry.stats()).records === 0 ? await importDemoRegistry({ registry: embeddedRegistry, faceEngine: services.faceEngine, now }, config.NETID_DATA_DIR) : 0;
    return {
      services,
      firstRun: { migrationsApplied, keysCreated, demoRecordsImported },
      async close() {
        // The in-process store saves its live records to the database, so the database closes after it.
        await ephemeral.close();
        await database.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The route modules of each listener, in one list so a reader sees every surface. */
export function publicRouteModules(services: Services): RouteModule[] {
  return [coreRoutes(services), oidcRoutes(services), ...enrolmentRouteModules(services), recoveryRouteModule(services), webRoutes(services), credentialRoutes(services, async (request) => services.personSessions.require(request)), ...accountabilityPublicRoutes(services)];
}

export interface RunningNode extends NetidNode {
  readonly publicServer: FastifyInstance;
  readonly adminServer: FastifyInstance;
  readonly publicUrl: string;
  readonly adminUrl: string;
}

export async function startNode(config: Config, options: NodeOptions = {}): Promise<RunningNode> {
  const node = await createNode(config, options);
  const { services } = node;
  const readiness = async () => {
    await sql`SELECT 1`.execute(services.database.db);
    return true;
  };
  const https = config.NETID_ISSUER.startsWith('https://');
  // One set of counters per node for both listeners (shared with the other nodes when in the database).
  const limits = startRateLimitCounters(config, services.database, services.redis, services.now, (error) => services.logger.warn({ err: error }, 'rate-limit counter sweep failed'));
  const publicServer = await buildServer({ logger: services.logger, metrics: services.metrics, https, title: 'netid public API', routes: publicRouteModules(services), authorize: sessionCookieGuard(config.NETID_ISSUER), readiness, exposeMetrics: false, rateLimits: { ...limits, listener: 'public' }, trustProxy: trustedProxies(config) });
  const token = adminToken(config.NETID_DATA_DIR);
  const adminServer = await buildServer({ logger: services.logger, metrics: services.metrics, https: false, title: 'netid admin API', routes: [adminRoutes(services), relyingPartyAdminRoutes(services), ...accountabilityAdminRoutes(services), operatorAdminRoutes(services), consoleRoutes(services)], authorize: adminAuthorization(token), loopbackHostOnly: true, readiness, exposeMetrics: true, rateLimits: { ...limits, listener: 'admin' } });
  try {
    await publicServer.listen({ host: config.NETID_HOST, port: config.NETID_PORT });
    // The admin listener never leaves loopback.
    await adminServer.listen({ host: '127.0.0.1', port: config.NETID_ADMIN_PORT });
  } catch (error) {
    limits.stop();
    await publicServer.close();
    await node.close();
    throw error;
  }
  const publicAddress = publicServer.server.address() as AddressInfo;
  const adminAddress = adminServer.server.address() as AddressInfo;
  const publicUrl = `http://${publicAddress.address}:${publicAddress.port}`;
  const adminUrl = `http://127.0.0.1:${adminAddress.port}`;
  if (!config.DATABASE_URL && !options.inMemory && !options.skipLock) updateLock(config.NETID_DATA_DIR, adminUrl);
  const stopAccountabilityJobs = options.backgroundJobs === false ? () => {} : startAccountabilityJobs(services);
  return {
    ...node,
    publicServer,
    adminServer,
    publicUrl,
    adminUrl,
    async close() {
      stopAccountabilityJobs();
      limits.stop();
      await Promise.allSettled([publicServer.close(), adminServer.close()]);
      await node.close();
    },
  };
}
