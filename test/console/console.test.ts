/**
 * The operator console's storage and use cases, on both databases: an enrolment link works once
 * and for 24 hours; an operator registers a passkey with it and signs in (real WebAuthn, a
 * software authenticator); auditors read but cannot act; every act is in the append-only
 * action record, with no identity data; a revocation needs a second operator; every four-eyes act
 * needs a fresh step-up by the acting operator (a user-verified assertion of their own passkey
 * over a once-only challenge bound to them, their session, the act and its target).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ConsoleService, consoleRelyingParty } from '../../src/console/console-service.ts';
import { fieldsTarget, type ActingOperator, type StepUpAction } from '../../src/console/operator-passkeys.ts';
import { ENROLMENT_LINK_TTL_MS, OperatorRepository, type Operator } from '../../src/console/operator-repository.ts';
import { ConsoleSessions, CONSOLE_SESSION_TTL_SECONDS } from '../../src/console/session.ts';
import { buildConsoleService, consoleDepsOf, createOperator } from '../../src/console/wiring.ts';
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

    interface Enrolled {
      readonly operator: Operator;
      readonly authenticator: SoftwareAuthenticator;
      readonly token: string;
      /** The operator acting with a fresh step-up for `action` on `target`, made by their own authenticator. */
      readonly proving: (action: StepUpAction, target: string) => Promise<ActingOperator>;
      /** The operator acting without a step-up. */
      readonly bare: ActingOperator;
    }

    /** Creates an operator through the CLI's function and enrols a passkey with the link. */
    async function enrolledOperator(name: string, role: 'operator' | 'auditor'): Promise<Enrolled> {
      const created = await createOperator(node.services, { name, role }, PORT);
      const token = created.enrolment_path.split('/console/enrol/')[1]!;
      const authenticator = new SoftwareAuthenticator(rp.origin);
      const operator = await service.passkeys.finishEnrolment(token, authenticator.create(await service.passkeys.enrolmentOptions(token, rp)), rp);
      const bare: ActingOperator = { operator, sessionId: `session-of-${operator.id}`, rp, assertion: undefined };
      const proving = async (action: StepUpAction, target: string) => ({ ...bare, assertion: authenticator.get(await service.passkeys.stepUpOptions(bare, action, target)) });
      return { operator, authenticator, token, proving, bare };
    }

    let personCount = 0;
    /** A person with a web number, as enrolment would leave them. */
    async function personWith(webNumber: string) {
      personCount += 1;
      return node.services.persons.create({
        documentKey: `console-person-${database.kind}-${personCount}`,
        webNumber,
        attributes: { document_type: 'cn_resident_id', document_number: `11010119900101${String(personCount).padStart(4, '0')}`, name: 'Person', birth_date: '1990-01-01', sex: 'F', nationality: 'CHN', expiry_date: '2035-01-01' },
        now: clock,
      });
    }

    async function signIn(authenticator: SoftwareAuthenticator) {
      return service.passkeys.finishSignIn(authenticator.get(await service.passkeys.signInOptions(rp)), rp);
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
      await rejectsWith(service.passkeys.enrolmentOptions(token, rp), 'console.enrolment_link_invalid');

      const options = await service.passkeys.signInOptions(rp);
      const response = authenticator.get(options);
      assert.equal((await service.passkeys.finishSignIn(response, rp)).id, operator.id);
      await rejectsWith(service.passkeys.finishSignIn(response, rp), 'console.passkey_failed');
      // Another origin (a phishing page) is refused.
      await rejectsWith(service.passkeys.finishSignIn(authenticator.get(await service.passkeys.signInOptions(rp), { origin: 'http://localhost:9999' }), rp), 'console.passkey_failed');
      // A passkey of someone else's authenticator is unknown.
      const stranger = new SoftwareAuthenticator(rp.origin);
      stranger.create(await service.passkeys.enrolmentOptions((await createOperator(node.services, { name: 'Unused', role: 'operator' }, PORT)).enrolment_path.split('/enrol/')[1]!, rp));
      await rejectsWith(service.passkeys.finishSignIn(stranger.get(await service.passkeys.signInOptions(rp)), rp), 'console.unknown_passkey');

      const actions = (await actionsOf(operator.id)).map((a) => a.action).sort();
      assert.deepEqual(actions, ['operator.passkey_registered', 'operator.signed_in']);
      const created = (await actionsOf(null)).find((a) => a.targetId === operator.id);
      assert.equal(created?.action, 'operator.created');
      assert.deepEqual(created?.details, { role: 'operator' });
    });

    it('lets an auditor read but not act', async () => {
      const { operator: auditor, bare: auditorActing } = await enrolledOperator('Zhao Min', 'auditor');
      const registration = await relyingPartyRegistryOf(node.services).register({ name: 'Audit test app', organisation: 'Org', category: 'public_service', redirect_uris: ['https://audit.example/cb'], sector_identifier: 'audit.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      const clientId = registration.relyingParty.clientId;
      await rejectsWith(service.transitionApp(auditor, clientId, 'approve'), 'console.read_only');
      assert.equal((await relyingPartyRegistryOf(node.services).find(clientId))?.state, 'pending');
      await rejectsWith(service.passkeys.stepUpOptions(auditorActing, 'revocation.propose', fieldsTarget('WN00000001')), 'console.read_only');
      await rejectsWith(service.proposeRevocation(auditorActing, { webNumber: 'WN00000001', reason: 'device_lost', reference: 'T-1' }), 'console.read_only');
      await rejectsWith(service.startAssistedEnrolment(auditor, { documentType: 'cn_resident_id', documentNumber: '11010519491231002X', name: 'x', birthDate: '1949-12-31' }), 'console.read_only');
      await rejectsWith(service.rejectRevocation(auditorActing, '00000000-0000-4000-8000-000000000000', 'no'), 'console.read_only');
      await rejectsWith(service.authority.approve(auditorActing, '00000000-0000-4000-8000-000000000000'), 'console.read_only');
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
      const first = await enrolledOperator('First', 'operator');
      const second = await enrolledOperator('Second', 'operator');
      await rejectsWith(service.proposeRevocation(await first.proving('revocation.propose', fieldsTarget('NOSUCHWN00')), { webNumber: 'NOSUCHWN00', reason: 'device_lost', reference: 'T-2' }), 'console.person_not_found');
      const proposal = await service.proposeRevocation(await first.proving('revocation.propose', fieldsTarget('wnconsole1')), { webNumber: 'wnconsole1', reason: 'device_lost', reference: 'T-2' });
      assert.equal(proposal.person_id, person.personId);
      assert.equal(proposal.state, 'proposed');
      assert.equal(proposal.proposed_by, first.operator.id, 'the proven operator is the proposer');
      await rejectsWith(service.approveRevocation(await first.proving('revocation.approve', proposal.revocation_id), proposal.revocation_id), 'revocation.second_approval_required');
      const applied = await service.approveRevocation(await second.proving('revocation.approve', proposal.revocation_id), proposal.revocation_id);
      assert.deepEqual([applied.state, applied.approved_by], ['applied', second.operator.id]);
      assert.deepEqual((await actionsOf(first.operator.id)).filter((a) => a.targetType === 'revocation').map((a) => [a.action, a.details]), [['revocation.proposed', { reason: 'device_lost', person_id: person.personId }]]);
      assert.deepEqual((await actionsOf(second.operator.id)).filter((a) => a.targetType === 'revocation').map((a) => [a.action, a.targetId]), [['revocation.approved', proposal.revocation_id]]);
    });

    it('refuses a four-eyes act without a fresh step-up of the acting operator, and changes nothing', async () => {
      const person = await personWith('WNSTEPUP01');
      const proposer = await enrolledOperator('Step-up proposer', 'operator');
      const approver = await enrolledOperator('Step-up approver', 'operator');
      const proposal = await service.proposeRevocation(await proposer.proving('revocation.propose', fieldsTarget('WNSTEPUP01')), { webNumber: 'WNSTEPUP01', reason: 'device_lost', reference: 'S-1' });
      const id = proposal.revocation_id;
      const [passkey] = await service.operators.passkeysOf(approver.operator.id);
      const snapshot = async () => JSON.stringify([
        await node.services.database.db.selectFrom('revocations').selectAll().where('person_id', '=', person.personId).execute(),
        (await actionsOf(approver.operator.id)).map((a) => a.action),
        await sql`SELECT count(*)::int AS n FROM log_outbox`.execute(node.services.database.db),
        (await service.operators.passkeysOf(approver.operator.id)).map((p) => p.counter),
      ], (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
      const before = await snapshot();
      const options = () => service.passkeys.stepUpOptions(approver.bare, 'revocation.approve', id);

      // No assertion at all: a console session alone does not act.
      await rejectsWith(service.approveRevocation(approver.bare, id), 'console.step_up_required');
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: '{"not":"an assertion"}' }, id), 'console.step_up_required');
      // A tap without user verification.
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: approver.authenticator.get(await options(), { userVerified: false }) }, id), 'console.step_up_failed');
      // Another operator's passkey answering this operator's challenge (the proposer approving through the approver's session).
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: proposer.authenticator.get({ ...(await options()), allowCredentials: [] }) }, id), 'console.step_up_failed');
      // A challenge bound to another act, another target, another operator or another session.
      const forReject = approver.authenticator.get(await service.passkeys.stepUpOptions(approver.bare, 'revocation.reject', id));
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: forReject }, id), 'console.step_up_failed');
      const otherTarget = approver.authenticator.get(await service.passkeys.stepUpOptions(approver.bare, 'revocation.approve', '00000000-0000-4000-8000-000000000000'));
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: otherTarget }, id), 'console.step_up_failed');
      const proposersChallenge = approver.authenticator.get({ ...(await service.passkeys.stepUpOptions(proposer.bare, 'revocation.approve', id)), allowCredentials: [] });
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: proposersChallenge }, id), 'console.step_up_failed');
      const otherSession = approver.authenticator.get(await service.passkeys.stepUpOptions({ ...approver.bare, sessionId: 'another-session' }, 'revocation.approve', id));
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: otherSession }, id), 'console.step_up_failed');
      // An assertion for another origin (a phishing page).
      await rejectsWith(service.approveRevocation({ ...approver.bare, assertion: approver.authenticator.get(await options(), { origin: 'http://localhost:9999' }) }, id), 'console.step_up_failed');
      await rejectsWith(service.passkeys.stepUpOptions(approver.bare, 'revocation.anything', id), 'console.step_up_invalid');
      assert.equal(await snapshot(), before, 'refused step-ups change no revocation, record no action and leave the counter');
      assert.equal((await service.operators.passkeysOf(approver.operator.id))[0]?.counter, passkey!.counter);

      // The real thing works once; the same assertion replayed is refused.
      const proof = await approver.proving('revocation.approve', id);
      assert.equal((await service.approveRevocation(proof, id)).approved_by, approver.operator.id);
      await rejectsWith(service.rejectRevocation(proof, id, 'again'), 'console.step_up_failed');
      await rejectsWith(service.approveRevocation(proof, id), 'console.step_up_failed');
    });

    it('takes each step of an authority request with a proven operator: two approvers and a fulfiller who did not submit it, each named in the log', async () => {
      const person = await personWith('WNAUTHOR01');
      const submitter = await enrolledOperator('Authority submitter', 'operator');
      const alice = await enrolledOperator('Authority approver A', 'operator');
      const bob = await enrolledOperator('Authority approver B', 'operator');
      const { authority } = service;
      const request = { requestingBody: 'Public Security Bureau', legalBasis: { statute: 'Cybersecurity Law art. 28', caseReference: 'C-1' }, scope: { kind: 'identity' as const } };
      await rejectsWith(authority.submit(submitter.bare, 'wnauthor01', request), 'console.step_up_required');
      const submitted = await authority.submit(await submitter.proving('authority.submit', fieldsTarget('wnauthor01')), 'wnauthor01', request);
      assert.deepEqual([submitted.person_id, submitted.submitted_by], [person.personId, submitter.operator.id]);
      const id = submitted.request_id;
      await rejectsWith(authority.approve(await submitter.proving('authority.approve', id), id), 'authority.submitter_cannot_approve');
      assert.equal((await authority.approve(await alice.proving('authority.approve', id), id)).state, 'submitted');
      await rejectsWith(authority.approve(await alice.proving('authority.approve', id), id), 'authority.same_approver');
      await rejectsWith(authority.fulfil(await bob.proving('authority.fulfil', id), id), 'authority.needs_two_approvals');
      await rejectsWith(authority.approve(await bob.proving('authority.fulfil', id), id), 'console.step_up_failed');
      const approved = await authority.approve(await bob.proving('authority.approve', id), id);
      assert.deepEqual([approved.state, approved.first_approver, approved.second_approver], ['approved', alice.operator.id, bob.operator.id]);
      await rejectsWith(authority.fulfil(await submitter.proving('authority.fulfil', id), id), 'authority.submitter_cannot_fulfil');
      const { request: fulfilled, released } = await authority.fulfil(await alice.proving('authority.fulfil', id), id);
      assert.deepEqual([fulfilled.state, fulfilled.fulfilled_by, released.identity?.name], ['fulfilled', alice.operator.id, 'Person']);

      // The one deferral extension: proposed by one operator, approved by another.
      const deferred = await authority.submit(await submitter.proving('authority.submit', fieldsTarget('WNAUTHOR01')), 'WNAUTHOR01', { ...request, legalBasis: { statute: 'Criminal Procedure Law art. 54', caseReference: 'C-2' }, deferral: { reason: 'investigation', until: new Date(clock.getTime() + 10 * 86_400_000) } });
      const extension = { reason: 'suspects not yet arrested', until: new Date(clock.getTime() + 20 * 86_400_000) };
      await authority.proposeExtension(await alice.proving('authority.extension_propose', deferred.request_id), deferred.request_id, extension);
      await rejectsWith(authority.approveExtension(await alice.proving('authority.extension_approve', deferred.request_id), deferred.request_id), 'authority.extension_not_allowed');
      assert.equal((await authority.approveExtension(await bob.proving('authority.extension_approve', deferred.request_id), deferred.request_id)).extension_approved_by, bob.operator.id);

      const recorded = (operator: Operator) => actionsOf(operator.id).then((actions) => actions.filter((a) => a.targetType === 'authority_request').map((a) => [a.action, a.targetId]).sort());
      assert.deepEqual(await recorded(submitter.operator), [['authority.submitted', deferred.request_id], ['authority.submitted', id]].sort());
      assert.deepEqual(await recorded(alice.operator), [['authority.approval', id], ['authority.deferral_extension_proposed', deferred.request_id], ['authority.fulfilled', id]].sort());
      assert.deepEqual(await recorded(bob.operator), [['authority.approved', id], ['authority.deferral_extended', deferred.request_id]].sort());
      await node.services.transparency.checkpoint();
      const size = await node.services.transparency.log.size();
      const events = (await node.services.transparency.store.getEntries(0, size)).map((e) => JSON.parse(new TextDecoder().decode(e)) as { type: string; actor: string; ref?: string });
      assert.deepEqual(events.filter((e) => e.ref === id).map((e) => [e.type, e.actor]), [
        ['authority.submitted', submitter.operator.id], ['authority.approval', alice.operator.id], ['authority.approved', bob.operator.id], ['authority.disclosure', alice.operator.id],
      ]);
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

    it('disables another operator: their next request is signed out; nobody disables themselves; auditors cannot; an operator can enable them again', async () => {
      const sessions = new ConsoleSessions({ key: node.services.sealer.deriveKey('console-session'), operators: service.operators, now: () => clock });
      const { operator: lead, authenticator: leadKey } = await enrolledOperator('Disabling lead', 'operator');
      const { operator: target, authenticator: targetKey } = await enrolledOperator('To be disabled', 'operator');
      const { operator: auditor } = await enrolledOperator('Watching auditor', 'auditor');
      await signIn(leadKey);
      const [targetPasskey] = await service.operators.passkeysOf(target.id);
      const targetSession = sessions.create(target.id, targetPasskey!.credentialId);
      assert.equal((await sessions.verify(targetSession))?.operator.id, target.id);

      await rejectsWith(service.disableOperator(lead, lead.id), 'console.cannot_disable_self');
      await rejectsWith(service.disableOperator(auditor, target.id), 'console.read_only');
      assert.equal((await service.operators.find(target.id))?.status, 'active', 'refused acts change nothing');

      assert.equal((await service.disableOperator(lead, target.id)).status, 'disabled');
      assert.equal(await sessions.verify(targetSession), null, 'their open session ends at once');
      await rejectsWith(signIn(targetKey), 'console.unknown_passkey');
      await rejectsWith(service.disableOperator(lead, target.id), 'console.operator_not_active');
      await rejectsWith(service.disableOperator(lead, '00000000-0000-4000-8000-000000000000'), 'console.operator_not_found');
      await rejectsWith(service.reissueEnrolmentLink(lead, target.id), 'console.operator_not_active');

      const listed = new Map((await service.listOperators()).map((o) => [o.operator.id, o]));
      assert.equal(listed.get(target.id)?.operator.status, 'disabled');
      assert.equal(listed.get(lead.id)?.lastSignInAt?.getTime(), clock.getTime(), 'last sign-in from the passkey');
      assert.equal(listed.get(auditor.id)?.lastSignInAt, null, 'never signed in: unknown');
      assert.deepEqual((await actionsOf(lead.id)).filter((a) => a.action === 'operator.disabled').map((a) => [a.targetId, a.details]), [[target.id, { role: 'operator' }]]);
      assert.deepEqual((await actionsOf(auditor.id)).map((a) => a.action), ['operator.passkey_registered'], 'the auditor did nothing');

      // Enabled again by an operator (never an auditor): their passkey works again; the act is recorded.
      await rejectsWith(service.enableOperator(auditor, target.id), 'console.read_only');
      await rejectsWith(service.enableOperator(lead, lead.id), 'console.operator_not_disabled');
      assert.equal((await service.enableOperator(lead, target.id)).status, 'active');
      assert.equal((await signIn(targetKey)).id, target.id);
      assert.deepEqual((await actionsOf(lead.id)).filter((a) => a.action === 'operator.enabled').map((a) => a.targetId), [target.id]);
    });

    it('re-issues an enrolment link: the old link and the lost passkeys stop working, the new link works once', async () => {
      const sessions = new ConsoleSessions({ key: node.services.sealer.deriveKey('console-session'), operators: service.operators, now: () => clock });
      const { operator: lead } = await enrolledOperator('Re-issuing lead', 'operator');
      const { operator: auditor } = await enrolledOperator('Re-issue auditor', 'auditor');
      // Someone who never used their first link.
      const unused = await service.createOperator({ name: 'Never enrolled', role: 'auditor' });
      const again = await service.reissueEnrolmentLink(lead, unused.operator.id);
      await rejectsWith(service.passkeys.enrolmentOptions(unused.enrolmentToken, rp), 'console.enrolment_link_invalid');
      assert.equal((await service.passkeys.enrolmentOperator(again.enrolmentToken)).id, unused.operator.id);

      // Someone who lost their passkey device.
      const { operator: lost, authenticator: lostDevice } = await enrolledOperator('Lost a phone', 'operator');
      const [lostPasskey] = await service.operators.passkeysOf(lost.id);
      const lostSession = sessions.create(lost.id, lostPasskey!.credentialId);
      await rejectsWith(service.reissueEnrolmentLink(lost, lost.id), 'console.cannot_reissue_self');
      await rejectsWith(service.reissueEnrolmentLink(auditor, lost.id), 'console.read_only');
      const issued = await service.reissueEnrolmentLink(lead, lost.id);
      assert.equal(issued.expiresAt.getTime() - clock.getTime(), ENROLMENT_LINK_TTL_MS);
      assert.equal(await sessions.verify(lostSession), null, 'the session opened with the lost passkey ends');
      await rejectsWith(signIn(lostDevice), 'console.unknown_passkey');
      const newDevice = new SoftwareAuthenticator(rp.origin);
      assert.equal((await service.passkeys.finishEnrolment(issued.enrolmentToken, newDevice.create(await service.passkeys.enrolmentOptions(issued.enrolmentToken, rp)), rp)).id, lost.id);
      assert.equal((await signIn(newDevice)).id, lost.id);
      await rejectsWith(service.passkeys.enrolmentOptions(issued.enrolmentToken, rp), 'console.enrolment_link_invalid');
      const stored = JSON.stringify(await node.services.database.db.selectFrom('operators').selectAll().where('operator_id', '=', lost.id).execute());
      assert.ok(!stored.includes(issued.enrolmentToken), 'only a hash of the new token is stored');
      assert.deepEqual((await actionsOf(lead.id)).filter((a) => a.action === 'operator.enrolment_reissued').map((a) => [a.targetId, a.details]).sort(), [[lost.id, { passkeys_removed: 1 }], [unused.operator.id, { passkeys_removed: 0 }]].sort());
      assert.deepEqual((await actionsOf(auditor.id)).map((a) => a.action), ['operator.passkey_registered']);
    });

    it('writes the record of a disable or a link re-issue in the same transaction as the act', async () => {
      const { operator: lead } = await enrolledOperator('Atomic lead', 'operator');
      const { operator: target } = await enrolledOperator('Atomic target', 'operator');
      class UnrecordableOperators extends OperatorRepository {
        override async recordAction(): Promise<string> {
          throw new Error('the action record is unavailable');
        }
      }
      const failing = new UnrecordableOperators({ db: node.services.database.db });
      await assert.rejects(failing.disable(target.id, lead.id, clock), /unavailable/);
      await assert.rejects(failing.reissueEnrolment(target.id, lead.id, clock), /unavailable/);
      assert.equal((await service.operators.find(target.id))?.status, 'active', 'not disabled without its record');
      assert.equal((await service.operators.passkeysOf(target.id)).length, 1, 'passkeys kept without the record');
      const stored = await node.services.database.db.selectFrom('operators').select('enrolment_token_hash').where('operator_id', '=', target.id).executeTakeFirstOrThrow();
      assert.equal(stored.enrolment_token_hash, null, 'no new link without the record');
    });

    it('writes the record of a revocation proposal or an appeal answer in the same transaction as the act', async () => {
      const lead = await enrolledOperator('Atomic revoker', 'operator');
      await personWith('WNATOMIC01');
      class UnrecordableOperators extends OperatorRepository {
        override async recordAction(): Promise<string> {
          throw new Error('the action record is unavailable');
        }
      }
      const failing = new ConsoleService({ ...consoleDepsOf(node.services), operators: new UnrecordableOperators({ db: node.services.database.db }) });
      const [passkey] = await service.operators.passkeysOf(lead.operator.id);
      await assert.rejects(failing.proposeRevocation(await lead.proving('revocation.propose', fieldsTarget('WNATOMIC01')), { webNumber: 'WNATOMIC01', reason: 'device_lost', reference: 'A-1' }), /unavailable/);
      const stored = await node.services.database.db.selectFrom('revocations').select('revocation_id').where('reference', '=', 'A-1').execute();
      assert.deepEqual(stored, [], 'no proposal without its record');
      assert.equal((await service.operators.passkeysOf(lead.operator.id))[0]?.counter, passkey!.counter, "nor the step-up's counter");
    });

    it('shows decided revocations with who proposed, who decided and when, newest first, paged', async () => {
      const firstOne = await enrolledOperator('History first', 'operator');
      const secondOne = await enrolledOperator('History second', 'operator');
      const [first, second] = [firstOne.operator, secondOne.operator];
      await personWith('WNHISTORY1');
      await personWith('WNHISTORY2');
      advance(60_000);
      const applied = await service.proposeRevocation(await firstOne.proving('revocation.propose', fieldsTarget('WNHISTORY1')), { webNumber: 'WNHISTORY1', reason: 'document_invalidated', reference: 'H-1' });
      advance(60_000);
      const rejected = await service.proposeRevocation(await secondOne.proving('revocation.propose', fieldsTarget('WNHISTORY2')), { webNumber: 'WNHISTORY2', reason: 'fraud_decided', procedure: 'Court ruling 12', reference: 'H-2' });
      advance(60_000);
      await service.approveRevocation(await secondOne.proving('revocation.approve', applied.revocation_id), applied.revocation_id);
      const appliedAt = clock.getTime();
      advance(60_000);
      await service.rejectRevocation(await firstOne.proving('revocation.reject', rejected.revocation_id), rejected.revocation_id, 'procedure not final');
      const rejectedAt = clock.getTime();

      const top = await service.decidedRevocations(1, 1);
      assert.equal(top.hasMore, true);
      assert.equal(top.rows[0]?.revocation.revocation_id, rejected.revocation_id, 'the newest proposal first');
      assert.equal(top.rows[0]?.revocation.rejected_by, first.id);
      assert.equal(top.rows[0]?.revocation.rejection_reason, 'procedure not final');
      assert.equal(top.rows[0]?.decidedAt?.getTime(), rejectedAt, 'the rejection time, kept on the revocation (migration 0008)');
      const next = await service.decidedRevocations(2, 1);
      assert.equal(next.rows[0]?.revocation.revocation_id, applied.revocation_id);
      assert.equal(next.rows[0]?.revocation.state, 'applied');
      assert.equal(next.rows[0]?.revocation.proposed_by, first.id);
      assert.equal(next.rows[0]?.revocation.approved_by, second.id);
      assert.equal(next.rows[0]?.decidedAt?.getTime(), appliedAt);
      const all = (await service.decidedRevocations(1, 50)).rows.map((r) => r.revocation.revocation_id);
      assert.ok(all.indexOf(rejected.revocation_id) < all.indexOf(applied.revocation_id));
      assert.ok(!(await service.pendingRevocations()).some((r) => r.revocation_id === applied.revocation_id || r.revocation_id === rejected.revocation_id), 'decided ones are no longer pending');
    });

    it("answers an appeal from the console; the answer reaches the person's activity", async () => {
      const firstOne = await enrolledOperator('Appeal first', 'operator');
      const secondOne = await enrolledOperator('Appeal second', 'operator');
      const { bare: auditor } = await enrolledOperator('Appeal auditor', 'auditor');
      const first = firstOne.operator;
      const person = await personWith('WNAPPEAL01');
      const revocation = await service.proposeRevocation(await firstOne.proving('revocation.propose', fieldsTarget('WNAPPEAL01')), { webNumber: 'WNAPPEAL01', reason: 'device_lost', reference: 'A-1' });
      await service.approveRevocation(await secondOne.proving('revocation.approve', revocation.revocation_id), revocation.revocation_id);
      const appeal = await node.services.revocation.lodgeAppeal(person.personId, revocation.revocation_id, 'I still have my phone.');
      const open = (await service.openAppeals()).find((a) => a.appeal.appeal_id === appeal.appeal_id);
      assert.equal(open?.revocation?.reference, 'A-1');
      assert.equal(open?.appeal.statement, 'I still have my phone.');

      await rejectsWith(service.answerAppeal(auditor, appeal.appeal_id, 'dismiss', 'No.'), 'console.read_only');
      await rejectsWith(service.answerAppeal(firstOne.bare, appeal.appeal_id, 'dismiss', 'No.'), 'console.step_up_required');
      await rejectsWith(service.answerAppeal(await firstOne.proving('appeal.answer', appeal.appeal_id), appeal.appeal_id, 'maybe', 'No.'), 'console.answer_required');
      await rejectsWith(service.answerAppeal(await firstOne.proving('appeal.answer', appeal.appeal_id), appeal.appeal_id, 'dismiss', '   '), 'console.answer_required');
      advance(1000);
      const answer = 'The device was reported lost by the police; bring it to a counter to reinstate.';
      const answered = await service.answerAppeal(await firstOne.proving('appeal.answer', appeal.appeal_id), appeal.appeal_id, 'dismiss', answer);
      assert.deepEqual([answered.state, answered.answered_by], ['dismissed', first.id]);
      await rejectsWith(service.answerAppeal(await secondOne.proving('appeal.answer', appeal.appeal_id), appeal.appeal_id, 'uphold', 'Yes.'), 'revocation.appeal_not_found');
      assert.ok(!(await service.openAppeals()).some((a) => a.appeal.appeal_id === appeal.appeal_id));

      const activity = await node.services.activity.listVisible(person.personId, clock);
      const told = activity.find((e) => e.type === 'revocation.appeal_dismissed');
      assert.equal(told?.details.answer, answer);
      assert.equal(told?.details.appeal_id, appeal.appeal_id);
      assert.deepEqual((await actionsOf(first.id)).filter((a) => a.targetType === 'appeal').map((a) => [a.action, a.targetId, a.details]), [['revocation.appeal_dismissed', appeal.appeal_id, { revocation_id: revocation.revocation_id, person_id: person.personId }]]);
      assert.ok(!JSON.stringify(await actionsOf(first.id)).includes('police'), 'the answer text stays with the person, not in the action record');
    });

    it('blocks one person from one approved app only', async () => {
      const blocker = await enrolledOperator('Blocking operator', 'operator');
      const { operator } = blocker;
      const { bare: auditor } = await enrolledOperator('Blocking auditor', 'auditor');
      const person = await personWith('WNBLOCK001');
      const registry = relyingPartyRegistryOf(node.services);
      const { relyingParty: app } = await registry.register({ name: 'Shop', organisation: 'Shop Ltd', category: 'commercial', redirect_uris: ['https://shop.example/cb'], sector_identifier: 'shop.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      const { relyingParty: other } = await registry.register({ name: 'Library', organisation: 'City', category: 'public_service', redirect_uris: ['https://library.example/cb'], sector_identifier: 'library.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      const input = { webNumber: 'wnblock001', clientId: app.clientId, reason: 'abusive refunds', reference: 'B-1' };
      const blocking = (webNumber = input.webNumber) => blocker.proving('app_block.block', fieldsTarget(webNumber, app.clientId));
      const lifting = () => blocker.proving('app_block.lift', fieldsTarget(person.personId, app.clientId));
      await rejectsWith(service.blockApp(await blocking(), input), 'console.app_not_approved');
      await service.transitionApp(operator, app.clientId, 'approve');
      await service.transitionApp(operator, other.clientId, 'approve');
      await rejectsWith(service.blockApp(auditor, input), 'console.read_only');
      await rejectsWith(service.blockApp(await blocking(), { ...input, webNumber: 'NOSUCHWN00' }), 'console.step_up_failed');
      await rejectsWith(service.blockApp(await blocking('NOSUCHWN00'), { ...input, webNumber: 'NOSUCHWN00' }), 'console.person_not_found');
      await rejectsWith(service.blockApp(await blocking(), { ...input, reason: ' ' }), 'console.block_invalid');
      await rejectsWith(service.blockApp(blocker.bare, input), 'console.step_up_required');
      await service.blockApp(await blocking(), input);
      assert.equal(await node.services.revocation.isBlockedForApp(person.personId, app.clientId), true);
      assert.equal(await node.services.revocation.isBlockedForApp(person.personId, other.clientId), false, 'other apps unaffected');
      await rejectsWith(service.blockApp(await blocking(), input), 'console.already_blocked');
      assert.deepEqual((await actionsOf(operator.id)).filter((a) => a.action === 'app_access.blocked').map((a) => [a.targetId, a.details]), [[app.clientId, { person_id: person.personId, reason: 'abusive refunds', reference: 'B-1' }]]);
      assert.ok((await node.services.activity.listVisible(person.personId, clock)).some((e) => e.type === 'app_access.blocked' && e.relyingPartyId === app.clientId), 'the person is told');

      // The block is listed with the person's web number, and lifted by an operator (never an auditor).
      const listed = (await service.blocks()).find((b) => b.personId === person.personId && b.clientId === app.clientId);
      assert.equal(listed?.webNumber, 'WNBLOCK001');
      assert.equal(listed?.reason, 'abusive refunds');
      await rejectsWith(service.unblockApp(auditor, person.personId, app.clientId), 'console.read_only');
      await rejectsWith(service.unblockApp(blocker.bare, person.personId, app.clientId), 'console.step_up_required');
      await service.unblockApp(await lifting(), person.personId, app.clientId);
      assert.equal(await node.services.revocation.isBlockedForApp(person.personId, app.clientId), false);
      await rejectsWith(service.unblockApp(await lifting(), person.personId, app.clientId), 'console.not_blocked');
      assert.ok(!(await service.blocks()).some((b) => b.personId === person.personId && b.clientId === app.clientId));
      assert.deepEqual((await actionsOf(operator.id)).filter((a) => a.action === 'app_access.unblocked').map((a) => [a.targetId, a.details]), [[app.clientId, { person_id: person.personId }]]);
      assert.ok((await node.services.activity.listVisible(person.personId, clock)).some((e) => e.type === 'app_access.unblocked' && e.relyingPartyId === app.clientId), 'the person is told it was lifted');
    });

    it('ends a console session after 8 hours, on a bad MAC, or when the operator is disabled', async () => {
      const { operator } = await enrolledOperator('Session', 'operator');
      const sessions = new ConsoleSessions({ key: node.services.sealer.deriveKey('console-session'), operators: service.operators, now: () => clock });
      const [passkey] = await service.operators.passkeysOf(operator.id);
      const token = sessions.create(operator.id, passkey!.credentialId);
      assert.equal((await sessions.verify(token))?.operator.id, operator.id);
      assert.equal(await sessions.verify(`${token.slice(0, -2)}xx`), null);
      const other = new ConsoleSessions({ key: node.services.sealer.deriveKey('person-session'), operators: service.operators, now: () => clock });
      assert.equal(await other.verify(token), null, 'a key for another purpose does not verify it');
      advance(CONSOLE_SESSION_TTL_SECONDS * 1000);
      assert.equal(await sessions.verify(token), null, 'expired');
      const fresh = sessions.create(operator.id, passkey!.credentialId);
      assert.ok(await sessions.verify(fresh));
      assert.equal(await sessions.verify(sessions.create(operator.id, 'not-a-passkey')), null, 'a session names a registered passkey of its operator');
      await service.operators.setStatus(operator.id, 'disabled');
      assert.equal(await sessions.verify(fresh), null, 'disabled');
    });
  });
}
