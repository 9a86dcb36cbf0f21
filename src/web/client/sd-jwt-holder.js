// The browser holder's pure parts: reading an SD-JWT VC, choosing disclosures, and the Key Binding
// JWT of a presentation (RFC 9901 §4.3), signed with WebCrypto. No DOM, no storage: the same
// file runs in the page and in Node 24 (globalThis.crypto.subtle), where its tests run.
//
// Why hand-written: the @sd-jwt packages need a bundler to load in a browser and netid has none.
// What a presentation is (RFC 9901 §4):  <issuer JWT>~<disclosure>~…~<KB-JWT>
// and the KB-JWT's `sd_hash` is the base64url SHA-256 of everything before it, final ~ included.

/** The audience and window of a dynamic QR shown without a verifier's request; the server's
 * `DYNAMIC_QR_AUDIENCE` / `DYNAMIC_QR_WINDOW_SECONDS` (src/credentials/presentation-request.ts)
 * have the same values, which a test checks. */
export const DYNAMIC_QR_AUDIENCE = 'netid:dynamic-qr';
export const DYNAMIC_QR_WINDOW_SECONDS = 30;
/** The claims a dynamic QR discloses by default: the verification result and "18 or over". */
export const DEFAULT_QR_CLAIMS = Object.freeze(['verified', 'age_over_18']);

/** The nonce naming the 30-second window `ms` (milliseconds since the epoch) falls in: `t30-<n>`. */
export function dynamicQrNonce(ms) {
  return `t30-${Math.floor(ms / 1000 / DYNAMIC_QR_WINDOW_SECONDS)}`;
}

/** When the window after the one `ms` falls in starts (ms): the moment to show the next QR. */
export function nextWindowStart(ms) {
  const windowMs = DYNAMIC_QR_WINDOW_SECONDS * 1000;
  return (Math.floor(ms / windowMs) + 1) * windowMs;
}

// ---- base64url and UTF-8 (btoa/atob exist in browsers and in Node).

export function bytesToB64url(bytes) {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64urlToBytes(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
const jsonPart = (value) => bytesToB64url(utf8.encode(JSON.stringify(value)));
const readJsonPart = (part) => JSON.parse(fromUtf8.decode(b64urlToBytes(part)));

/** base64url(SHA-256(ASCII text)): disclosure digests and `sd_hash` (`_sd_alg` sha-256). */
export async function sha256B64url(text) {
  return bytesToB64url(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

/**
 * Reads an issued SD-JWT VC (`<jwt>~<d1>~…~<dn>~`): the issuer-signed payload and each disclosure
 * decoded to `{ encoded, salt, name, value }`. Only top-level object-property disclosures (the
 * web certificate has no others) are listed by name.
 */
export function decodeCredential(sdJwt) {
  const [jwt, ...rest] = String(sdJwt).split('~');
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new TypeError('not an SD-JWT: the issuer part is not a compact JWS');
  const payload = readJsonPart(parts[1]);
  const disclosures = rest.filter((d) => d.length > 0).map((encoded) => {
    const array = readJsonPart(encoded);
    if (!Array.isArray(array) || array.length !== 3 || typeof array[1] !== 'string') throw new TypeError('not an object-property disclosure');
    return { encoded, salt: array[0], name: array[1], value: array[2] };
  });
  return { jwt, payload, disclosures };
}

/**
 * The disclosures of `claims` (top-level names), in the order asked. Each one's digest must be in
 * the issuer-signed `_sd`, so a damaged credential is noticed here rather than by the verifier.
 */
export async function selectDisclosures(credential, claims) {
  const signed = new Set(credential.payload._sd ?? []);
  const chosen = [];
  for (const name of claims) {
    const disclosure = credential.disclosures.find((d) => d.name === name);
    if (!disclosure) throw new TypeError(`the credential has no claim ${name}`);
    if (!signed.has(await sha256B64url(disclosure.encoded))) throw new TypeError(`the disclosure of ${name} is not signed by the issuer`);
    chosen.push(disclosure.encoded);
  }
  return chosen;
}

/** A compact JWS signed with a WebCrypto ECDSA P-256 key (ES256). WebCrypto's ECDSA signature is
 * already the raw r||s JWS wants (RFC 7518 §3.4), unlike DER from most other APIs. */
export async function signEs256(header, payload, privateKey) {
  const signingInput = `${jsonPart(header)}.${jsonPart(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, utf8.encode(signingInput));
  return `${signingInput}.${bytesToB64url(signature)}`;
}

/**
 * A presentation of `sdJwt` disclosing only `claims`, bound to this device by a KB-JWT
 * (`typ: kb+jwt`, ES256, `iat`, `aud`, `nonce`, `sd_hash`) signed with `privateKey` — the
 * CryptoKey whose public half is the credential's `cnf.jwk`.
 */
export async function presentCredential({ sdJwt, privateKey, claims, nonce, audience, nowMs }) {
  const credential = decodeCredential(sdJwt);
  const disclosures = await selectDisclosures(credential, claims);
  const withoutKb = `${[credential.jwt, ...disclosures].join('~')}~`;
  const kb = await signEs256(
    { typ: 'kb+jwt', alg: 'ES256' },
    { iat: Math.floor(nowMs / 1000), aud: audience, nonce, sd_hash: await sha256B64url(withoutKb) },
    privateKey,
  );
  return withoutKb + kb;
}

/** The dynamic QR's text for the window `nowMs` falls in (no verifier request). */
export function dynamicQrPresentation({ sdJwt, privateKey, nowMs, claims = DEFAULT_QR_CLAIMS }) {
  return presentCredential({ sdJwt, privateKey, claims, nonce: dynamicQrNonce(nowMs), audience: DYNAMIC_QR_AUDIENCE, nowMs });
}

/** `count` P-256 key pairs; the private keys cannot be exported, only used to sign. */
export async function generateHolderKeys(count) {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    keys.push({ privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } });
  }
  return keys;
}

/** A key's identity for matching a credential's `cnf.jwk` to the key it was issued to. */
export function jwkThumb(jwk) {
  return `${jwk.crv}:${jwk.x}:${jwk.y}`;
}

/**
 * Pairs each issued credential with its device key through `cnf.jwk`; what the wallet stores.
 * Also reads the web number (to keep two people's credentials apart on a shared device) and `exp`.
 */
export function pairCredentials(credentials, keys) {
  const byThumb = new Map(keys.map((k) => [jwkThumb(k.publicJwk), k.privateKey]));
  return credentials.map((sdJwt) => {
    const { payload, disclosures } = decodeCredential(sdJwt);
    const privateKey = payload.cnf?.jwk ? byThumb.get(jwkThumb(payload.cnf.jwk)) : undefined;
    if (!privateKey) throw new TypeError('a credential is bound to a key this device did not send');
    const webNumber = disclosures.find((d) => d.name === 'web_number')?.value ?? null;
    return { sdJwt, privateKey, exp: Number(payload.exp), webNumber };
  });
}
