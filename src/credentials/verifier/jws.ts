/** Compact JWS parsing and signature checks with node:crypto (ES256 and EdDSA only). */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { decodeJsonPart, fromB64url } from '../encoding.ts';

export interface ParsedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Parses a compact JWS; throws TypeError if it is not one. */
export function parseJws(jws: string): ParsedJws {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new TypeError('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  return { header: decodeJsonPart(h), payload: decodeJsonPart(p), signingInput: `${h}.${p}`, signature: fromB64url(s) };
}

export const SUPPORTED_ALGS = new Set(['ES256', 'EdDSA']);

/** Whether `jwk` can check a signature made with `alg`. */
export function keyFitsAlg(jwk: JWK, alg: string): boolean {
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'EdDSA') return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  return false;
}

// Issuer keys repeat across presentations: keep their parsed KeyObjects (bounded).
const keyCache = new Map<string, KeyObject>();

function publicKeyOf(jwk: JWK): KeyObject {
  const id = `${jwk.kty}:${jwk.crv}:${jwk.x}:${jwk.y ?? ''}`;
  let key = keyCache.get(id);
  if (!key) {
    const { kty, crv, x, y } = jwk;
    key = createPublicKey({ key: { kty, crv, x, y } as import('node:crypto').JsonWebKey, format: 'jwk' });
    if (keyCache.size >= 64) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

export function verifyJwsSignature(jws: ParsedJws, jwk: JWK): boolean {
  const alg = jws.header.alg;
  if (typeof alg !== 'string' || !keyFitsAlg(jwk, alg)) return false;
  try {
    const key = publicKeyOf(jwk);
    const data = Buffer.from(jws.signingInput, 'ascii');
    return alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jws.signature) : verify(null, data, key, jws.signature);
  } catch {
    return false;
  }
}
