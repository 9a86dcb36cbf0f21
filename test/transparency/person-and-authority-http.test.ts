/**
 * Over HTTP, as the person and an operator's tools see the service: a signed-in person gets their
 * log key and their own log entries, each with an inclusion proof that verifies against the
 * published, signed checkpoint — and never another person's entries; without a session the
 * answer is 401. Authority requests are taken step by step in the operator console, each step by
 * an operator proven with their own passkey (the admin API's machine token can only read them):
 * two approvals by operators other than the submitter, a deferred notice that the person sees (in
 * the activity page and the log) only when the deferral ends, and bad input refused with a stable
 * code and nothing stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminToken } from '../../src/app/data-dir.ts';
import { findOwnEntries, isOwnEvent, leafHash, parseCheckpoint, parseVerifierKey, verifyInclusion, type LogEvent } from '../../src/transparency/index.ts';
import { fieldsTarget } from '../../src/console/operator-passkeys.ts';
import { openNote } from '../../src/transparency/note/open-note.ts';
import type { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { enrolPerson, personBrowser, startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { ConsoleUser, refusedWith } from '../console/console-user.ts';

const DAY = 86_400_000;
/** The node's clock: real time plus an offset the tests move forward. */
let offset = 0;
const clock = () => new Date(Date.now() + offset);

let t: OidcTestNode;
let token: string;
let personA: { personId: string; webNumber: string; authenticator: SoftwareAuthenticator };
let personB: { personId: string; webNumber: string; authenticator: SoftwareAuthenticator };
/** Operators in the console: the one who records requests, and three others who decide them. */
let submitter: ConsoleUser;
let alice: ConsoleUser;
let bob: ConsoleUser;
let carol: ConsoleUser;

before(async () => {
  t = await startOidcNode({ NETID_ADMIN_PORT: '0', NETID_AUTHORITY_DEFERRAL_MAX_DAYS: '90' }, { now: clock });
  token = adminToken(t.dir);
  personA = await enrolPerson(t, { document_type: 'cn_resident_id', document_number: '110105194912310021', name: '甲', birth_date: '1949-12-31', sex: 'F', nationality: 'CHN', expiry_date: '2040-01-01' }, 'WNPERSONA1');
  personB = await enrolPerson(t, { document_type: 'cn_resident_id', document_number: '110105195001010030', name: '乙', birth_date: '1950-01-01', sex: 'M', nationality: 'CHN', expiry_date: '2040-01-01' }, 'WNPERSONB1');
  const adminPort = Number(new URL(t.node.adminUrl).port);
  const consoleBase = `http://localhost:${adminPort}`;
  const operator = (name: string) => new ConsoleUser(consoleBase).enrolAndSignIn(name, 'operator', t.node, adminPort);
  submitter = await operator('Submitter');
  alice = await operator('Alice');
  bob = await operator('Bob');
  carol = await operator('Carol');
});
after(async () => t?.close());

async function admin(method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`): Promise<{ status: number; json: Record<string, any> }> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${t.node.adminUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function publicGet(path: string): Promise<Response> {
  return fetch(`${t.issuer}${path}`);
}

const request = (webNumber: string, extra: Record<string, string> = {}): Record<string, string> => ({
  web_number: webNumber,
  requesting_body: 'Public Security Bureau, Haidian',
  statute: 'Cybersecurity Law art. 28',
  case_reference: 'HD-2025-0042',
  scope: 'identity',
  ...extra,
});

/** A date field's value: the UTC day `days` from the node's clock. */
const dayField = (days: number) => new Date(clock().getTime() + days * DAY).toISOString().slice(0, 10);

/** The submitter records a request in the console, with a step-up bound to its web number. */
async function submit(form: Record<string, string>) {
  return submitter.post('/console/authority', { ...form, assertion: await submitter.stepUp('authority.submit', fieldsTarget(form.web_number ?? '')) });
}

/** One step on a request by one operator, with their step-up for that step and request. */
async function step(operator: ConsoleUser, id: string, action: 'approve' | 'reject' | 'fulfil', form: Record<string, string> = {}) {
  return operator.post(`/console/authority/${id}/${action}`, { ...form, assertion: await operator.stepUp(`authority.${action}`, id) });
}

/** The newest request in the admin API's read of them. */
async function newestRequestId(): Promise<string> {
  return (await admin('GET', '/admin/v1/authority-requests')).json.requests[0].request_id;
}

interface ListedEntry {
  index: number;
  entry: string;
  event: LogEvent;
  inclusion: { tree_size: number; hashes: string[] } | null;
}

/** Signs in as the person and reads their log key and entries. */
async function ownLog(authenticator: SoftwareAuthenticator): Promise<{ key: Uint8Array; verifierKey: string; checkpoint: string; entries: ListedEntry[] }> {
  const browser = await personBrowser(t, authenticator);
  const keyResponse = await browser.fetch('/api/v1/me/log-key');
  assert.equal(keyResponse.status, 200);
  assert.equal(keyResponse.headers.get('cache-control'), 'no-store');
  const keyBody = (await keyResponse.json()) as { origin: string; verifier_key: string; person_log_key: string };
  const entriesResponse = await browser.fetch('/api/v1/me/log-entries');
  assert.equal(entriesResponse.status, 200);
  const body = (await entriesResponse.json()) as { checkpoint: string; entries: ListedEntry[] };
  return { key: Buffer.from(keyBody.person_log_key, 'base64url'), verifierKey: keyBody.verifier_key, checkpoint: body.checkpoint, entries: body.entries };
}

/** Checks every listed entry's inclusion proof against the checkpoint the log publishes, signed by its key. */
async function assertProvenAgainstPublishedCheckpoint(own: { verifierKey: string; checkpoint: string; entries: ListedEntry[] }): Promise<void> {
  const vkey = await (await publicGet('/log/v1/vkey')).text();
  assert.equal(own.verifierKey.trim(), vkey.trim());
  const published = await (await publicGet('/log/v1/checkpoint')).text();
  assert.equal(own.checkpoint, published, 'the entries are proven against the checkpoint the log publishes');
  const opened = openNote(published, [parseVerifierKey(vkey.trim())!]);
  assert.ok(opened.ok, 'the checkpoint is signed by the log key');
  const checkpoint = parseCheckpoint(opened.text)!;
  assert.ok(own.entries.length > 0);
  for (const listed of own.entries) {
    assert.ok(listed.inclusion, `entry ${listed.index} has an inclusion proof`);
    assert.equal(listed.inclusion.tree_size, checkpoint.treeSize);
    const bytes = Buffer.from(listed.entry, 'base64');
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), listed.event);
    const path = listed.inclusion.hashes.map((h) => Buffer.from(h, 'base64'));
    assert.ok(verifyInclusion(listed.index, checkpoint.treeSize, leafHash(bytes), path, checkpoint.rootHash), `entry ${listed.index} is in the signed tree`);
  }
}

/** Every entry of the public log, read through the public read API. */
async function publicEntries(): Promise<Uint8Array[]> {
  const opened = openNote(await (await publicGet('/log/v1/checkpoint')).text(), [parseVerifierKey((await (await publicGet('/log/v1/vkey')).text()).trim())!]);
  assert.ok(opened.ok);
  const treeSize = parseCheckpoint(opened.text)!.treeSize;
  const all: Uint8Array[] = [];
  while (all.length < treeSize) {
    const page = (await (await publicGet(`/log/v1/entries?start=${all.length}&end=${treeSize}`)).json()) as string[];
    assert.ok(page.length > 0);
    all.push(...page.map((e) => new Uint8Array(Buffer.from(e, 'base64'))));
  }
  return all;
}

describe('what the admin API and the console refuse to store', () => {
  it('runs the daily jobs on demand over the admin API: retention, then the status entry purge', async () => {
    const run = await admin('POST', '/admin/v1/retention/run');
    assert.equal(run.status, 200, JSON.stringify(run.json));
    assert.equal(typeof run.json.status_purge.released, 'number');
    assert.ok(!Number.isNaN(Date.parse(run.json.status_purge.cutoff)));
    assert.equal((await admin('POST', '/admin/v1/retention/run', undefined, null)).status, 401);
  });

  it('answers 401 without the bearer token, or with a wrong one; with it, reads requests but cannot record one', async () => {
    for (const auth of [null, 'Bearer not-the-token']) {
      const refused = await admin('GET', '/admin/v1/authority-requests', undefined, auth);
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'request.unauthenticated');
    }
    const machine = await admin('POST', '/admin/v1/authority-requests', { ...request(personA.webNumber), operator_id: 'op-submitter' });
    assert.equal(machine.status, 404, 'the machine token takes no step of an authority request');
    assert.deepEqual((await admin('GET', '/admin/v1/authority-requests')).json.requests, []);
  });

  it('refuses bad input in the console with a stable code, and stores nothing', async () => {
    const withoutStatute = request(personA.webNumber);
    delete withoutStatute.statute;
    const cases: Array<[Record<string, string>, string]> = [
      [withoutStatute, 'authority.legal_basis_required'],
      [request(personA.webNumber, { scope: 'everything' }), 'authority.field_required'],
      [request(personA.webNumber, { statute: '   ' }), 'authority.legal_basis_required'],
      [request(personA.webNumber, { scope: 'records', window_from: dayField(0), window_to: dayField(-2) }), 'authority.bad_window'],
      [request(personA.webNumber, { scope: 'records' }), 'authority.bad_window'],
      [request(personA.webNumber, { deferral_reason: 'investigation', deferral_until: dayField(92) }), 'authority.deferral_invalid'],
      [request(personA.webNumber, { deferral_until: dayField(10) }), 'authority.deferral_invalid'],
      [request('WN00000000'), 'authority.person_not_found'],
    ];
    for (const [form, code] of cases) refusedWith(await submit(form), code);
    assert.deepEqual((await admin('GET', '/admin/v1/authority-requests')).json.requests, []);
    const browser = await personBrowser(t, personA.authenticator);
    const activity = (await (await browser.fetch('/api/v1/me/activity')).json()) as { entries: Array<{ type: string }> };
    assert.deepEqual(activity.entries.filter((e) => e.type.startsWith('authority.')), []);
  });
});

describe("the person's log over HTTP", () => {
  let requestA: string;

  it('answers 401 with a stable code without a session', async () => {
    for (const path of ['/api/v1/me/log-key', '/api/v1/me/log-entries']) {
      const response = await publicGet(path);
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: string }).error, 'request.unauthenticated');
    }
  });

  it('an authority request: two approvals by operators other than the submitter, then fulfilment of exactly the scope', async () => {
    assert.equal((await submit(request(personA.webNumber))).location, '/console/authority?done=authority_submitted');
    requestA = await newestRequestId();
    const path = `/admin/v1/authority-requests/${requestA}`;
    assert.deepEqual([(await admin('GET', path)).json.state, (await admin('GET', path)).json.submitted_by], ['submitted', submitter.id]);
    refusedWith(await step(submitter, requestA, 'approve'), 'authority.submitter_cannot_approve');
    assert.equal((await step(alice, requestA, 'approve')).location, '/console/authority?done=authority_first_approval');
    refusedWith(await step(carol, requestA, 'fulfil'), 'authority.needs_two_approvals');
    refusedWith(await step(alice, requestA, 'approve'), 'authority.same_approver');
    assert.equal((await step(bob, requestA, 'approve')).location, '/console/authority?done=authority_approved');
    const approved = (await admin('GET', path)).json;
    assert.deepEqual([approved.state, approved.first_approver, approved.second_approver], ['approved', alice.id, bob.id]);
    const fulfilled = await step(carol, requestA, 'fulfil');
    assert.equal(fulfilled.status, 200);
    assert.match(fulfilled.body, /data-field="name">甲</);
    assert.doesNotMatch(fulfilled.body, /released-records/, 'the identity scope only, no activity records');
    assert.deepEqual([(await admin('GET', path)).json.state, (await admin('GET', path)).json.fulfilled_by], ['fulfilled', carol.id]);
  });

  it('gives the signed-in person their key and their entries, each proven against the published checkpoint', async () => {
    const checkpoint = await admin('POST', '/admin/v1/log/checkpoint');
    assert.equal(checkpoint.status, 200);
    const own = await ownLog(personA.authenticator);
    assert.deepEqual(own.entries.filter((e) => e.event.ref === requestA).map((e) => e.event.type), ['authority.submitted', 'authority.approval', 'authority.approved', 'authority.disclosure']);
    await assertProvenAgainstPublishedCheckpoint(own);
    // The key finds, in the whole public log, exactly the entries listed — no more, no fewer.
    const all = await publicEntries();
    assert.deepEqual(findOwnEntries(own.key, all).map((e) => e.index), own.entries.map((e) => e.index));
  });

  it("never lists another person's entries", async () => {
    const a = await ownLog(personA.authenticator);
    const b = await ownLog(personB.authenticator);
    assert.notDeepEqual(a.key, b.key);
    assert.ok(a.entries.length > 0);
    assert.ok(a.entries.every((e) => isOwnEvent(a.key, e.event) && !isOwnEvent(b.key, e.event)));
    assert.deepEqual(b.entries.filter((e) => e.event.ref === requestA), []);
    assert.deepEqual(b.entries.filter((e) => isOwnEvent(a.key, e.event)), []);
  });

  it("defers the person's notice, then shows it — in the activity page and the log — when the deferral ends", async () => {
    assert.equal((await submit(request(personB.webNumber, { case_reference: 'HD-2025-0043', deferral_reason: 'ongoing investigation', deferral_until: dayField(30) }))).location, '/console/authority?done=authority_submitted');
    const id = await newestRequestId();
    assert.equal((await step(alice, id, 'approve')).location, '/console/authority?done=authority_first_approval');
    assert.equal((await step(bob, id, 'approve')).location, '/console/authority?done=authority_approved');
    assert.equal((await step(bob, id, 'fulfil')).status, 200);
    assert.equal((await admin('POST', '/admin/v1/log/checkpoint')).status, 200);

    const notices = async () => {
      const browser = await personBrowser(t, personB.authenticator);
      const body = (await (await browser.fetch('/api/v1/me/activity')).json()) as { entries: Array<{ type: string; details: Record<string, unknown> }> };
      return body.entries.filter((e) => e.details.request_id === id).map((e) => e.type).sort();
    };
    assert.deepEqual(await notices(), []);
    assert.deepEqual((await ownLog(personB.authenticator)).entries.filter((e) => e.event.ref === id), []);

    offset += 31 * DAY;
    assert.deepEqual(await notices(), ['authority.fulfilled', 'authority.request']);
    // The next checkpoint releases the notice in the log: every step of the request, linked by its id.
    assert.equal((await admin('POST', '/admin/v1/log/checkpoint')).status, 200);
    const own = await ownLog(personB.authenticator);
    assert.deepEqual(own.entries.filter((e) => e.event.ref === id).map((e) => e.event.type), ['authority.submitted', 'authority.approval', 'authority.approved', 'authority.disclosure', 'authority.notice_released']);
    await assertProvenAgainstPublishedCheckpoint(own);
    const monthly = (await (await publicGet('/transparency/authority-requests')).json()) as { months: Array<{ requests: number; deferred: number }> };
    assert.deepEqual(monthly.months.reduce((sum, m) => [sum[0]! + m.requests, sum[1]! + m.deferred], [0, 0]), [2, 1]);
  });
});
