/**
 * WebAuthn challenges are signed, not stored (src/accounts/passkey-challenges.ts, ADR 0005):
 * asking for options writes nothing; a challenge opens only for what it was issued for, under this
 * service's key, before it expires; and a response that verified is used up once, so a replay is
 * refused and changes nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { PasskeyChallenges } from '../../src/accounts/passkey-challenges.ts';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { DatabaseEphemeralStore } from '../../src/storage/ephemeral-store.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { testDatabases } from '../support/databases.ts';
import { enrolPerson, startOidcNode, type OidcTestNode } from '../oidc/support.ts';

const clientData = (challenge: Uint8Array | string) =>
  Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: typeof challenge === 'string' ? challenge : Buffer.from(challenge).toString('base64url'), origin: 'http://localhost' })).toString('base64url');

describe('signed passkey challenges', () => {
  let clock = new Date('2026-03-01T08:00:00Z');
  const key = randomBytes(32);
  const challenges = new PasskeyChallenges({ key, spent: null as never, now: () => clock });

  it('open only for the purpose and the person they were issued for', () => {
    const forPerson = challenges.issue('scan_approve', 'person-a');
    assert.equal(challenges.open(clientData(forPerson), 'scan_approve', 'person-a'), Buffer.from(forPerson).toString('base64url'));
    assert.equal(challenges.open(clientData(forPerson), 'scan_approve', 'person-b'), null, 'another person');
    assert.equal(challenges.open(clientData(forPerson), 'netid_signin', 'person-a'), null, 'another purpose');
    assert.equal(challenges.open(clientData(forPerson), 'scan_approve'), null, 'no person');
    const signIn = challenges.issue('oidc_sign_in:uid-1');
    assert.equal(challenges.open(clientData(signIn), 'oidc_sign_in:uid-2'), null, "another interaction's sign-in");
    assert.notEqual(challenges.open(clientData(signIn), 'oidc_sign_in:uid-1'), null);
  });

  it('do not open once expired, when altered, or under another key', () => {
    clock = new Date('2026-03-01T08:00:00Z');
    const challenge = challenges.issue('netid_signin');
    clock = new Date('2026-03-01T08:04:59Z');
    assert.notEqual(challenges.open(clientData(challenge), 'netid_signin'), null, 'usable for five minutes');
    clock = new Date('2026-03-01T08:05:01Z');
    assert.equal(challenges.open(clientData(challenge), 'netid_signin'), null, 'expired');
    clock = new Date('2026-03-01T08:00:00Z');
    for (const at of [1, 5, 20, 36]) {
      const altered = new Uint8Array(challenge);
      altered[at] = altered[at]! ^ 1;
      assert.equal(challenges.open(clientData(altered), 'netid_signin'), null, `byte ${at} altered`);
    }
    const otherKey = new PasskeyChallenges({ key: randomBytes(32), spent: null as never, now: () => clock });
    assert.equal(otherKey.open(clientData(challenge), 'netid_signin'), null);
    assert.equal(challenges.open(clientData('A'.repeat(50)), 'netid_signin'), null, 'a challenge this service never issued');
    assert.equal(challenges.open('not base64 json', 'netid_signin'), null);
    assert.equal(challenges.open(undefined, 'netid_signin'), null);
  });
});

for (const database of testDatabases) {
  describe(`spending a challenge (${database.kind})`, () => {
    let handle: DatabaseHandle;
    let clock = new Date();
    before(async () => {
      handle = await openDatabase({ url: await database.url() });
      await migrate(handle.db);
    });
    after(() => handle?.close());

    it('succeeds once, whoever asks at the same moment', async () => {
      const challenges = new PasskeyChallenges({ key: randomBytes(32), spent: new DatabaseEphemeralStore({ db: handle.db, now: () => clock }), now: () => clock });
      const challenge = challenges.open(clientData(challenges.issue('netid_signin')), 'netid_signin')!;
      const spent = await Promise.all(Array.from({ length: 8 }, () => challenges.spend(challenge)));
      assert.deepEqual(spent.filter(Boolean).length, 1);
      assert.equal(await challenges.spend(challenges.open(clientData(challenges.issue('netid_signin')), 'netid_signin')!), true, 'another challenge is unaffected');
      // The record lasts until the challenge expires; the sweep may then delete it.
      clock = new Date(clock.getTime() + 6 * 60_000);
      assert.ok((await new DatabaseEphemeralStore({ db: handle.db, now: () => clock }).sweepExpired()) >= 2);
    });
  });
}

describe('passkey sign-in to the netid app with signed challenges', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  before(async () => {
    // This suite counts the rows the challenges leave in ephemeral_state, so the node keeps them there.
    t = await startOidcNode({ NETID_EPHEMERAL_STORE: 'database' });
    person = await enrolPerson(t);
  });
  after(() => t?.close());

  const rows = async (namespace: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ephemeral_state WHERE namespace = ${namespace}`.execute(t.node.services.database.db)).rows[0]!.n;
  const device = async () => t.node.services.database.db.selectFrom('devices').select(['counter', 'last_used_at']).where('person_id', '=', person.personId).executeTakeFirstOrThrow();
  const post = (path: string, body: unknown) => fetch(`${t.issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('signs in once with a response; the same response again is refused and changes nothing, also from a passkey whose counter stays 0', async () => {
    // Synced passkeys report a signature counter of 0 every time, so only the spent challenge stops a replay.
    person.authenticator.credentials[0]!.signCount = -1;
    const options = await (await post('/api/v1/session/options', {})).json();
    assert.equal(await rows('webauthn-spent'), 0, 'asking for options stored nothing');
    const response: AuthenticationResponseJSON = person.authenticator.get(options);
    const signedIn = await post('/api/v1/session', response);
    assert.equal(signedIn.status, 200, await signedIn.clone().text());
    assert.equal(await rows('webauthn-spent'), 1, 'the verified challenge is recorded as used');
    const used = await device();
    assert.equal(used.counter, 0);
    const replayed = await post('/api/v1/session', response);
    assert.equal(replayed.status, 400);
    assert.equal(((await replayed.json()) as { error: string }).error, 'passkey.challenge_invalid');
    assert.deepEqual(await device(), used, 'the refused replay did not touch the device');
    assert.equal(await rows('webauthn-spent'), 1);
  });

  it("refuses a challenge issued for another purpose (an OIDC interaction's) at the netid app's sign-in", async () => {
    const options = await t.node.services.passkeys.authenticationOptions('oidc_sign_in:some-interaction');
    const refused = await post('/api/v1/session', person.authenticator.get(options));
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'passkey.challenge_invalid');
  });
});
