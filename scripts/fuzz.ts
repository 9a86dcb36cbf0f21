/**
 * `npm run fuzz -- --requests N [--seed S] [--postgres]`: a long run of the HTTP fuzzer
 * (test/support/fuzz.ts) against a fresh node (startFuzzNode: an app, a signed-in person and a
 * signed-in operator), on the embedded database or, with --postgres, on a throwaway PostgreSQL
 * server started like the tests start theirs. Prints the counts and the first
 * findings of each kind; exits 1 when any rule was broken.
 */
import { parseArgs } from 'node:util';
import { createDatabaseOn } from '../test/support/databases.ts';
import { fuzz, startFuzzNode, type FuzzReport } from '../test/support/fuzz.ts';
import { startPostgresServer, type PostgresServer } from '../test/support/postgres-server.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) }, postgres: { type: 'boolean', default: false } } });
const requests = Number(values.requests);
const seed = Number(values.seed);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- --requests N [--seed S] [--postgres]');
  process.exit(2);
}

let server: PostgresServer | undefined;
if (values.postgres) server = await startPostgresServer();
const fuzzNode = await startFuzzNode({ databaseUrl: server ? await createDatabaseOn(server.url, 'fuzz') : undefined });
const summary = (r: FuzzReport, seconds: number) =>
  `requests ${r.requests} (${Math.round(r.requests / seconds)}/s) | responses >= 500: ${r.serverErrors} | errors without code: ${r.withoutCode} | changes from refused requests: ${r.refusedChanges} | transport errors: ${r.transportErrors}`;
let report: FuzzReport;
const started = performance.now();
try {
  const { targets, knownValues, store } = fuzzNode;
  console.log(`fuzzing ${targets.map((t) => `${t.name}: ${t.operations.length} operations`).join(', ')} on ${server ? 'PostgreSQL' : 'PGlite'}, seed ${seed}`);
  report = await fuzz({
    seed,
    requests,
    targets,
    knownValues,
    store,
    progress: { every: Math.max(1000, Math.floor(requests / 20)), report: (r) => console.log(summary(r, (performance.now() - started) / 1000)) },
  });
} finally {
  await fuzzNode.close();
  server?.stop();
}
console.log(summary(report, (performance.now() - started) / 1000));
console.log(`by status: ${Object.entries(report.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
console.log(`by target (accepted/refused): ${Object.entries(report.byTarget).map(([t, n]) => `${t}: ${n.accepted}/${n.refused}`).join(', ')}`);
for (const finding of report.findings) console.log(`\n[${finding.kind}] ${finding.status} ${finding.request}\n  ${finding.detail}`);
process.exit(report.serverErrors + report.withoutCode + report.refusedChanges + report.transportErrors === 0 ? 0 : 1);
