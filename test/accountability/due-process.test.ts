/**
 * Accountability as the issue states it: authority requests need two approvers who are not the
 * submitter and release only what was approved; a deferred notice appears to the person when the
 * deferral ends; a revocation needs a reason and a second operator, the person sees it and can
 * appeal; a registry-reported revocation applies only when the registry's record confirms it; a
 * person finds all of their own log entries, and another person's key finds none. (The operator
 * ids here are what the console passes once a step-up proved the operator: test/console.)
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { findOwnEntries } from '../../src/transparency/commitment.ts';
import { runRetention } from '../../src/retention/retention-job.ts';
import { testEnv } from '../support/databases.ts';

const DAY = 86_400_000;
let clock = new Date('2025-07-15T08:00:00.000Z');
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

let node: NetidNode;
let personA: string;
let personB: string;

async function enrol(n: number): Promise<string> {
  const person = await node.services.persons.create({
    documentKey: `doc-key-${n}`,
    webNumber: `WN${String(n).padStart(8, '0')}`,
    attributes: { document_type: 'cn_resident_id', document_number: `1101011990010${n}`, name: `Person ${n}`, birth_date: '1990-01-01', sex: 'F', nationality: 'CHN', expiry_date: '2035-01-01' },
    now: clock,
  });
  return person.personId;
}

async function allEntries(): Promise<Uint8Array[]> {
  await node.services.transparency.checkpoint();
  const size = await node.services.transparency.log.size();
  return node.services.transparency.store.getEntries(0, size);
}

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netid-acc-'));
  node = await createNode(loadConfig(testEnv({ NETID_DATA_DIR: dir, NETID_AUTHORITY_DEFERRAL_MAX_DAYS: '90' })), { inMemory: true, skipLock: true, now: () => clock });
  personA = await enrol(1);
  personB = await enrol(2);
});
after(async () => node?.close());

describe('authority requests', () => {
  const identityRequest = (deferral?: { reason: string; until: Date }) =>
    node.services.authority.submit(
      { subject: { webNumber: 'WN00000001' }, requestingBody: 'Public Security Bureau, Haidian', legalBasis: { statute: 'Cybersecurity Law art. 28', caseReference: 'HD-2025-0042' }, scope: { kind: 'identity' }, ...(deferral ? { deferral } : {}) },
      'op-submitter',
    );

  it('cannot be fulfilled with one approver, nor approved or fulfilled by its submitter', async () => {
    const { authority } = node.services;
    const request = await identityRequest();
    await assert.rejects(authority.approve(request.request_id, 'op-submitter'), { code: 'authority.submitter_cannot_approve' });
    await authority.approve(request.request_id, 'op-alice');
    await assert.rejects(authority.fulfil(request.request_id, 'op-alice'), { code: 'authority.needs_two_approvals' });
    await assert.rejects(authority.approve(request.request_id, 'op-alice'), { code: 'authority.same_approver' });
    const approved = await authority.approve(request.request_id, 'op-bob');
    assert.equal(approved.state, 'approved');
    await assert.rejects(authority.fulfil(request.request_id, 'op-submitter'), { code: 'authority.submitter_cannot_fulfil' });
    const { request: done, released } = await authority.fulfil(request.request_id, 'op-carol');
    assert.equal(done.state, 'fulfilled');
    // Only the approved scope: identity, no activity records.
    assert.equal(released.identity?.name, 'Person 1');
    assert.equal(released.records, undefined);
    await assert.rejects(authority.fulfil(request.request_id, 'op-carol'), { code: 'authority.invalid_state' });
    // The person sees the request and its outcome at once (no deferral).
    const seen = await node.services.activity.listVisible(personA, clock);
    assert.ok(seen.some((e) => e.type === 'authority.request' && e.details.request_id === request.request_id));
    assert.ok(seen.some((e) => e.type === 'authority.fulfilled' && e.details.request_id === request.request_id));
    // Every step is in the log, naming the person by commitment.
    const mine = findOwnEntries(node.services.transparency.personLogKey(personA), await allEntries()).filter((e) => e.event.ref === request.request_id);
    assert.deepEqual(mine.map((e) => e.event.type), ['authority.submitted', 'authority.approval', 'authority.approved', 'authority.disclosure']);
    assert.deepEqual(mine.at(-1)!.event.claims, ['birth_date', 'document_number', 'document_type', 'expiry_date', 'name', 'nationality', 'sex']);
  });

  it('needs a legal basis, and releases activity records only within the approved window', async () => {
    const { authority } = node.services;
    await assert.rejects(
      authority.submit({ subject: { personId: personB }, requestingBody: 'Court', legalBasis: { statute: '', caseReference: 'X' }, scope: { kind: 'identity' } }, 'op-submitter'),
      { code: 'authority.legal_basis_required' },
    );
    await node.services.activity.record({ personId: personB, type: 'oidc.sign_in', occurredAt: new Date(clock.getTime() - 10 * DAY), relyingPartyId: 'app-in-window' });
    await node.services.activity.record({ personId: personB, type: 'oidc.sign_in', occurredAt: new Date(clock.getTime() - 40 * DAY), relyingPartyId: 'app-outside' });
    const request = await authority.submit(
      { subject: { personId: personB }, requestingBody: 'Court of Chaoyang', legalBasis: { statute: 'Criminal Procedure Law art. 54', caseReference: 'CY-7' }, scope: { kind: 'records', from: new Date(clock.getTime() - 20 * DAY), to: clock } },
      'op-submitter',
    );
    await authority.approve(request.request_id, 'op-alice');
    await authority.approve(request.request_id, 'op-bob');
    const { released } = await authority.fulfil(request.request_id, 'op-bob');
    assert.equal(released.identity, undefined);
    assert.deepEqual(released.records!.map((r) => r.relyingPartyId), ['app-in-window']);
  });

  it('shows a deferred notice to the person only when the deferral ends', async () => {
    const { authority, activity } = node.services;
    await assert.rejects(identityRequest({ reason: 'ongoing investigation', until: new Date(clock.getTime() + 91 * DAY) }), { code: 'authority.deferral_invalid' });
    await assert.rejects(identityRequest({ reason: '', until: new Date(clock.getTime() + 30 * DAY) }), { code: 'authority.deferral_invalid' });
    const until = new Date(clock.getTime() + 30 * DAY);
    const request = await identityRequest({ reason: 'ongoing investigation', until });
    await authority.approve(request.request_id, 'op-alice');
    await authority.approve(request.request_id, 'op-bob');
    await authority.fulfil(request.request_id, 'op-bob');
    const noticeOf = async () => (await activity.listVisible(personA, clock)).filter((e) => e.details.request_id === request.request_id).map((e) => e.type).sort();
    assert.deepEqual(await noticeOf(), []);
    // The person cannot find the request in the log early either.
    const key = node.services.transparency.personLogKey(personA);
    assert.equal(findOwnEntries(key, await allEntries()).filter((e) => e.event.ref === request.request_id).length, 0);
    // The one extension needs two operators.
    await authority.proposeDeferralExtension(request.request_id, 'op-alice', { reason: 'suspects not yet arrested', until: new Date(until.getTime() + 20 * DAY) });
    await assert.rejects(authority.approveDeferralExtension(request.request_id, 'op-alice'), { code: 'authority.extension_not_allowed' });
    await authority.approveDeferralExtension(request.request_id, 'op-bob');
    await assert.rejects(authority.proposeDeferralExtension(request.request_id, 'op-carol', { reason: 'again', until: new Date(until.getTime() + 40 * DAY) }), { code: 'authority.extension_not_allowed' });
    advance(31 * DAY);
    assert.deepEqual(await noticeOf(), []);
    advance(20 * DAY);
    assert.deepEqual(await noticeOf(), ['authority.fulfilled', 'authority.request']);
    assert.equal(await authority.releaseDueNotices(), 1);
    // Now the log links the person to every step of the request.
    const own = await node.services.transparency.ownEntries(personA);
    assert.deepEqual(own.entries.filter((e) => e.event.ref === request.request_id).map((e) => e.event.type), [
      'authority.submitted', 'authority.approval', 'authority.approved', 'authority.disclosure', 'authority.deferral_extension_proposed', 'authority.deferral_extended', 'authority.notice_released',
    ]);
    const counts = await authority.monthlyCounts();
    assert.deepEqual(counts, [{ month: '2025-07', requests: 3, approved: 3, rejected: 0, deferred: 1 }]);
  });
});

describe('revocation with due process', () => {
  it('refuses a revocation without a reason, or without a second operator', async () => {
    const { revocation } = node.services;
    await assert.rejects(revocation.propose({ personId: personB, reason: undefined as never, reference: 'R-1', source: 'operator' }, 'op-alice'), { code: 'revocation.reason_required' });
    await assert.rejects(revocation.propose({ personId: personB, reason: 'because' as never, reference: 'R-1', source: 'operator' }, 'op-alice'), { code: 'revocation.reason_required' });
    await assert.rejects(revocation.propose({ personId: personB, reason: 'fraud_decided', reference: 'R-1', source: 'operator' }, 'op-alice'), { code: 'revocation.reason_required' });
    await assert.rejects(revocation.propose({ personId: personB, reason: 'device_lost', reference: '', source: 'operator' }, 'op-alice'), { code: 'revocation.reason_required' });
    const proposed = await revocation.propose({ personId: personB, reason: 'fraud_decided', procedure: 'Fraud review board decision', reference: 'FRB-2025-17', source: 'operator' }, 'op-alice');
    assert.equal(proposed.state, 'proposed');
    await assert.rejects(revocation.approve(proposed.revocation_id, 'op-alice'), { code: 'revocation.second_approval_required' });
    await assert.rejects(revocation.apply(proposed.revocation_id, 'op-alice'), { code: 'revocation.second_approval_required' });
    assert.deepEqual(await revocation.credentialStatus(personB), { revoked: false, eligibleForIssuance: true, revocationId: null });
  });

  it('applies after a second operator; the person sees why and how to appeal, appeals, and is reinstated', async () => {
    const { revocation, activity } = node.services;
    const proposed = await revocation.propose({ personId: personB, reason: 'device_lost', reference: 'TICKET-88', source: 'operator' }, 'op-alice');
    const applied = await revocation.approve(proposed.revocation_id, 'op-bob');
    assert.equal(applied.state, 'applied');
    assert.deepEqual(await revocation.credentialStatus(personB), { revoked: true, eligibleForIssuance: false, revocationId: proposed.revocation_id });
    const notice = (await activity.listVisible(personB, clock)).find((e) => e.type === 'revocation.applied' && e.details.revocation_id === proposed.revocation_id);
    assert.equal(notice?.details.reason, 'device_lost');
    assert.match(String((notice?.details.appeal as { en: string }).en), /appeal/);
    await assert.rejects(revocation.lodgeAppeal(personA, proposed.revocation_id, 'not mine'), { code: 'revocation.appeal_not_allowed' });
    const appeal = await revocation.lodgeAppeal(personB, proposed.revocation_id, 'I still have my phone.');
    await assert.rejects(revocation.lodgeAppeal(personB, proposed.revocation_id, 'again'), { code: 'revocation.appeal_not_allowed' });
    assert.deepEqual((await revocation.openAppeals()).map((a) => a.appeal_id), [appeal.appeal_id]);
    const upheld = await revocation.answerAppeal(appeal.appeal_id, 'op-carol', 'uphold', 'The report was mistaken.');
    assert.equal(upheld.state, 'upheld');
    assert.deepEqual(await revocation.credentialStatus(personB), { revoked: false, eligibleForIssuance: true, revocationId: proposed.revocation_id });
    assert.ok((await activity.listVisible(personB, clock)).some((e) => e.type === 'revocation.appeal_upheld'));
  });

  it("takes the person's own request without a second operator", async () => {
    const row = await node.services.revocation.propose({ personId: personA, reason: 'person_request', reference: 'app-settings', source: 'person' }, 'person');
    assert.equal(row.state, 'applied');
    await assert.rejects(node.services.revocation.propose({ personId: personA, reason: 'person_request', reference: 'x', source: 'operator' }, 'op-alice'), { code: 'revocation.source_mismatch' });
  });

  it("applies a registry report only when the registry's record of the person's document confirms it", async () => {
    const { revocation, embeddedRegistry } = node.services;
    await assert.rejects(revocation.propose({ personId: personB, reason: 'death', reference: 'REG-0', source: 'registry' }, 'registry'), { code: 'revocation.source_mismatch' });
    const count = async () => (await revocation.forPerson(personB)).revocations.length;
    const before = await count();
    await assert.rejects(revocation.reportedByRegistry({ personId: personB, reason: 'death', reference: 'REG-1' }), { code: 'revocation.registry_not_confirmed' });
    const record = { documentType: 'cn_resident_id', documentNumber: '11010119900102', name: 'Person 2', birthDate: '1990-01-01', sex: 'F' as const, nationality: 'CHN', expiryDate: '2035-01-01', portrait: new Uint8Array([0xff, 0xd8, 0xff]), guardian: null };
    await embeddedRegistry!.importRecords([{ ...record, status: 'valid' }]);
    await assert.rejects(revocation.reportedByRegistry({ personId: personB, reason: 'death', reference: 'REG-1' }), { code: 'revocation.registry_not_confirmed' });
    await embeddedRegistry!.importRecords([{ ...record, status: 'lost' }]);
    await assert.rejects(revocation.reportedByRegistry({ personId: personB, reason: 'death', reference: 'REG-1' }), { code: 'revocation.registry_not_confirmed' });
    assert.equal(await count(), before, 'nothing stored for an unconfirmed report');
    const applied = await revocation.reportedByRegistry({ personId: personB, reason: 'document_invalidated', reference: 'REG-2' });
    assert.deepEqual([applied.state, applied.source, applied.proposed_by, applied.approved_by], ['applied', 'registry', 'registry', 'registry']);
  });

  it("scopes an app suspension to that app", async () => {
    const { revocation } = node.services;
    assert.equal(await revocation.blockApp(personA, 'shop-app', { reason: 'over-asking', reference: 'RPT-1' }, 'op-alice'), true);
    assert.equal(await revocation.isBlockedForApp(personA, 'shop-app'), true);
    assert.equal(await revocation.isBlockedForApp(personA, 'bank-app'), false);
    assert.equal(await revocation.isBlockedForApp(personB, 'shop-app'), false);
  });
});

describe('person log entries', () => {
  it("finds all of a person's entries with their key, and none of them with another person's key", async () => {
    await node.services.transparency.recordAccountableEvent({ type: 'disclosure.claims', actor: 'person', personId: personA, relyingParty: 'shop-app', claims: ['age_over_18'] });
    const entries = await allEntries();
    const keyA = node.services.transparency.personLogKey(personA);
    const keyB = node.services.transparency.personLogKey(personB);
    const own = await node.services.transparency.ownEntries(personA);
    const ownIndexes = own.entries.map((e) => e.index);
    // Everything with A's commitment, plus the steps of A's released deferred request (linked by ref).
    for (const found of findOwnEntries(keyA, entries)) assert.ok(ownIndexes.includes(found.index));
    assert.ok(own.entries.some((e) => e.event.type === 'disclosure.claims'));
    const byB = new Set(findOwnEntries(keyB, entries).map((e) => e.index));
    assert.ok(byB.size > 0);
    for (const index of ownIndexes) assert.equal(byB.has(index), false);
    // Each comes with an inclusion proof against the signed checkpoint.
    assert.ok(own.checkpoint && own.entries.every((e) => e.inclusion?.treeSize === own.checkpoint!.treeSize));
  });
});

describe('retention', () => {
  it('deletes old sign-in records, keeps due-process records, and logs its run', async () => {
    const { db } = node.services.database;
    const old = new Date(clock.getTime() - 400 * DAY);
    await node.services.activity.record({ personId: personB, type: 'oidc.sign_in', occurredAt: old, relyingPartyId: 'old-app' });
    await node.services.activity.record({ personId: personB, type: 'revocation.applied', occurredAt: old, details: { reason: 'kept' } });
    const before = await node.services.transparency.log.size();
    const report = await runRetention({ db, log: node.services.transparency, now: () => clock, retentionDays: 180 });
    const rows = await sql<{ type: string }>`SELECT type FROM activity WHERE person_id = ${personB} AND occurred_at = ${old}`.execute(db);
    assert.deepEqual(rows.rows.map((r) => r.type), ['revocation.applied']);
    assert.ok(report.deletedRows >= 1);
    await node.services.transparency.checkpoint();
    const [last] = await node.services.transparency.store.getEntries(before, before + 1);
    assert.match(new TextDecoder().decode(last), /"type":"retention.run"/);
  });
});
