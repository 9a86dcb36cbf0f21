/**
 * Interoperability with software we did not write: the OpenWallet Foundation SD-JWT VC verifier
 * accepts netid presentations (key binding required), and netid's verifier passes the SD-JWT
 * specification's own examples (RFC 9901), signed with the example issuer key of Appendix A.5.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtInstance } from '@sd-jwt/core';
import { es256Verifier, openWalletVerifier, world } from './fixture.ts';
import { sha256B64url } from '../../src/credentials/encoding.ts';
import { processDisclosures, verifyPresentation } from '../../src/credentials/verifier/index.ts';
import { parseJws, verifyJwsSignature } from '../../src/credentials/verifier/jws.ts';

const vectors = JSON.parse(readFileSync(new URL('../vectors/sd-jwt/rfc9901.json', import.meta.url), 'utf8'));

describe('the OpenWallet Foundation verifier accepts netid presentations', () => {
  it('SDJwtVcInstance.verify with key binding and status list', async () => {
    const w = await world();
    const vp = await w.wallet.present({ disclose: ['age_over_18', 'web_number'], nonce: 'owf-nonce', audience: 'https://rp.example' });
    const owf = await openWalletVerifier(w.keyStore, w.serveStatusList);
    const result = await owf.verify(vp, { keyBindingNonce: 'owf-nonce', currentDate: Math.floor(w.clock().getTime() / 1000) });
    assert.equal(result.kb?.payload.aud, 'https://rp.example');
    const claims = result.payload as unknown as Record<string, unknown>;
    assert.equal(claims.age_over_18, true);
    assert.equal(claims.web_number, 'K7M2Q9X4TB');
    assert.equal(claims.name, undefined);
    // And it rejects the same presentation once revoked.
    const { idx, uri } = result.payload.status!.status_list;
    w.allocator.revoke({ listId: Number(uri.split('/').pop()), index: idx });
    await assert.rejects(owf.verify(vp, { keyBindingNonce: 'owf-nonce', currentDate: Math.floor(w.clock().getTime() / 1000) }));
  });
});

describe('RFC 9901 vectors', () => {
  it('decodes the Section 4.2.1/4.2.2 disclosures (all encodings of the Möbius example) to their arrays', () => {
    for (const e of vectors.disclosureEncodings) {
      for (const d of e.disclosures) assert.deepEqual(JSON.parse(Buffer.from(d, 'base64url').toString('utf8')), e.array);
    }
    assert.equal(Buffer.from(JSON.stringify(vectors.disclosureEncodings[0].array)).toString('base64url'), vectors.disclosureEncodings[0].disclosures[2], 'compact JSON gives the no-whitespace form');
  });

  it('hashes disclosures to the Section 4.2.3 digests', () => {
    for (const { disclosure, digest: expected } of vectors.digests) assert.equal(sha256B64url(disclosure), expected);
  });

  it('Section 5.1: issuer signature (Appendix A.5 key) and all ten disclosures check out', () => {
    const [jwt, ...rest] = vectors.section5_1.sdJwt.split('~');
    const parsed = parseJws(jwt);
    assert.equal(verifyJwsSignature(parsed, vectors.issuerPublicJwk), true);
    const outcome = processDisclosures(parsed.payload, rest.filter((d: string) => d.length > 0));
    assert.ok(outcome.ok, JSON.stringify(outcome));
    for (const [k, v] of Object.entries(vectors.section5_1.expectedClaims)) assert.deepEqual(outcome.claims[k], v, k);
  });

  it('Section 5.1 with a forged and an orphan disclosure is rejected', () => {
    const [jwt, ...rest] = vectors.section5_1.sdJwt.split('~');
    const parsed = parseJws(jwt);
    const forged = Buffer.from(JSON.stringify(['2GLC42sKQveCfGfryNRN9w', 'given_name', 'Mallory'])).toString('base64url');
    const f = processDisclosures(parsed.payload, [forged]);
    assert.equal(f.ok ? 'ok' : f.code, 'vp.disclosure_tampered');
    const dup = processDisclosures(parsed.payload, [rest[0], rest[0]]);
    assert.equal(dup.ok ? 'ok' : dup.code, 'vp.disclosure_unreferenced');
  });

  it('Appendix A.3: netid verifyPresentation accepts the SD-JWT VC presentation with key binding', async () => {
    const a3 = vectors.appendixA3;
    const result = await verifyPresentation(a3.presentation, {
      issuerKeys: { keys: [vectors.issuerPublicJwk] },
      expectedNonce: a3.nonce,
      expectedAudience: a3.audience,
      expectedVct: a3.vct,
      now: new Date(a3.now),
    });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.issuer, a3.issuer);
    assert.deepEqual(result.claims, a3.expectedClaims);
    const wrongNonce = await verifyPresentation(a3.presentation, { issuerKeys: { keys: [vectors.issuerPublicJwk] }, expectedNonce: 'x', expectedAudience: a3.audience, now: new Date(a3.now) });
    assert.equal(wrongNonce.ok ? 'ok' : wrongNonce.error.code, 'vp.nonce_mismatch');
  });

  it('Appendix A.3: the recursive disclosure "18" is placed under its parent; alone it cannot be told from a forgery', () => {
    const parts = vectors.appendixA3.presentation.split('~');
    const parsed = parseJws(parts[0]);
    const disclosures = parts.slice(1, -1);
    const child = disclosures.find((d: string) => JSON.parse(Buffer.from(d, 'base64url').toString())[1] === '18');
    const parent = disclosures.find((d: string) => JSON.parse(Buffer.from(d, 'base64url').toString())[1] === 'age_equal_or_over');
    const both = processDisclosures(parsed.payload, [child, parent]);
    assert.ok(both.ok);
    assert.deepEqual(both.claims.age_equal_or_over, { '18': true });
    const alone = processDisclosures(parsed.payload, [child]);
    assert.equal(alone.ok ? 'ok' : alone.code, 'vp.disclosure_tampered');
    const repeated = processDisclosures(parsed.payload, [parent, child, parent]);
    assert.equal(repeated.ok ? 'ok' : repeated.code, 'vp.disclosure_unreferenced');
  });

  it('agrees with the OpenWallet Foundation library on the Section 5.1 claims', async () => {
    const lib = new SDJwtInstance({ hasher: digest, verifier: es256Verifier(vectors.issuerPublicJwk) });
    const theirs = (await lib.verify(vectors.section5_1.sdJwt, { currentDate: Date.parse(vectors.section5_1.now) / 1000 })).payload as Record<string, unknown>;
    const [jwt, ...rest] = vectors.section5_1.sdJwt.split('~');
    const ours = processDisclosures(parseJws(jwt).payload, rest.filter((d: string) => d.length > 0));
    assert.ok(ours.ok);
    assert.deepEqual(ours.claims, theirs);
  });
});
