/**
 * `npm test`: starts one throwaway PostgreSQL server and one Redis server for the storage contract
 * tests, runs every test file with Node's test runner, and stops the servers. Tests that need them
 * read NETID_TEST_DATABASE_URL and NETID_TEST_REDIS_URL; they fail (never skip) when they are missing.
 *
 *   npm test                      every test
 *   npm test -- test/documents    only the files under the given paths
 */
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';
import { startPostgresServer } from '../test/support/postgres-server.ts';
import { startRedisServer } from '../test/support/redis-server.ts';

const paths = process.argv.slice(2);
const patterns = paths.length ? paths.map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`)) : ['test/**/*.test.ts'];
const files = patterns.flatMap((p) => globSync(p)).sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(' ')}`);
  process.exit(1);
}

const server = await startPostgresServer();
const redis = await startRedisServer().catch((error: unknown) => {
  server.stop();
  throw error;
});
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NETID_TEST_DATABASE_URL: server.url, NETID_TEST_REDIS_URL: redis.url, NODE_ENV: 'test' },
});
const code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
server.stop();
redis.stop();
process.exit(code);
