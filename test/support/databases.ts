/**
 * The two databases every storage contract test runs on: embedded PostgreSQL (PGlite, in
 * memory) and a real PostgreSQL server. `npm test` starts one server and passes its URL in
 * NETID_TEST_DATABASE_URL; a test file run by hand starts its own. Each call gets a fresh,
 * empty database, so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostgresServer, type PostgresServer } from './postgres-server.ts';

export interface TestDatabase {
  /** 'pglite' or 'postgres', for test names. */
  readonly kind: 'pglite' | 'postgres';
  /** postgres:// URL of a fresh database, or undefined for a fresh in-memory PGlite. */
  url(): Promise<string | undefined>;
}

let ownServer: Promise<PostgresServer> | null = null;

async function serverUrl(): Promise<string> {
  const fromRunner = process.env.NETID_TEST_DATABASE_URL;
  if (fromRunner) return fromRunner;
  if (process.env.CI) throw new Error('NETID_TEST_DATABASE_URL is not set: run the tests with `npm test`');
  if (!ownServer) {
    ownServer = startPostgresServer();
    // Stopped when the test file's process ends (an after() hook here would belong to whichever
    // suite asked first, and stop the server under the suites after it).
    const started = await ownServer;
    process.once('exit', () => started.stop());
  }
  return (await ownServer).url;
}

/** A fresh, empty database on the PostgreSQL server at `base` (tests and benchmarks). */
export async function createDatabaseOn(base: string, prefix = 't'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function freshServerDatabase(): Promise<string> {
  return createDatabaseOn(await serverUrl());
}

export const testDatabases: readonly TestDatabase[] = [
  { kind: 'pglite', url: async () => undefined },
  { kind: 'postgres', url: freshServerDatabase },
];

/** Every abuse limit (src/http/rate-limit.ts) raised far above what a test run does from one address. */
export const RAISED_LIMITS: Readonly<Record<string, string>> = {
  NETID_ENROLMENT_STARTS_PER_MINUTE: '100000',
  NETID_RECOVERY_STARTS_PER_MINUTE: '100000',
  NETID_ENROLMENT_STEPS_PER_MINUTE: '100000',
  NETID_PASSKEY_OPTIONS_PER_MINUTE: '100000',
  NETID_PASSKEY_VERIFICATIONS_PER_MINUTE: '100000',
  NETID_PASSKEY_VERIFICATIONS_PER_CREDENTIAL_PER_MINUTE: '100000',
  NETID_SIGN_IN_STARTS_PER_MINUTE: '100000',
  NETID_SCAN_POLLS_PER_MINUTE: '100000',
};

/** Environment for loadConfig() in tests: quiet logs, a temp data dir, ephemeral ports. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  // Tests enrol and sign in many times from 127.0.0.1 in a minute, so the abuse limits are raised
  // here; test/http/rate-limit.test.ts and test/enrolment/rate-limit.test.ts check the limits themselves.
  return { NODE_ENV: 'test', NETID_LOG_LEVEL: 'silent', NETID_PORT: '0', NETID_ADMIN_PORT: '0', NETID_DEMO_DATA: 'false', ...RAISED_LIMITS, ...overrides };
}
