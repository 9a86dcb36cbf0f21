/**
 * A short, seeded round of the HTTP fuzzer (test/support/fuzz.ts) over every route of both
 * listeners, anonymous and signed in, on the embedded database. `npm run fuzz -- --requests N
 * --postgres` runs a long one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fuzz, startFuzzNode, type FuzzNode } from '../support/fuzz.ts';

const REQUESTS = 1500;
const SEED = 20_251_111;

describe('HTTP fuzzing', () => {
  let fuzzNode: FuzzNode;
  before(async () => {
    fuzzNode = await startFuzzNode();
  });
  after(() => fuzzNode.close());

  it(`${REQUESTS} malformed requests to every route of both listeners: no 5xx, a code on every error, nothing stored changed by a refusal`, async () => {
    const { targets, knownValues, store } = fuzzNode;
    const operations = targets.flatMap((t) => t.operations.map((op) => `${t.name} ${op.method} ${op.path}`));
    // Both OpenAPI documents, the hidden routes, and the signed-in person's and operator's sides are in the round.
    for (const expected of ['public POST /api/v1/enrolments', 'public GET /oidc/*', 'public GET /oidc/interaction/{uid}', 'person DELETE /api/v1/me/devices/{id}', 'person-page POST /apps/disconnect', 'admin POST /admin/v1/relying-parties', 'console POST /console/revocations', 'public GET /static/*']) {
      assert.ok(operations.includes(expected), `${expected} is fuzzed`);
    }
    const report = await fuzz({ seed: SEED, requests: REQUESTS, targets, knownValues, store });
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
