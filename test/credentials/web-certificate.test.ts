/**
 * The "Web certificate" issue's Must-show list: issue → present two of six claims → verify
 * offline; each attack fails with its own code; status lists and JWKS are fetched once, not per
 * presentation; two presentations share nothing linkable.
 */
import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { ISSUER, SUBJECT, VCT, decodeDisclosure, decodePayload, world } from './fixture.ts';
import { present } from '../../src/credentials/holder/index.ts';
import { issuerMetadata, typeMetadata } from '../../src/credentials/issue/index.ts';
import { verifyPresentation, type VerifyOptions } from '../../src/credentials/verifier/index.ts';

const VERIFIER_A = 'https://shop.example';
const VERIFIER_B = 'https://bank.example';

function optionsFor(w: Awaited<ReturnType<typeof world>>, nonce: string, audience = VERIFIER_A): VerifyOptions {
  return { issuerKeys: w.jwksCache, statusLists: w.statusLists, expectedNonce: nonce, expectedAudience: audience, expectedVct: VCT, now: w.clock() };
}

/** Re-signs a presentation's key binding JWT as a dishonest holder would (valid KB over altered parts). */
function rebind(parts: string[], privateKey: import('node:crypto').KeyObject, nonce: string, aud: string, iat: number): string {
  const body = `${parts.join('~')}~`;
  const header = Buffer.from(JSON.stringify({ typ: 'kb+jwt', alg: 'ES256' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ iat, aud, nonce, sd_hash: createHash('sha256').update(body).digest('base64url') })).toString('base64url');
  const sig = sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${body}${header}.${payload}.${sig}`;
}

describe('issuance', () => {
  it('issues one SD-JWT VC per device key with every claim selectively disclosable', async () => {
    const w = await world();
    assert.equal(w.credentials.length, 6);
    const payload = decodePayload(w.credentials[0]!);
    const header = JSON.parse(Buffer.from(w.credentials[0]!.split('.')[0]!, 'base64url').toString('utf8'));
    assert.equal(header.typ, 'dc+sd-jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, (await w.keyStore.activeKey('ES256')).kid);
    assert.equal(payload.vct, 'https://netid.example/vct/web-certificate/v1');
    assert.equal(payload.iss, ISSUER);
    for (const claim of ['web_number', 'verified', 'age_over_18', 'name', 'document_number']) assert.equal(payload[claim], undefined, `${claim} must only be a digest`);
    assert.equal((payload._sd as string[]).length, 13);
    // iat/nbf coarsened to the UTC day; exp = iat + 7 days.
    assert.equal(payload.iat, Date.parse('2025-06-01T00:00:00Z') / 1000);
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, (payload.iat as number) + 7 * 86_400);
    assert.deepEqual((payload.cnf as { jwk: unknown }).jwk, { kty: 'EC', crv: 'P-256', x: w.deviceKeys[0]!.publicJwk.x, y: w.deviceKeys[0]!.publicJwk.y });
    const status = (payload.status as { status_list: { idx: number; uri: string } }).status_list;
    assert.equal(status.uri, 'https://netid.example/status/v1/lists/0');
    const claims = Object.fromEntries(w.credentials[0]!.split('~').slice(1, -1).map(decodeDisclosure).map((d) => [d[1], d[2]]));
    // Born 2006-03-15, issued 2025-06-01: 19 years old.
    assert.deepEqual(
      { a14: claims.age_over_14, a16: claims.age_over_16, a18: claims.age_over_18, a60: claims.age_over_60 },
      { a14: true, a16: true, a18: true, a60: false },
    );
    assert.equal(claims.web_number, SUBJECT.webNumber);
    assert.equal(claims.region_group, 'mainland');
    assert.equal(claims.name, '张三');
  });

  it('computes age predicates on the issuance date (the day before the 18th birthday is not 18)', async () => {
    const w = await world({ start: '2024-03-14T12:00:00Z', batchSize: 1 });
    const claims = Object.fromEntries(w.credentials[0]!.split('~').slice(1, -1).map(decodeDisclosure).map((d) => [d[1], d[2]]));
    assert.equal(claims.age_over_18, false);
    assert.equal(claims.age_over_16, true);
  });

  it('publishes issuer metadata with the ES256 JWKS and type metadata in zh-CN and en', async () => {
    const w = await world({ batchSize: 1 });
    const meta = await issuerMetadata(w.keyStore, ISSUER);
    assert.equal(meta.issuer, ISSUER);
    assert.equal(meta.jwks.keys.length, 1);
    const type = typeMetadata(ISSUER) as { vct: string; claims: Array<{ path: string[]; display: Array<{ locale: string; label: string }> }> };
    assert.equal(type.vct, VCT);
    const age = type.claims.find((c) => c.path[0] === 'age_over_18')!;
    assert.deepEqual(age.display.map((d) => d.locale), ['zh-CN', 'en']);
    assert.equal(age.display[0]!.label, '已满18周岁');
  });
});

describe('present two of six claims and verify offline', () => {
  it('verifies, returning only the two disclosed claims, the vct, issuer and holder key', async () => {
    const w = await world();
    const vp = await w.wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'n-1', audience: VERIFIER_A });
    assert.equal(vp.split('~').length, 4, 'JWT, two disclosures, KB-JWT');
    const result = await verifyPresentation(vp, { ...optionsFor(w, 'n-1'), requiredClaims: ['age_over_18'] });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.claims, { age_over_18: true, region_group: 'mainland' });
    assert.equal(result.vct, VCT);
    assert.equal(result.issuer, ISSUER);
    assert.equal(result.holderKey.x, w.deviceKeys[0]!.publicJwk.x);
  });

  it('reports a required claim that was not disclosed', async () => {
    const w = await world();
    const vp = await w.wallet.present({ disclose: ['age_over_18'], nonce: 'n', audience: VERIFIER_A });
    const result = await verifyPresentation(vp, { ...optionsFor(w, 'n'), requiredClaims: ['web_number'] });
    assert.deepEqual(result.ok ? null : result.error.code, 'vp.claim_missing');
  });
});

describe('each attack fails with its own code', () => {
  async function setup() {
    const w = await world();
    const vp = await w.wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'n', audience: VERIFIER_A });
    const kbIat = Math.floor(w.clock().getTime() / 1000);
    return { w, vp, parts: vp.split('~').slice(0, -1), key: w.deviceKeys[0]!.privateKey, kbIat };
  }
  const code = (r: Awaited<ReturnType<typeof verifyPresentation>>) => (r.ok ? 'ok' : r.error.code);

  it('tampered disclosure (age_over_18 flipped, even with a fresh key binding) → vp.disclosure_tampered', async () => {
    const { w, parts, key, kbIat } = await setup();
    const i = parts.findIndex((p, n) => n > 0 && decodeDisclosure(p)[1] === 'age_over_18');
    const [salt, name] = decodeDisclosure(parts[i]!);
    const forged = [...parts];
    forged[i] = Buffer.from(JSON.stringify([salt, name, false])).toString('base64url');
    assert.equal(code(await verifyPresentation(rebind(forged, key, 'n', VERIFIER_A, kbIat), optionsFor(w, 'n'))), 'vp.disclosure_tampered');
  });

  it('disclosure from another credential of the batch → vp.disclosure_tampered', async () => {
    const { w, parts, key, kbIat } = await setup();
    const other = w.credentials[1]!.split('~').slice(1, -1).find((d) => decodeDisclosure(d)[1] === 'web_number')!;
    assert.equal(code(await verifyPresentation(rebind([...parts, other], key, 'n', VERIFIER_A, kbIat), optionsFor(w, 'n'))), 'vp.disclosure_tampered');
  });

  it('extra, repeated disclosure (the library would accept it silently) → vp.disclosure_unreferenced', async () => {
    const { w, parts, key, kbIat } = await setup();
    assert.equal(code(await verifyPresentation(rebind([...parts, parts[1]!], key, 'n', VERIFIER_A, kbIat), optionsFor(w, 'n'))), 'vp.disclosure_unreferenced');
  });

  it('disclosure appended by a third party (key binding no longer covers it) → vp.sd_hash_mismatch', async () => {
    const { w, vp } = await setup();
    const extra = w.credentials[0]!.split('~').slice(1, -1).find((d) => decodeDisclosure(d)[1] === 'name')!;
    const segments = vp.split('~');
    const tampered = [...segments.slice(0, -1), extra, segments.at(-1)].join('~');
    assert.equal(code(await verifyPresentation(tampered, optionsFor(w, 'n'))), 'vp.sd_hash_mismatch');
  });

  it('wrong nonce → vp.nonce_mismatch; wrong audience → vp.audience_mismatch', async () => {
    const { w, vp } = await setup();
    assert.equal(code(await verifyPresentation(vp, optionsFor(w, 'other-nonce'))), 'vp.nonce_mismatch');
    assert.equal(code(await verifyPresentation(vp, optionsFor(w, 'n', VERIFIER_B))), 'vp.audience_mismatch');
  });

  it('no key binding → vp.key_binding_missing; KB signed by another key → vp.key_binding_invalid', async () => {
    const { w, vp, parts, kbIat } = await setup();
    assert.equal(code(await verifyPresentation(`${parts.join('~')}~`, optionsFor(w, 'n'))), 'vp.key_binding_missing');
    assert.equal(code(await verifyPresentation(rebind(parts, w.deviceKeys[1]!.privateKey, 'n', VERIFIER_A, kbIat), optionsFor(w, 'n'))), 'vp.key_binding_invalid');
    assert.equal(code(await verifyPresentation(vp.slice(0, -3) + (vp.endsWith('AAA') ? 'BBB' : 'AAA'), optionsFor(w, 'n'))), 'vp.key_binding_invalid');
  });

  it('issuer signature altered → vp.signature_invalid; unknown issuer → vp.unknown_key; garbage → vp.malformed', async () => {
    const { w, vp } = await setup();
    const [jwt, ...rest] = vp.split('~');
    const [h, p, s] = jwt!.split('.');
    const badSig = Buffer.from(s!, 'base64url');
    badSig[10]! ^= 1;
    assert.equal(code(await verifyPresentation([`${h}.${p}.${badSig.toString('base64url')}`, ...rest].join('~'), optionsFor(w, 'n'))), 'vp.signature_invalid');
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), issuerKeys: { keys: [] } })), 'vp.unknown_key');
    assert.equal(code(await verifyPresentation('not a presentation', optionsFor(w, 'n'))), 'vp.malformed');
  });

  it('expired credential (clock moved past exp) → vp.expired; before nbf → vp.not_yet_valid', async () => {
    const { w, vp } = await setup();
    const exp = decodePayload(vp).exp as number;
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), now: new Date((exp + 3600) * 1000), maxKeyBindingAgeSeconds: 30 * 86_400 })), 'vp.expired');
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), now: new Date('2025-05-30T00:00:00Z') })), 'vp.not_yet_valid');
  });

  it('wrong type → vp.wrong_type', async () => {
    const { w, vp } = await setup();
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), expectedVct: 'https://other.example/vct/driving-licence' })), 'vp.wrong_type');
  });

  it('revoked credential → vp.revoked once the cached list expires (ttl) and is refreshed', async () => {
    const { w, vp } = await setup();
    assert.equal(code(await verifyPresentation(vp, optionsFor(w, 'n'))), 'ok');
    const { idx, uri } = (decodePayload(vp).status as { status_list: { idx: number; uri: string } }).status_list;
    w.allocator.revoke({ listId: Number(uri.split('/').pop()), index: idx });
    w.clock.advance(60);
    assert.equal(code(await verifyPresentation(vp, optionsFor(w, 'n'))), 'ok', 'within ttl the cached list is used');
    w.clock.advance(600);
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), maxKeyBindingAgeSeconds: 3600 })), 'vp.revoked');
    assert.equal(w.fetches.statusList, 2);
  });

  it('status list unobtainable → vp.status_unavailable', async () => {
    const { w, vp } = await setup();
    const { StatusListCache } = await import('../../src/credentials/verifier/index.ts');
    const failing = new StatusListCache({ fetch: async () => { throw new Error('offline'); }, issuerKeys: w.jwksCache });
    assert.equal(code(await verifyPresentation(vp, { ...optionsFor(w, 'n'), statusLists: failing })), 'vp.status_unavailable');
  });
});

describe('no call to netid per presentation', () => {
  it('100 verifications of 100 different presentations fetch the JWKS and the status list once', async () => {
    const w = await world({ batchSize: 100 });
    for (let i = 0; i < 100; i++) {
      const vp = await w.wallet.present({ disclose: ['age_over_18'], nonce: `n-${i}`, audience: VERIFIER_A });
      const result = await verifyPresentation(vp, optionsFor(w, `n-${i}`));
      assert.ok(result.ok, JSON.stringify(result));
    }
    assert.deepEqual(w.fetches, { jwks: 1, statusList: 1 });
  });

  it('concurrent verifications share one fetch', async () => {
    const w = await world({ batchSize: 20 });
    const vps = await Promise.all(Array.from({ length: 20 }, (_, i) => w.wallet.present({ disclose: ['verified'], nonce: `c${i}`, audience: VERIFIER_A })));
    const results = await Promise.all(vps.map((vp, i) => verifyPresentation(vp, optionsFor(w, `c${i}`))));
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(w.fetches, { jwks: 1, statusList: 1 });
  });
});

describe('unlinkability', () => {
  it('two presentations to two verifiers share no signature, salt, holder key or status index', async () => {
    const w = await world();
    const a = await w.wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'a', audience: VERIFIER_A });
    const b = await w.wallet.present({ disclose: ['age_over_18', 'region_group'], nonce: 'b', audience: VERIFIER_B });
    const ra = await verifyPresentation(a, optionsFor(w, 'a', VERIFIER_A));
    const rb = await verifyPresentation(b, optionsFor(w, 'b', VERIFIER_B));
    assert.ok(ra.ok && rb.ok);
    assert.deepEqual(ra.claims, rb.claims, 'same facts');
    const sig = (vp: string) => vp.split('~')[0]!.split('.')[2];
    const salts = (vp: string) => vp.split('~').slice(1, -1).map((d) => decodeDisclosure(d)[0]);
    const status = (vp: string) => (decodePayload(vp).status as { status_list: { idx: number } }).status_list.idx;
    const digests = (vp: string) => decodePayload(vp)._sd as string[];
    assert.notEqual(sig(a), sig(b));
    assert.equal(salts(a).filter((s) => salts(b).includes(s)).length, 0);
    assert.notDeepEqual(ra.holderKey, rb.holderKey);
    assert.notEqual(status(a), status(b));
    assert.equal(digests(a).filter((d) => digests(b).includes(d)).length, 0);
    assert.equal(decodePayload(a).iat, decodePayload(b).iat, 'coarsened times are identical within a day');
  });

  it('never presents the same credential twice; an exhausted batch refuses', async () => {
    const w = await world({ batchSize: 2 });
    await w.wallet.present({ disclose: ['verified'], nonce: '1', audience: VERIFIER_A });
    await w.wallet.present({ disclose: ['verified'], nonce: '2', audience: VERIFIER_A });
    assert.equal(w.wallet.remaining(), 0);
    await assert.rejects(w.wallet.present({ disclose: ['verified'], nonce: '3', audience: VERIFIER_A }), { code: 'credential.batch_exhausted' });
  });

  it('the holder refuses to disclose a claim the credential does not have', async () => {
    const w = await world({ batchSize: 1 });
    await assert.rejects(
      present({ credential: w.credentials[0]!, holderPrivateKey: w.deviceKeys[0]!.privateKey, disclose: ['favourite_colour'], nonce: 'n', audience: VERIFIER_A, clock: w.clock }),
      { code: 'credential.claim_not_in_credential' },
    );
  });
});
