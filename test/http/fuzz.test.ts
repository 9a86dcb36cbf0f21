/**
 * A short, seeded round of the HTTP fuzzer (test/support/fuzz.ts) over every route of both
 * listeners, on the embedded database. `npm run fuzz -- --requests N --postgres` runs a long one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { dataPaths } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testEnv } from '../support/databases.ts';
import { databaseWatch, FUZZ_CLOCK, FUZZ_ENV, fuzz, fuzzTargets, LOGGING_TABLES, registerFuzzApp } from '../support/fuzz.ts';

const REQUESTS = 1500;
const SEED = 20_251_111;

describe('HTTP fuzzing', () => {
  let node: RunningNode;
  let token: string;
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'netid-fuzz-'));
    node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir, ...FUZZ_ENV })), { inMemory: true, skipLock: true, now: FUZZ_CLOCK });
    token = readFileSync(dataPaths(dataDir).adminToken, 'utf8').trim();
  });
  after(() => node.close());

  it(`${REQUESTS} malformed requests to every route of both listeners: no 5xx, a code on every error, nothing stored changed by a refusal`, async () => {
    const targets = await fuzzTargets(node, token);
    const operations = targets.flatMap((t) => t.operations.map((op) => `${t.name} ${op.method} ${op.path}`));
    // Both OpenAPI documents and the hidden routes are in the round.
    for (const expected of ['public POST /api/v1/enrolments', 'public GET /oidc/*', 'public GET /oidc/interaction/{uid}', 'admin POST /admin/v1/relying-parties', 'admin POST /console/api/signin', 'public GET /static/*']) {
      assert.ok(operations.includes(expected), `${expected} is fuzzed`);
    }
    const report = await fuzz({ seed: SEED, requests: REQUESTS, targets, knownValues: await registerFuzzApp(node), store: databaseWatch(node.services.database.db, LOGGING_TABLES) });
    const findings = report.findings.map((f) => `[${f.kind}] ${f.status} ${f.request}\n  ${f.detail}`).join('\n');
    assert.equal(report.serverErrors, 0, findings);
    assert.equal(report.withoutCode, 0, findings);
    assert.equal(report.refusedChanges, 0, findings);
    assert.equal(report.transportErrors, 0, findings);
    // The round reached past the front door: some requests were accepted, most refused, in many ways.
    assert.ok((report.byStatus['200'] ?? 0) > 50 && (report.byStatus['400'] ?? 0) > 300, JSON.stringify(report.byStatus));
    assert.ok(Object.keys(report.byStatus).length >= 8, JSON.stringify(report.byStatus));
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  });
});
