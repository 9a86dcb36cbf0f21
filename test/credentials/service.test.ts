/**
 * The web certificate through a running node, on both databases: a signed-in person's device
 * gets a batch; two of six claims are presented and verified offline with only the fetched JWKS
 * and status list; revocation reaches verifiers after the list's ttl; 100 verifications make no
 * per-presentation request; two presentations share nothing; the served list matches the DB.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deactivatePerson } from '../../src/accounts/deactivation.ts';
import type { RunningNode } from '../../src/app/app.ts';
import { generateDeviceKeys, HolderWallet, present, type DeviceKey } from '../../src/credentials/holder/index.ts';
import { decodeStatusListBytes, statusAt } from '../../src/credentials/status/index.ts';
import { JwksCache, StatusListCache, verifyPresentation } from '../../src/credentials/verifier/index.ts';
import { testDatabases } from '../support/databases.ts';
import { enrolPerson, manualClock, startServiceNode } from './service-fixture.ts';

const VERIFIER_A = 'https://shop.example';
const VERIFIER_B = 'https://bank.example';

function payloadOf(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8'));
}

function disclosuresOf(presentation: string): string[] {
  return presentation.split('~').slice(1, -1);
}

async function requestCount(node: RunningNode): Promise<number> {
  const metric = await node.services.metrics.requests.get();
  return metric.values.filter((v) => v.metricName?.endsWith('_count')).reduce((sum, v) => sum + v.value, 0);
}

for (const database of testDatabases) {
  describe(`web certificate service on ${database.kind}`, () => {
    const clock = manualClock('2025-06-01T10:30:00Z');
    let node: RunningNode;
    let issuer: string;
    let person: { personId: string; webNumber: string; token: string };
    let keys: DeviceKey[];
    let credentials: string[];

    /** What an app does once per process: caches over plain HTTP fetches. */
    function verifierCaches() {
      const fetches = { jwks: 0, lists: 0 };
      const issuerKeys = new JwksCache({ trustedIssuers: [issuer], fetch: async (url) => (fetches.jwks++, (await fetch(url)).json()) });
      const statusLists = new StatusListCache({ issuerKeys, fetch: async (uri) => (fetches.lists++, (await fetch(uri, { headers: { accept: 'application/statuslist+jwt' } })).text()) });
      return { issuerKeys, statusLists, fetches };
    }

    async function issue(body: unknown, token = person.token) {
      return fetch(`${issuer}/api/v1/me/web-certificates`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'en' }, body: JSON.stringify(body) });
    }

    before(async () => {
      ({ node, issuer } = await startServiceNode(await database.url(), clock));
      person = await enrolPerson(node);
      keys = generateDeviceKeys(6);
      const response = await issue({ holder_keys: keys.map((k) => k.publicJwk) });
      assert.equal(response.status, 201, await response.clone().text());
      assert.equal(response.headers.get('cache-control'), 'no-store');
      credentials = ((await response.json()) as { credentials: string[] }).credentials;
    });
    after(async () => node?.close());

    it('issues one credential per device key for the signed-in person, recorded in their activity', async () => {
      assert.equal(credentials.length, 6);
      const payloads = credentials.map(payloadOf);
      for (const [i, p] of payloads.entries()) {
        assert.equal(p.iss, issuer);
        assert.equal(p.vct, `${issuer}/vct/web-certificate/v1`);
        assert.equal(p.cnf.jwk.x, keys[i]!.publicJwk.x);
        assert.equal(p.status.status_list.uri, `${issuer}/status/v1/lists/0`);
        assert.equal(p.exp - p.iat, 7 * 86_400);
      }
      const rows = await node.services.database.db.selectFrom('status_entries').selectAll().where('person_id', '=', person.personId).execute();
      assert.deepEqual(rows.map((r) => r.idx).sort((a, b) => a - b), payloads.map((p) => p.status.status_list.idx).sort((a, b) => a - b));
      const activity = await node.services.activity.listVisible(person.personId, clock());
      const issued = activity.find((a) => a.type === 'web_certificate_issued');
      assert.equal(issued?.details.count, 6);
      assert.equal(issued?.details.valid_until, new Date(payloads[0]!.exp * 1000).toISOString());
    });

    it('refuses a request without a session, a private key, a duplicate key, or too many keys', async () => {
      const anonymous = await fetch(`${issuer}/api/v1/me/web-certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ holder_keys: [keys[0]!.publicJwk] }) });
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { error: string }).error, 'request.unauthenticated');
      const [fresh] = generateDeviceKeys(1);
      const privateJwk = fresh!.privateKey.export({ format: 'jwk' });
      assert.equal(((await (await issue({ holder_keys: [privateJwk] })).json()) as { error: string }).error, 'credential.invalid_holder_key');
      assert.equal(((await (await issue({ holder_keys: [fresh!.publicJwk, fresh!.publicJwk] })).json()) as { error: string }).error, 'credential.duplicate_holder_key');
      const tooMany = await issue({ holder_keys: generateDeviceKeys(21).map((k) => k.publicJwk) });
      assert.equal(tooMany.status, 400);
      assert.equal(((await tooMany.json()) as { error: string }).error, 'request.invalid');
    });

    it('serves issuer metadata and type metadata', async () => {
      const meta = (await (await fetch(`${issuer}/.well-known/jwt-vc-issuer`)).json()) as { issuer: string; jwks: { keys: { kid: string }[] } };
      assert.equal(meta.issuer, issuer);
      assert.ok(meta.jwks.keys.some((k) => k.kid === JSON.parse(Buffer.from(credentials[0]!.split('.')[0]!, 'base64url').toString()).kid));
      const type = (await (await fetch(`${issuer}/vct/web-certificate/v1`)).json()) as { vct: string; claims: unknown[] };
      assert.equal(type.vct, `${issuer}/vct/web-certificate/v1`);
      assert.equal(type.claims.length, 13);
    });

    it('presents two of six claims; an app verifies offline with only the JWKS and the status list', async () => {
      const wallet = new HolderWallet(clock);
      wallet.addBatch(credentials, keys);
      const presentation = await wallet.present({ disclose: ['age_over_18', 'verified'], nonce: 'n-0001-shop-abcdefghij', audience: VERIFIER_A });
      assert.equal(disclosuresOf(presentation).length, 2);
      const caches = verifierCaches();
      const result = await verifyPresentation(presentation, { ...caches, expectedNonce: 'n-0001-shop-abcdefghij', expectedAudience: VERIFIER_A, expectedVct: `${issuer}/vct/web-certificate/v1`, now: clock() });
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.ok(result.ok);
      assert.deepEqual(result.claims, { age_over_18: true, verified: true });
      assert.deepEqual(caches.fetches, { jwks: 1, lists: 1 });
    });

    it("the issuer's request count during 100 verifications grows by no per-presentation request", async () => {
      const caches = verifierCaches();
      const verifyOne = async (i: number) => {
        const nonce = `nonce-${String(i).padStart(4, '0')}-abcdefghijkl`;
        const presentation = await present({ credential: credentials[5]!, holderPrivateKey: keys[5]!.privateKey, disclose: ['age_over_18'], nonce, audience: VERIFIER_A, clock });
        const result = await verifyPresentation(presentation, { ...caches, expectedNonce: nonce, expectedAudience: VERIFIER_A, now: clock() });
        assert.equal(result.ok, true, JSON.stringify(result));
      };
      const before0 = await requestCount(node);
      await verifyOne(0);
      const afterFirst = await requestCount(node);
      for (let i = 1; i < 100; i++) await verifyOne(i);
      const afterHundred = await requestCount(node);
      assert.equal(afterFirst - before0, 2, 'the first verification fetches the JWKS and the status list once');
      assert.equal(afterHundred, afterFirst, '99 more verifications reach netid zero times');
      assert.deepEqual(caches.fetches, { jwks: 1, lists: 1 });
    });

    it('two presentations to two verifiers share no signature, salt, holder key or status index', async () => {
      const wallet = new HolderWallet(clock);
      wallet.addBatch(credentials.slice(1, 3), keys.slice(1, 3));
      const a = await wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'nonce-for-verifier-a-123', audience: VERIFIER_A });
      const b = await wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'nonce-for-verifier-b-123', audience: VERIFIER_B });
      const [pa, pb] = [payloadOf(a), payloadOf(b)];
      assert.notEqual(a.split('~')[0]!.split('.')[2], b.split('~')[0]!.split('.')[2], 'issuer signatures differ');
      const salts = (p: string) => disclosuresOf(p).map((d) => JSON.parse(Buffer.from(d, 'base64url').toString())[0] as string);
      assert.equal(salts(a).filter((s) => salts(b).includes(s)).length, 0, 'no salt in common');
      assert.equal(pa._sd.filter((d: string) => pb._sd.includes(d)).length, 0, 'no digest in common');
      assert.notDeepEqual(pa.cnf.jwk, pb.cnf.jwk);
      assert.notEqual(pa.status.status_list.idx, pb.status.status_list.idx);
      const kbSig = (p: string) => p.slice(p.lastIndexOf('~') + 1).split('.')[2];
      assert.notEqual(kbSig(a), kbSig(b));
    });

    it('serves the status list as a signed JWT with caching headers, ETag and bits equal to the database', async () => {
      const response = await fetch(`${issuer}/status/v1/lists/0`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/statuslist+jwt');
      assert.match(response.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
      const etag = response.headers.get('etag');
      assert.ok(etag);
      const again = await fetch(`${issuer}/status/v1/lists/0`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      const token = await response.text();
      const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      assert.equal(header.typ, 'statuslist+jwt');
      assert.equal(payload.sub, `${issuer}/status/v1/lists/0`);
      assert.equal(payload.ttl, 900);
      const list = await node.services.database.db.selectFrom('status_lists').selectAll().where('list_id', '=', 0).executeTakeFirstOrThrow();
      const bytes = decodeStatusListBytes(payload.status_list.lst);
      assert.equal(bytes.length, Math.ceil(list.size / 8));
      assert.equal((await fetch(`${issuer}/status/v1/lists/7`)).status, 404);
      assert.equal((await fetch(`${issuer}/status/v1/lists/x`)).status, 400);
    });

    it('revokes a device’s credentials on device removal, then all of a person’s on deactivation; verifiers see it after the ttl', async () => {
      // A second person whose batch is bound to a registered device.
      const other = await enrolPerson(node, { ...(await import('./service-fixture.ts')).ADULT, document_number: '310104198511200224', name: '李娜', sex: 'F', birth_date: '1985-11-20' });
      const deviceId = crypto.randomUUID();
      await node.services.passkeys.devices.add({ personId: other.personId, deviceId, credentialId: `cred-${deviceId}`, publicKey: new Uint8Array(65), counter: 0, transports: [], now: clock() });
      const otherDevice = crypto.randomUUID();
      await node.services.passkeys.devices.add({ personId: other.personId, deviceId: otherDevice, credentialId: `cred-${otherDevice}`, publicKey: new Uint8Array(65), counter: 0, transports: [], now: clock() });
      const deviceKeys = generateDeviceKeys(2);
      const bound = await issue({ holder_keys: deviceKeys.map((k) => k.publicJwk), device_id: deviceId }, other.token);
      assert.equal(bound.status, 201, await bound.clone().text());
      const boundCredentials = ((await bound.json()) as { credentials: string[] }).credentials;
      assert.equal(((await (await issue({ holder_keys: [generateDeviceKeys(1)[0]!.publicJwk], device_id: crypto.randomUUID() }, other.token)).json()) as { error: string }).error, 'credential.unknown_device');

      const caches = verifierCaches();
      const check = async (credential: string, key: DeviceKey) => {
        const presentation = await present({ credential, holderPrivateKey: key.privateKey, disclose: ['verified'], nonce: 'revocation-check-nonce-1', audience: VERIFIER_A, clock });
        return verifyPresentation(presentation, { ...caches, expectedNonce: 'revocation-check-nonce-1', expectedAudience: VERIFIER_A, now: clock() });
      };
      assert.equal((await check(boundCredentials[0]!, deviceKeys[0]!)).ok, true);
      assert.equal((await check(credentials[0]!, keys[0]!)).ok, true);

      await node.services.passkeys.removeDevice(other.personId, deviceId);
      const revokedRows = await node.services.database.db.selectFrom('status_entries').select(['idx', 'reason']).where('person_id', '=', other.personId).where('revoked_at', 'is not', null).execute();
      assert.equal(revokedRows.length, 2);
      assert.ok(revokedRows.every((r) => r.reason === 'device_removed'));
      assert.ok((await node.services.activity.listVisible(other.personId, clock())).some((a) => a.type === 'credential_revoked' && a.details.reason === 'device_removed' && a.details.count === 2));

      // The issuer serves the new bits at once; a verifier's cached list is used until its ttl.
      const served = await (await fetch(`${issuer}/status/v1/lists/0`)).text();
      const bits = decodeStatusListBytes(JSON.parse(Buffer.from(served.split('.')[1]!, 'base64url').toString()).status_list.lst);
      const revokedInDb = new Set((await node.services.database.db.selectFrom('status_entries').select(['idx']).where('list_id', '=', 0).where('revoked_at', 'is not', null).execute()).map((r) => r.idx));
      const size = (await node.services.database.db.selectFrom('status_lists').select(['size']).where('list_id', '=', 0).executeTakeFirstOrThrow()).size;
      for (let i = 0; i < size; i++) if (statusAt(bits, 1, i) !== (revokedInDb.has(i) ? 1 : 0)) assert.fail(`bit ${i} differs from the database`);
      assert.equal(revokedInDb.size, 2);
      assert.equal((await check(boundCredentials[1]!, deviceKeys[1]!)).ok, true, 'still the cached list');

      clock.advance(901);
      const afterTtl = await check(boundCredentials[1]!, deviceKeys[1]!);
      assert.equal(afterTtl.ok, false);
      assert.ok(!afterTtl.ok && afterTtl.error.code === 'vp.revoked');
      assert.equal((await check(credentials[0]!, keys[0]!)).ok, true, "the first person's credentials are untouched");

      // Deactivation of the first person revokes every credential they hold.
      await deactivatePerson(node.services.deactivation, person.personId);
      const personRows = await node.services.database.db.selectFrom('status_entries').select(['reason']).where('person_id', '=', person.personId).execute();
      assert.equal(personRows.length, 6);
      assert.ok(personRows.every((r) => r.reason === 'person_deactivated'));
      clock.advance(901);
      const deactivated = await check(credentials[0]!, keys[0]!);
      assert.ok(!deactivated.ok && deactivated.error.code === 'vp.revoked');
      // A deactivated person's session no longer gets certificates.
      assert.equal((await issue({ holder_keys: [generateDeviceKeys(1)[0]!.publicJwk] })).status, 401);
    });

    it('binds a batch to the device the session was opened with, so removing that passkey revokes it', async () => {
      const holder = await enrolPerson(node, { ...(await import('./service-fixture.ts')).ADULT, document_number: '110105198207150049', name: '王芳', sex: 'F', birth_date: '1982-07-15' });
      const [signedInWith, spare, kept] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      for (const deviceId of [signedInWith, spare, kept]) await node.services.passkeys.devices.add({ personId: holder.personId, deviceId, credentialId: `cred-${deviceId}`, publicKey: new Uint8Array(65), counter: 0, transports: [], now: clock() });
      // A browser wallet cannot name its passkey; the session opened with it can.
      const { token } = await node.services.personSessions.create(holder.personId, ['passkey', 'uv'], signedInWith);
      const issued = await issue({ holder_keys: generateDeviceKeys(3).map((k) => k.publicJwk) }, token);
      assert.equal(issued.status, 201, await issued.clone().text());
      await node.services.passkeys.removeDevice(holder.personId, spare);
      const revokedAfterSpare = await node.services.database.db.selectFrom('status_entries').select(['idx']).where('person_id', '=', holder.personId).where('revoked_at', 'is not', null).execute();
      assert.equal(revokedAfterSpare.length, 0, 'another device leaving changes nothing');
      await node.services.passkeys.removeDevice(holder.personId, signedInWith);
      const revoked = await node.services.database.db.selectFrom('status_entries').select(['reason']).where('person_id', '=', holder.personId).where('revoked_at', 'is not', null).execute();
      assert.equal(revoked.length, 3);
      assert.ok(revoked.every((r) => r.reason === 'device_removed'));
    });
  });
}
