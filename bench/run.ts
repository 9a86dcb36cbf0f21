/**
 * `npm run bench`: runs every benchmark and prints each figure beside its same-run baseline.
 * Starts a throwaway PostgreSQL server for the database figures. `npm run bench -- face oidc`
 * runs only the named groups.
 */
import { existsSync } from 'node:fs';
import { startPostgresServer } from '../test/support/postgres-server.ts';
import type { Measurement } from './measure.ts';

type Bench = (databaseUrl: string) => Promise<Measurement[]>;

const groups: Array<[string, string, string]> = [
  ['foundation', './foundation.bench.ts', 'benchFoundation'],
  ['face', './face.bench.ts', 'benchFace'],
  ['enrolment', './enrolment.bench.ts', 'benchEnrolment'],
  ['oidc', './oidc.bench.ts', 'benchOidc'],
  ['credentials', './credentials.bench.ts', 'benchCredentials'],
  ['credentials-service', './credentials-service.bench.ts', 'benchCredentialsService'],
  ['transparency', './transparency.bench.ts', 'benchTransparency'],
  ['ephemeral', './ephemeral-store.bench.ts', 'benchEphemeralStore'],
];

function format(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

const wanted = process.argv.slice(2);
const server = await startPostgresServer();
process.env.NETID_TEST_DATABASE_URL = server.url;
let failed = false;
try {
  for (const [group, file, exportName] of groups) {
    if (wanted.length && !wanted.includes(group)) continue;
    if (!existsSync(new URL(file, import.meta.url))) continue;
    process.stdout.write(`\n## ${group}\n`);
    try {
      const module = (await import(file)) as Record<string, Bench>;
      const results = await module[exportName]!(server.url);
      for (const r of results) {
        const line = `  ${r.name}: ${format(r.value, r.unit)}`;
        const baseline = r.baseline ? `   | baseline ${r.baseline.name}: ${format(r.baseline.value, r.baseline.unit)}${r.baseline.unit === r.unit && r.baseline.value ? ` (×${(r.value / r.baseline.value).toFixed(2)})` : ''}` : '';
        process.stdout.write(`${line}${baseline}${r.note ? `   [${r.note}]` : ''}\n`);
      }
    } catch (error) {
      failed = true;
      process.stdout.write(`  FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
  }
} finally {
  server.stop();
}
process.exit(failed ? 1 : 0);
