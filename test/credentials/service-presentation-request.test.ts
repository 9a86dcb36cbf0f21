/**
 * The verifier's presentation request (QR or redirect) and the person's dynamic QR that changes
 * every 30 seconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPresentationRequest, DYNAMIC_QR_AUDIENCE, dynamicQrPayload, parsePresentationRequest, presentationRequestQrText, qrSvg, verifyDynamicQr,
} from '../../src/credentials/presentation-request.ts';
import { verifyPresentation } from '../../src/credentials/verifier/index.ts';
import { VCT, world } from './fixture.ts';

describe('presentation request', () => {
  it('round-trips through its QR text, with a fresh 128-bit nonce and an OpenID4VP DCQL query', () => {
    const request = createPresentationRequest({ clientId: 'https://shop.example', clientName: 'Shop', claims: ['age_over_18', 'verified'], vct: VCT });
    assert.match(request.nonce, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(request.aud, 'https://shop.example');
    assert.deepEqual(request.dcql_query.credentials[0].claims, [{ path: ['age_over_18'] }, { path: ['verified'] }]);
    assert.deepEqual(request.dcql_query.credentials[0].meta, { vct_values: [VCT] });
    const parsed = parsePresentationRequest(presentationRequestQrText(request));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, request);
    assert.notEqual(createPresentationRequest({ clientId: 'a', clientName: 'A', claims: ['verified'] }).nonce, createPresentationRequest({ clientId: 'a', clientName: 'A', claims: ['verified'] }).nonce);
  });

  it('rejects requests that are not JSON, ask for unknown or repeated claims, or carry a short nonce', () => {
    const good = createPresentationRequest({ clientId: 'https://shop.example', clientName: 'Shop', claims: ['verified'] });
    for (const bad of ['not json', JSON.stringify({ ...good, claims: ['password'] }), JSON.stringify({ ...good, claims: ['verified', 'verified'] }), JSON.stringify({ ...good, nonce: 'short' }), JSON.stringify({ ...good, claims: [] })]) {
      const parsed = parsePresentationRequest(bad);
      assert.equal(parsed.ok, false, bad);
      assert.ok(!parsed.ok && parsed.error.code === 'presentation_request.invalid');
    }
  });

  it('a holder answers a scanned request; the verifier checks nonce and audience from it', async () => {
    const w = await world();
    const request = createPresentationRequest({ clientId: 'https://shop.example', clientName: 'Shop', claims: ['age_over_18'] });
    const { text } = await dynamicQrPayload(w.wallet, request, w.clock);
    const result = await verifyPresentation(text, { issuerKeys: w.jwksCache, statusLists: w.statusLists, expectedNonce: request.nonce, expectedAudience: request.aud, now: w.clock() });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.claims, { age_over_18: true });
  });
});

describe('dynamic QR', () => {
  it('changes every 30 seconds, its key binding falls in the current window, and it expires after the next one', async () => {
    const w = await world({ start: '2025-06-01T10:30:07Z' });
    const first = await dynamicQrPayload(w.wallet, null, w.clock);
    assert.equal(first.windowStart.toISOString(), '2025-06-01T10:30:00.000Z');
    assert.equal(first.refreshAt.toISOString(), '2025-06-01T10:30:30.000Z');
    const kb = JSON.parse(Buffer.from(first.text.slice(first.text.lastIndexOf('~') + 1).split('.')[1]!, 'base64url').toString());
    assert.ok(kb.iat * 1000 >= first.windowStart.getTime() && kb.iat * 1000 < first.refreshAt.getTime());
    assert.equal(kb.aud, DYNAMIC_QR_AUDIENCE);
    const options = { issuerKeys: w.jwksCache, statusLists: w.statusLists };
    assert.equal((await verifyDynamicQr(first.text, { ...options, now: w.clock() })).ok, true);
    w.clock.advance(30);
    const second = await dynamicQrPayload(w.wallet, null, w.clock);
    assert.notEqual(second.text, first.text);
    assert.equal((await verifyDynamicQr(first.text, { ...options, now: w.clock() })).ok, true, 'the previous window is still accepted');
    w.clock.advance(30);
    const stale = await verifyDynamicQr(first.text, { ...options, now: w.clock() });
    assert.ok(!stale.ok && stale.error.code === 'vp.nonce_mismatch', 'two windows later the old QR is refused');
    assert.equal((await verifyDynamicQr(second.text, { ...options, now: w.clock() })).ok, true);
  });

  it('renders as an SVG QR code', async () => {
    const w = await world();
    const { text } = await dynamicQrPayload(w.wallet, null, w.clock);
    const svg = await qrSvg(text);
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<path/);
  });
});
