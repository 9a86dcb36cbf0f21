/**
 * The operator console's storage and use cases, on both databases: an enrolment link works once
 * and for 24 hours; an operator registers a passkey with it and signs in (real WebAuthn, a
 * software authenticator); auditors read but cannot act; every act is in the append-only
 * action record, with no identity data; a revocation needs a second operator.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { consoleRelyingParty, type ConsoleService } from '../../src/console/console-service.ts';
import { ENROLMENT_LINK_TTL_MS, type Operator } from '../../src/console/operator-repository.ts';
import { ConsoleSessions, CONSOLE_SESSION_TTL_SECONDS } from '../../src/console/session.ts';
import { buildConsoleService, createOperator } from '../../src/console/wiring.ts';
import { NetidError } from '../../src/domain/errors.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import { testDatabases, testEnv } from '../support/databases.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';

const PORT = 4711;
const rp = consoleRelyingParty(PORT);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof NetidError && error.code === code);
}

for (const database of testDatabases) {
  describe(`operator console (${database.kind})`, () => {
    let node: NetidNode;
    let dir: string;
    let service: ConsoleService;
    let clock = new Date('2025-07-15T08:00:00.000Z');
    const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

    /** Creates an operator through the CLI's function and enrols a passkey with the link. */
    async function enrolledOperator(name: string, role: 'operator' | 'auditor'): Promise<{ operator: Operator; authenticator: SoftwareAuthenticator; token: string }> {
      const created = await createOperator(node.services, { name, role }, PORT);
      const token = created.enrolment_path.split('/console/enrol/')[1]!;
      const authenticator = new SoftwareAuthenticator(rp.origin);
      const operator = await service.finishEnrolment(token, authenticator.create(await service.enrolmentOptions(token, rp)), rp);
      return { operator, authenticator, token };
    }

    async function actionsOf(operatorId: string | null) {
      return (await service.operators.listActions()).filter((a) => a.operatorId === operatorId);
    }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'netid-console-'));
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: dir })), { inMemory: !url, skipLock: true, now: () => clock });
      service = buildConsoleService(node.services);
    });
    after(async () => {
      await node?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('makes an enrolment link that works once, and only for 24 hours', async () => {
      const { operators } = service;
      const created = await service.createOperator({ name: 'Wang Fang', role: 'operator' });
      assert.equal(created.expiresAt.getTime() - clock.getTime(), ENROLMENT_LINK_TTL_MS);
      const stored = await node.services.database.db.selectFrom('operators').selectAll().where('operator_id', '=', created.operator.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.enrolment_token_hash, created.enrolmentToken, 'only a hash of the token is stored');
      assert.equal((await operators.findByEnrolmentToken(created.enrolmentToken, clock))?.id, created.operator.id);
      assert.equal((await operators.consumeEnrolmentToken(created.enrolmentToken, clock))?.id, created.operator.id);
      assert.equal(await operators.consumeEnrolmentToken(created.enrolmentToken, clock), null, 'a second use fails');
      assert.equal(await operators.findByEnrolmentToken(created.enrolmentToken, clock), null);

      const late = await service.createOperator({ name: 'Late', role: 'auditor' });
      const expiry = new Date(clock.getTime() + ENROLMENT_LINK_TTL_MS);
      assert.equal(await operators.findByEnrolmentToken(late.enrolmentToken, expiry), null, 'expired at 24 h');
      assert.equal(await operators.consumeEnrolmentToken(late.enrolmentToken, expiry), null);
      assert.equal((await operators.consumeEnrolmentToken(late.enrolmentToken, new Date(expiry.getTime() - 1)))?.id, late.operator.id);

      await rejectsWith(service.createOperator({ name: '', role: 'operator' }), 'console.invalid_operator');
      await rejectsWith(service.createOperator({ name: 'X', role: 'root' }), 'console.invalid_operator');
    });

    it('registers a passkey with the link, signs in with it, and records both', async () => {
      const { operator, authenticator, token } = await enrolledOperator('Li Lei', 'operator');
      assert.equal(operator.role, 'operator');
      // The link is used up: a second passkey cannot be registered with it.
      await rejectsWith(service.enrolmentOptions(token, rp), 'console.enrolment_link_invalid');

      const options = await service.signInOptions(rp);
      const response = authenticator.get(options);
      assert.equal((await service.finishSignIn(response, rp)).id, operator.id);
      await rejectsWith(service.finishSignIn(response, rp), 'console.passkey_failed');
      // Another origin (a phishing page) is refused.
      await rejectsWith(service.finishSignIn(authenticator.get(await service.signInOptions(rp), { origin: 'http://localhost:9999' }), rp), 'console.passkey_failed');
      // A passkey of someone else's authenticator is unknown.
      const stranger = new SoftwareAuthenticator(rp.origin);
      stranger.create(await service.enrolmentOptions((await createOperator(node.services, { name: 'Unused', role: 'operator' }, PORT)).enrolment_path.split('/enrol/')[1]!, rp));
      await rejectsWith(service.finishSignIn(stranger.get(await service.signInOptions(rp)), rp), 'console.unknown_passkey');

      const actions = (await actionsOf(operator.id)).map((a) => a.action).sort();
      assert.deepEqual(actions, ['operator.passkey_registered', 'operator.signed_in']);
      const created = (await actionsOf(null)).find((a) => a.targetId === operator.id);
      assert.equal(created?.action, 'operator.created');
      assert.deepEqual(created?.details, { role: 'operator' });
    });

    it('lets an auditor read but not act', async () => {
      const { operator: auditor } = await enrolledOperator('Zhao Min', 'auditor');
      const registration = await relyingPartyRegistryOf(node.services).register({ name: 'Audit test app', organisation: 'Org', category: 'public_service', redirect_uris: ['https://audit.example/cb'], sector_identifier: 'audit.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      const clientId = registration.relyingParty.clientId;
      await rejectsWith(service.transitionApp(auditor, clientId, 'approve'), 'console.read_only');
      assert.equal((await relyingPartyRegistryOf(node.services).find(clientId))?.state, 'pending');
      await rejectsWith(service.proposeRevocation(auditor, { webNumber: 'WN00000001', reason: 'device_lost', reference: 'T-1' }), 'console.read_only');
      await rejectsWith(service.startAssistedEnrolment(auditor, { documentType: 'cn_resident_id', documentNumber: '11010519491231002X', name: 'x', birthDate: '1949-12-31' }), 'console.read_only');
      await rejectsWith(service.rejectRevocation(auditor, '00000000-0000-4000-8000-000000000000', 'no'), 'console.read_only');
      assert.deepEqual((await actionsOf(auditor.id)).map((a) => a.action), ['operator.passkey_registered']);
    });

    it('records app approval and suspension in the same transaction as the change', async () => {
      const { operator } = await enrolledOperator('Sun Li', 'operator');
      const registry = relyingPartyRegistryOf(node.services);
      const { relyingParty } = await registry.register({ name: 'Tax office', organisation: 'Tax', category: 'public_service', redirect_uris: ['https://tax.example/cb'], sector_identifier: 'tax.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      assert.equal((await service.transitionApp(operator, relyingParty.clientId, 'approve')).state, 'approved');
      // A refused transition (already approved) changes nothing and records nothing.
      await rejectsWith(service.transitionApp(operator, relyingParty.clientId, 'approve'), 'relying_party.wrong_state');
      assert.equal((await service.transitionApp(operator, relyingParty.clientId, 'suspend', 'over-asking')).state, 'suspended');
      const mine = (await actionsOf(operator.id)).filter((a) => a.targetType === 'relying_party');
      assert.deepEqual(mine.map((a) => [a.action, a.targetId]).sort(), [['relying_party.approved', relyingParty.clientId], ['relying_party.suspended', relyingParty.clientId]]);
      assert.deepEqual(mine.find((a) => a.action === 'relying_party.suspended')?.details, { reason: 'over-asking' });
      // The registry's own history names the same operator.
      const history = await registry.history(relyingParty.clientId);
      assert.deepEqual(history.slice(1).map((h) => [h.action, h.actor]), [['approve', operator.id], ['suspend', operator.id]]);
    });

    it('needs a second operator to approve a revocation, and records each step', async () => {
      const person = await node.services.persons.create({
        documentKey: `console-doc-${database.kind}`,
        webNumber: 'WNCONSOLE1',
        attributes: { document_type: 'cn_resident_id', document_number: '110101199001011234', name: 'Person', birth_date: '1990-01-01', sex: 'F', nationality: 'CHN', expiry_date: '2035-01-01' },
        now: clock,
      });
      const { operator: first } = await enrolledOperator('First', 'operator');
      const { operator: second } = await enrolledOperator('Second', 'operator');
      await rejectsWith(service.proposeRevocation(first, { webNumber: 'NOSUCHWN00', reason: 'device_lost', reference: 'T-2' }), 'console.person_not_found');
      const proposal = await service.proposeRevocation(first, { webNumber: 'wnconsole1', reason: 'device_lost', reference: 'T-2' });
      assert.equal(proposal.person_id, person.personId);
      assert.equal(proposal.state, 'proposed');
      await rejectsWith(service.approveRevocation(first, proposal.revocation_id), 'revocation.second_approval_required');
      assert.equal((await service.approveRevocation(second, proposal.revocation_id)).state, 'applied');
      assert.deepEqual((await actionsOf(first.id)).filter((a) => a.targetType === 'revocation').map((a) => [a.action, a.details]), [['revocation.proposed', { reason: 'device_lost', person_id: person.personId }]]);
      assert.deepEqual((await actionsOf(second.id)).filter((a) => a.targetType === 'revocation').map((a) => [a.action, a.targetId]), [['revocation.approved', proposal.revocation_id]]);
    });

    it('starts an assisted enrolment through the enrolment service and records who did, without identity data', async () => {
      const { operator } = await enrolledOperator('Counter clerk', 'operator');
      const record = { documentType: 'cn_resident_id', documentNumber: '11010519491231002X', name: '张三', birthDate: '1949-12-31', sex: 'F' as const, nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid' as const, portrait: new Uint8Array([1, 2, 3]), guardian: null };
      await node.services.embeddedRegistry!.importRecords([record]);
      const enrolment = await service.startAssistedEnrolment(operator, { documentType: record.documentType, documentNumber: record.documentNumber, name: record.name, birthDate: record.birthDate, expiryDate: record.expiryDate });
      assert.equal(enrolment.state, 'document_checked');
      assert.equal((await node.services.enrolment.find(enrolment.enrolmentId)).state, 'document_checked');
      const [action] = (await actionsOf(operator.id)).filter((a) => a.action === 'enrolment.assisted_started');
      assert.equal(action?.targetId, enrolment.enrolmentId);
      assert.deepEqual(action?.details, { document_type: 'cn_resident_id', assisted: true });
      const stored = JSON.stringify(await node.services.database.db.selectFrom('operator_actions').selectAll().execute());
      assert.ok(!stored.includes(record.documentNumber) && !stored.includes(record.name) && !stored.includes(record.birthDate), 'no identity attribute in the action record');
      // A document the registry does not confirm is refused and records nothing.
      await rejectsWith(service.startAssistedEnrolment(operator, { documentType: 'cn_resident_id', documentNumber: '11010519491231002X', name: '李四', birthDate: '1949-12-31' }), 'enrolment.registry_mismatch');
      assert.equal((await actionsOf(operator.id)).filter((a) => a.action === 'enrolment.assisted_started').length, 1);
    });

    it('keeps the action record append-only and free of identity attributes', async () => {
      const { operators } = service;
      await assert.rejects(operators.recordAction({ operatorId: null, action: 'operator.created', targetType: 'operator', targetId: 'x', details: { name: '张三' } }, clock), TypeError);
      await assert.rejects(sql`UPDATE operator_actions SET action = 'operator.signed_in'`.execute(node.services.database.db), /append-only/);
      await assert.rejects(sql`DELETE FROM operator_actions`.execute(node.services.database.db), /append-only/);
      assert.ok((await operators.listActions()).length > 0);
      const times = (await operators.listActions()).map((a) => a.occurredAt.getTime());
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    });

    it('ends a console session after 8 hours, on a bad MAC, or when the operator is disabled', async () => {
      const { operator } = await enrolledOperator('Session', 'operator');
      const sessions = new ConsoleSessions({ key: node.services.sealer.deriveKey('console-session'), operators: service.operators, now: () => clock });
      const token = sessions.create(operator.id);
      assert.equal((await sessions.verify(token))?.operator.id, operator.id);
      assert.equal(await sessions.verify(`${token.slice(0, -2)}xx`), null);
      const other = new ConsoleSessions({ key: node.services.sealer.deriveKey('person-session'), operators: service.operators, now: () => clock });
      assert.equal(await other.verify(token), null, 'a key for another purpose does not verify it');
      advance(CONSOLE_SESSION_TTL_SECONDS * 1000);
      assert.equal(await sessions.verify(token), null, 'expired');
      const fresh = sessions.create(operator.id);
      assert.ok(await sessions.verify(fresh));
      await service.operators.setStatus(operator.id, 'disabled');
      assert.equal(await sessions.verify(fresh), null, 'disabled');
    });
  });
}
