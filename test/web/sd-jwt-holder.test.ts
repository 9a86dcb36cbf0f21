/**
 * The browser holder (src/web/client/sd-jwt-holder.js), run in Node with WebCrypto: a web
 * certificate issued by netid's issuer library to WebCrypto keys, presented by the browser code,
 * is accepted by netid's verifier and by the OpenWallet Foundation verifier; altered or re-bound
 * presentations are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { JWK } from 'jose';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import { issueWebCertificateBatch, issuerMetadata } from '../../src/credentials/issue/index.ts';
import { MemoryStatusAllocator, signStatusListToken } from '../../src/credentials/status/index.ts';
import { JwksCache, StatusListCache, verifyPresentation } from '../../src/credentials/verifier/index.ts';
import * as server from '../../src/credentials/presentation-request.ts';
import * as holder from '../../src/web/client/sd-jwt-holder.js';
import { ISSUER, SUBJECT, VCT, decodeDisclosure, manualClock, openWalletVerifier } from '../credentials/fixture.ts';

/** An issuer, its status lists and a verifier's caches; a batch issued to WebCrypto keys. */
async function browserWorld(count = 3) {
  const clock = manualClock('2025-06-01T10:30:00Z');
  const keyStore = new EphemeralKeyStore();
  const allocator = new MemoryStatusAllocator({ random: randomBytes, listSize: 4096 });
  const keys = await holder.generateHolderKeys(count);
  const credentials = await issueWebCertificateBatch({
    keyStore, clock, random: randomBytes, statusAllocator: allocator, issuer: ISSUER, subject: SUBJECT, holderKeys: keys.map((k) => k.publicJwk as JWK),
  });
  const serveStatusList = (uri: string) => signStatusListToken({ keyStore, clock, issuer: ISSUER, uri, bitset: allocator.revocations(Number(uri.split('/').pop())), ttlSeconds: 600 });
  const issuerKeys = new JwksCache({ trustedIssuers: [ISSUER], fetch: async () => issuerMetadata(keyStore, ISSUER) });
  const statusLists = new StatusListCache({ fetch: serveStatusList, issuerKeys });
  const verifyAt = (vp: string, nonce: string, audience: string) =>
    verifyPresentation(vp, { issuerKeys, statusLists, expectedNonce: nonce, expectedAudience: audience, expectedVct: VCT, now: clock() });
  return { clock, keyStore, keys, credentials, stored: holder.pairCredentials(credentials, keys), serveStatusList, verifyAt };
}

const codeOf = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

describe('the browser holder', () => {
  it('uses the server\'s dynamic-QR audience, window and nonce', () => {
    assert.equal(holder.DYNAMIC_QR_AUDIENCE, server.DYNAMIC_QR_AUDIENCE);
    assert.equal(holder.DYNAMIC_QR_WINDOW_SECONDS, server.DYNAMIC_QR_WINDOW_SECONDS);
    for (const iso of ['2025-06-01T10:30:00Z', '2025-06-01T10:30:29.999Z', '2025-06-01T10:30:30Z', '1970-01-01T00:00:00Z']) {
      assert.equal(holder.dynamicQrNonce(new Date(iso).getTime()), server.dynamicQrNonce(new Date(iso)), iso);
    }
    assert.equal(holder.nextWindowStart(new Date('2025-06-01T10:30:12Z').getTime()), new Date('2025-06-01T10:30:30Z').getTime());
  });

  it('encodes base64url as Node does', () => {
    for (const n of [0, 1, 2, 3, 31, 32, 33, 64]) {
      const bytes = randomBytes(n);
      assert.equal(holder.bytesToB64url(bytes), bytes.toString('base64url'));
      assert.deepEqual(Buffer.from(holder.b64urlToBytes(bytes.toString('base64url'))), bytes);
    }
  });

  it('keeps its private keys unexportable and pairs each credential with its key', async () => {
    const w = await browserWorld(2);
    await assert.rejects(crypto.subtle.exportKey('jwk', w.keys[0]!.privateKey));
    assert.equal(w.keys[0]!.privateKey.extractable, false);
    assert.equal(w.stored.length, 2);
    for (const [i, s] of w.stored.entries()) {
      assert.equal(s.webNumber, SUBJECT.webNumber);
      assert.equal(holder.jwkThumb(holder.decodeCredential(s.sdJwt).payload.cnf.jwk), holder.jwkThumb(w.keys[i]!.publicJwk));
    }
    const strangers = await holder.generateHolderKeys(1);
    assert.throws(() => holder.pairCredentials(w.credentials, strangers), /did not send/);
  });

  it('presents only the chosen claims, and netid\'s verifier accepts the presentation', async () => {
    const w = await browserWorld();
    const s = w.stored[0]!;
    const vp = await holder.presentCredential({ sdJwt: s.sdJwt, privateKey: s.privateKey, claims: ['verified', 'age_over_18'], nonce: 'n-0123456789abcdef', audience: 'https://shop.example', nowMs: w.clock().getTime() });
    const parts = vp.split('~');
    assert.equal(parts.length, 4, 'issuer JWT, two disclosures, KB-JWT');
    assert.deepEqual(parts.slice(1, 3).map((d) => decodeDisclosure(d)[1]), ['verified', 'age_over_18']);
    const result = await w.verifyAt(vp, 'n-0123456789abcdef', 'https://shop.example');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.claims.verified, true);
    assert.equal(result.claims.age_over_18, true);
    for (const hidden of ['web_number', 'name', 'birth_date', 'document_number']) assert.equal(result.claims[hidden], undefined, hidden);
    // Another verifier's nonce or audience is refused.
    assert.equal(codeOf(await w.verifyAt(vp, 'another-nonce', 'https://shop.example')), 'vp.nonce_mismatch');
    assert.equal(codeOf(await w.verifyAt(vp, 'n-0123456789abcdef', 'https://other.example')), 'vp.audience_mismatch');
  });

  it('makes dynamic QR presentations verifyDynamicQr accepts in this window and the next, not later', async () => {
    const w = await browserWorld();
    const s = w.stored[1]!;
    const vp = await holder.dynamicQrPresentation({ sdJwt: s.sdJwt, privateKey: s.privateKey, nowMs: w.clock().getTime() });
    const options = { issuerKeys: { keys: (await issuerMetadata(w.keyStore, ISSUER)).jwks.keys as JWK[] }, statusLists: new StatusListCache({ fetch: w.serveStatusList, issuerKeys: new JwksCache({ trustedIssuers: [ISSUER], fetch: async () => issuerMetadata(w.keyStore, ISSUER) }) }), expectedVct: VCT };
    const now = await server.verifyDynamicQr(vp, { ...options, now: w.clock() });
    assert.ok(now.ok, JSON.stringify(now));
    assert.deepEqual(Object.keys(now.claims).sort(), ['age_over_18', 'verified']);
    assert.ok((await server.verifyDynamicQr(vp, { ...options, now: new Date(w.clock().getTime() + 30_000) })).ok, 'the next window still accepts it');
    assert.equal(codeOf(await server.verifyDynamicQr(vp, { ...options, now: new Date(w.clock().getTime() + 60_000) })), 'vp.nonce_mismatch');
  });

  it('is accepted by the OpenWallet Foundation SD-JWT VC verifier', async () => {
    const w = await browserWorld();
    const s = w.stored[2]!;
    const vp = await holder.presentCredential({ sdJwt: s.sdJwt, privateKey: s.privateKey, claims: ['age_over_18', 'region_group'], nonce: 'owf-nonce', audience: 'https://rp.example', nowMs: w.clock().getTime() });
    const owf = await openWalletVerifier(w.keyStore, w.serveStatusList);
    const result = await owf.verify(vp, { keyBindingNonce: 'owf-nonce', currentDate: Math.floor(w.clock().getTime() / 1000) });
    const claims = result.payload as unknown as Record<string, unknown>;
    assert.equal(claims.age_over_18, true);
    assert.equal(claims.region_group, 'mainland');
    assert.equal(claims.web_number, undefined);
    assert.equal(result.kb?.payload.aud, 'https://rp.example');

    // The same library refuses it once a disclosure is altered.
    const [jwt, d1, d2, kb] = vp.split('~');
    const altered = Buffer.from(JSON.stringify([decodeDisclosure(d2!)[0], 'region_group', 'foreign'])).toString('base64url');
    await assert.rejects(owf.verify([jwt, d1, altered, kb].join('~'), { keyBindingNonce: 'owf-nonce', currentDate: Math.floor(w.clock().getTime() / 1000) }));
  });

  it('is refused when a disclosure is tampered with, added, or bound to another key', async () => {
    const w = await browserWorld();
    const s = w.stored[0]!;
    const nowMs = w.clock().getTime();
    const vp = await holder.presentCredential({ sdJwt: s.sdJwt, privateKey: s.privateKey, claims: ['verified', 'age_over_18'], nonce: 'nonce-1234567890', audience: 'aud', nowMs });
    const [jwt, verified, age, kb] = vp.split('~') as [string, string, string, string];

    // A false age claim in place of the issued one: its digest is not signed anywhere.
    const forgedAge = Buffer.from(JSON.stringify([decodeDisclosure(age)[0], 'age_over_18', false])).toString('base64url');
    assert.equal(codeOf(await w.verifyAt([jwt, verified, forgedAge, kb].join('~'), 'nonce-1234567890', 'aud')), 'vp.disclosure_tampered');

    // A genuine extra disclosure appended after the holder signed: the KB-JWT does not cover it.
    const webNumber = holder.decodeCredential(s.sdJwt).disclosures.find((d) => d.name === 'web_number')!.encoded;
    assert.equal(codeOf(await w.verifyAt([jwt, verified, age, webNumber, kb].join('~'), 'nonce-1234567890', 'aud')), 'vp.sd_hash_mismatch');

    // Another device's key cannot present this credential.
    const thief = await holder.presentCredential({ sdJwt: s.sdJwt, privateKey: w.keys[1]!.privateKey, claims: ['verified'], nonce: 'nonce-1234567890', audience: 'aud', nowMs });
    assert.equal(codeOf(await w.verifyAt(thief, 'nonce-1234567890', 'aud')), 'vp.key_binding_invalid');

    // The holder refuses a claim the credential does not carry, and a disclosure the issuer did not sign.
    await assert.rejects(holder.presentCredential({ sdJwt: s.sdJwt, privateKey: s.privateKey, claims: ['favourite_colour'], nonce: 'n', audience: 'a', nowMs }), /no claim favourite_colour/);
    const damaged = s.sdJwt.replace(age, forgedAge);
    await assert.rejects(holder.presentCredential({ sdJwt: damaged, privateKey: s.privateKey, claims: ['age_over_18'], nonce: 'n', audience: 'a', nowMs }), /not signed by the issuer/);
  });

  it('gives two presentations from one batch nothing in common but the facts disclosed', async () => {
    const w = await browserWorld(2);
    const nowMs = w.clock().getTime();
    const [a, b] = await Promise.all(w.stored.map((s) => holder.dynamicQrPresentation({ sdJwt: s.sdJwt, privateKey: s.privateKey, nowMs })));
    const [ja, ...ra] = a!.split('~');
    const [jb, ...rb] = b!.split('~');
    const pa = holder.decodeCredential(`${ja}~`).payload;
    const pb = holder.decodeCredential(`${jb}~`).payload;
    assert.notEqual(ja!.split('.')[2], jb!.split('.')[2], 'issuer signatures differ');
    assert.notDeepEqual(pa.cnf.jwk, pb.cnf.jwk, 'holder keys differ');
    assert.notEqual(pa.status.status_list.idx, pb.status.status_list.idx, 'status indexes differ');
    const salts = (rest: string[]) => rest.slice(0, -1).map((d) => decodeDisclosure(d)[0]);
    assert.equal(salts(ra).filter((x) => salts(rb).includes(x)).length, 0, 'no salt repeats');
  });
});
