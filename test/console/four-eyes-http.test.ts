/**
 * Two-person acts over HTTP, on both databases, as the people who might try to do them alone see
 * the service: whoever holds the machine token, one operator's passkey and console session, or
 * both, cannot complete an authority request or a revocation — each attempt is refused with its
 * code and the rows, the operator-action record and the transparency log are unchanged. Auditors
 * cannot act. Three operators, each proving themselves with their own passkey for each act, can;
 * the log names each of them as the actor. A revocation reported "by the registry" is applied only
 * when the registry's own record of the document says so. Disabling an operator ends their
 * console session at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { adminToken } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { fieldsTarget } from '../../src/console/operator-passkeys.ts';
import { testDatabases, testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';
import { ConsoleUser, refusedWith } from './console-user.ts';

for (const database of testDatabases) {
  describe(`four-eyes acts over HTTP (${database.kind})`, () => {
    let node: RunningNode;
    let dir: string;
    let base: string;
    let adminPort: number;
    let token: string;
    let submitter: ConsoleUser;
    let approverA: ConsoleUser;
    let approverB: ConsoleUser;
    let auditor: ConsoleUser;
    let personId: string;
    let requestId: string;
    let revocationId: string;

    /** What a refused attempt must leave as it was: the rows, the operator actions, the log. */
    const snapshot = async () => {
      const { db } = node.services.database;
      const rows = await Promise.all([
        db.selectFrom('authority_requests').selectAll().orderBy('request_id').execute(),
        db.selectFrom('revocations').selectAll().orderBy('revocation_id').execute(),
        db.selectFrom('app_blocks').selectAll().execute(),
        sql<{ n: number }>`SELECT count(*)::int AS n FROM operator_actions WHERE action NOT IN ('operator.signed_in', 'operator.passkey_registered', 'operator.created')`.execute(db),
        sql<{ n: number }>`SELECT (SELECT count(*) FROM log_outbox) + (SELECT count(*) FROM log_entries) AS n`.execute(db),
      ]);
      return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
    };

    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${node.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'netid-four-eyes-'));
      adminPort = await freePort();
      base = `http://localhost:${adminPort}`;
      const url = await database.url();
      node = await startNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: dir, NETID_ADMIN_PORT: String(adminPort) })), { inMemory: !url, skipLock: true });
      token = adminToken(dir);
      submitter = await new ConsoleUser(base).enrolAndSignIn('Submitter', 'operator', node, adminPort);
      approverA = await new ConsoleUser(base).enrolAndSignIn('Approver A', 'operator', node, adminPort);
      approverB = await new ConsoleUser(base).enrolAndSignIn('Approver B', 'operator', node, adminPort);
      auditor = await new ConsoleUser(base).enrolAndSignIn('Auditor', 'auditor', node, adminPort);
      const document = { document_type: 'cn_resident_id' as const, document_number: `11010519491231${database.kind === 'pglite' ? '0021' : '0030'}`, name: '王芳', birth_date: '1949-12-31', sex: 'F' as const, nationality: 'CHN', expiry_date: '2040-01-01' };
      personId = (await node.services.persons.create({ documentKey: `four-eyes-${database.kind}`, webNumber: 'WNFOUREYE1', attributes: document, now: new Date() })).personId;
      await node.services.embeddedRegistry!.importRecords([{ documentType: document.document_type, documentNumber: document.document_number, name: document.name, birthDate: document.birth_date, sex: 'F', nationality: 'CHN', expiryDate: document.expiry_date, status: 'valid', portrait: new Uint8Array([0xff, 0xd8, 0xff]), guardian: null }]);
    });
    after(async () => {
      await node?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lets one operator submit an authority request and propose a revocation, each with their own step-up', async () => {
      refusedWith(await submitter.post('/console/authority', { web_number: 'wnfoureye1', requesting_body: 'Court', statute: 'Art. 1', case_reference: 'K-1', scope: 'identity' }), 'console.step_up_required');
      const submitted = await submitter.post('/console/authority', { web_number: 'wnfoureye1', requesting_body: 'Court of Haidian', statute: 'Criminal Procedure Law art. 54', case_reference: 'K-1', scope: 'identity', assertion: await submitter.stepUp('authority.submit', fieldsTarget('wnfoureye1')) });
      assert.equal(submitted.location, '/console/authority?done=authority_submitted');
      const [request] = await node.services.authority.list();
      assert.deepEqual([request?.person_id, request?.submitted_by], [personId, submitter.id]);
      requestId = request!.request_id;
      const proposed = await submitter.post('/console/revocations', { web_number: 'WNFOUREYE1', reason: 'device_lost', reference: 'R-1', assertion: await submitter.stepUp('revocation.propose', fieldsTarget('WNFOUREYE1')) });
      assert.equal(proposed.location, '/console/revocations?done=proposed');
      const [revocation] = await node.services.revocation.pending();
      assert.equal(revocation?.proposed_by, submitter.id);
      revocationId = revocation!.revocation_id;
    });

    it('refuses every step the machine token takes, with or without an operator passkey assertion, and changes nothing', async () => {
      const before = await snapshot();
      const assertion = await submitter.stepUp('authority.approve', requestId);
      const writes: Array<[string, unknown]> = [
        ['/admin/v1/authority-requests', { operator_id: 'nobody', web_number: 'WNFOUREYE1', requesting_body: 'x', statute: 'x', case_reference: 'x', scope: 'identity' }],
        [`/admin/v1/authority-requests/${requestId}/approve`, { operator_id: 'x', assertion }],
        [`/admin/v1/authority-requests/${requestId}/reject`, { operator_id: 'x', reason: 'x' }],
        [`/admin/v1/authority-requests/${requestId}/fulfil`, { operator_id: 'z' }],
        [`/admin/v1/authority-requests/${requestId}/deferral-extension`, { operator_id: 'x', reason: 'x', until: new Date().toISOString() }],
        [`/admin/v1/authority-requests/${requestId}/deferral-extension/approve`, { operator_id: 'y' }],
        ['/admin/v1/revocations', { operator_id: 'x', person_id: personId, reason: 'device_lost', reference: 'x' }],
        [`/admin/v1/revocations/${revocationId}/approve`, { operator_id: 'y', assertion }],
        [`/admin/v1/revocations/${revocationId}/reject`, { operator_id: 'y', reason: 'x' }],
        ['/admin/v1/app-blocks', { operator_id: 'x', person_id: personId, client_id: 'x', reason: 'x', reference: 'x' }],
        ['/admin/v1/app-blocks/remove', { operator_id: 'x', person_id: personId, client_id: 'x' }],
      ];
      for (const [path, body] of writes) {
        const answer = await admin('POST', path, body);
        assert.equal(answer.status, 404, `${path}: ${JSON.stringify(answer.json)}`);
        assert.equal(typeof answer.json.error, 'string', `${path} answers with a code`);
      }
      // The machine token is no console session either.
      const asMachine = await fetch(`${base}/console/authority/${requestId}/approve`, { method: 'POST', redirect: 'manual', headers: { origin: base, authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ assertion }).toString() });
      assert.deepEqual([asMachine.status, ((await asMachine.json()) as { error: string }).error], [401, 'console.signin_required']);
      // The reads stay.
      assert.equal((await admin('GET', `/admin/v1/authority-requests/${requestId}`)).json.state, 'submitted');
      assert.equal((await admin('GET', `/admin/v1/revocations/${revocationId}`)).json.state, 'proposed');
      assert.equal(await snapshot(), before);
    });

    it('refuses the one operator who submitted or proposed, whatever they hold, and changes nothing', async () => {
      const before = await snapshot();
      refusedWith(await submitter.post(`/console/authority/${requestId}/approve`, { assertion: await submitter.stepUp('authority.approve', requestId) }), 'authority.submitter_cannot_approve');
      refusedWith(await submitter.post(`/console/authority/${requestId}/fulfil`, { assertion: await submitter.stepUp('authority.fulfil', requestId) }), 'authority.needs_two_approvals');
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, { assertion: await submitter.stepUp('revocation.approve', revocationId) }), 'revocation.second_approval_required');
      // A console session without a step-up, a step-up without user verification, one made for another act.
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, {}), 'console.step_up_required');
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, { assertion: await submitter.stepUp('revocation.approve', revocationId, { userVerified: false }) }), 'console.step_up_failed');
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, { assertion: await submitter.stepUp('revocation.reject', revocationId) }), 'console.step_up_failed');
      // Another operator's passkey answering the submitter's challenge; another operator's step-up carried in the submitter's session.
      const challenge = await submitter.json('/console/api/step-up/options', { action: 'revocation.approve', target: revocationId });
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, { assertion: JSON.stringify(approverA.authenticator.get({ ...challenge.json, allowCredentials: [] } as never)) }), 'console.step_up_failed');
      refusedWith(await submitter.post(`/console/revocations/${revocationId}/approve`, { assertion: await approverA.stepUp('revocation.approve', revocationId) }), 'console.step_up_failed');
      assert.equal(await snapshot(), before);
    });

    it('refuses auditors every act and every step-up, and changes nothing', async () => {
      const before = await snapshot();
      const options = await auditor.json('/console/api/step-up/options', { action: 'authority.approve', target: requestId });
      assert.deepEqual([options.status, options.json.error], [403, 'console.read_only']);
      for (const path of [`/console/authority/${requestId}/approve`, `/console/authority/${requestId}/fulfil`, `/console/revocations/${revocationId}/approve`, '/console/authority']) {
        const answer = await auditor.post(path, { assertion: '{}' });
        assert.equal(answer.status, 403, path);
        assert.match(answer.body, /console\.read_only/);
      }
      assert.equal(await snapshot(), before);
    });

    it('completes both acts with two other operators, each proven; the log names each operator as the actor', async () => {
      assert.equal((await approverA.post(`/console/authority/${requestId}/approve`, { assertion: await approverA.stepUp('authority.approve', requestId) })).location, '/console/authority?done=authority_first_approval');
      refusedWith(await approverA.post(`/console/authority/${requestId}/approve`, { assertion: await approverA.stepUp('authority.approve', requestId) }), 'authority.same_approver');
      assert.equal((await approverB.post(`/console/authority/${requestId}/approve`, { assertion: await approverB.stepUp('authority.approve', requestId) })).location, '/console/authority?done=authority_approved');
      refusedWith(await submitter.post(`/console/authority/${requestId}/fulfil`, { assertion: await submitter.stepUp('authority.fulfil', requestId) }), 'authority.submitter_cannot_fulfil');
      const fulfilled = await approverA.post(`/console/authority/${requestId}/fulfil`, { assertion: await approverA.stepUp('authority.fulfil', requestId) });
      assert.equal(fulfilled.status, 200, 'the released scope is the answer to the POST, not a redirect');
      assert.match(fulfilled.body, /王芳/);
      const page = await fetch(`${base}/console/authority`, { headers: { cookie: approverA.cookie } });
      assert.doesNotMatch(await page.text(), /王芳/, 'the list never shows the released data');

      const approval = await approverA.stepUp('revocation.approve', revocationId);
      assert.equal((await approverA.post(`/console/revocations/${revocationId}/approve`, { assertion: approval })).location, '/console/revocations?done=revocation_approved');
      refusedWith(await approverA.post(`/console/revocations/${revocationId}/approve`, { assertion: approval }), 'console.step_up_failed');
      assert.deepEqual((await node.services.revocation.credentialStatus(personId)).revoked, true);

      await node.services.transparency.checkpoint();
      const size = await node.services.transparency.log.size();
      const events = (await node.services.transparency.store.getEntries(0, size)).map((e) => JSON.parse(new TextDecoder().decode(e)) as { type: string; actor: string; ref?: string });
      assert.deepEqual(events.filter((e) => e.ref === requestId).map((e) => [e.type, e.actor]), [
        ['authority.submitted', submitter.id], ['authority.approval', approverA.id], ['authority.approved', approverB.id], ['authority.disclosure', approverA.id],
      ]);
      assert.deepEqual(events.filter((e) => e.ref === revocationId).map((e) => [e.type, e.actor]), [
        ['revocation.proposed', submitter.id], ['revocation.approved', approverA.id], ['revocation.applied', approverA.id],
      ]);
    });

    it("applies a registry-reported revocation only when the registry's record of the document confirms it", async () => {
      // The person's credentials are revoked already (above); a new report is a separate revocation.
      const before = await snapshot();
      const report = { person_id: personId, reason: 'death', reference: 'REG-1' };
      const unconfirmed = await admin('POST', '/admin/v1/revocations/registry-reported', report);
      assert.deepEqual([unconfirmed.status, unconfirmed.json.error], [409, 'revocation.registry_not_confirmed']);
      assert.equal((await admin('POST', '/admin/v1/revocations/registry-reported', { ...report, reason: 'device_lost' })).status, 400, 'only reasons the registry reports');
      assert.equal(await snapshot(), before, 'a claim the registry does not confirm stores nothing');
      const attributes = await node.services.persons.attributes(personId);
      await node.services.embeddedRegistry!.importRecords([{ documentType: attributes.document_type, documentNumber: attributes.document_number, name: attributes.name, birthDate: attributes.birth_date, sex: 'F', nationality: 'CHN', expiryDate: attributes.expiry_date, status: 'deceased', portrait: new Uint8Array([0xff, 0xd8, 0xff]), guardian: null }]);
      const confirmed = await admin('POST', '/admin/v1/revocations/registry-reported', report);
      assert.equal(confirmed.status, 201, JSON.stringify(confirmed.json));
      assert.deepEqual([confirmed.json.state, confirmed.json.source, confirmed.json.proposed_by, confirmed.json.approved_by], ['applied', 'registry', 'registry', 'registry']);
    });

    it('ends a disabled operator\'s console session at once', async () => {
      assert.equal((await admin('POST', `/admin/v1/operators/${approverB.id}/disable`)).status, 200);
      const options = await approverB.json('/console/api/step-up/options', { action: 'authority.approve', target: requestId });
      assert.deepEqual([options.status, options.json.error], [401, 'console.signin_required']);
      const page = await fetch(`${base}/console/authority`, { headers: { cookie: approverB.cookie }, redirect: 'manual' });
      assert.equal(page.status, 303);
      assert.match(page.headers.get('location') ?? '', /^\/console\/signin\?next=/);
    });
  });
}
