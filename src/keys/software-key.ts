/**
 * A SigningKey held in process memory as a Node KeyObject. Used by the database key store (after
 * decrypting the stored private key) and by the ephemeral key store.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlgorithm, SigningKey } from './key-store.ts';

export function generatePrivateKey(alg: SigningAlgorithm): KeyObject {
  return alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : generateKeyPairSync('ed25519').privateKey;
}

export function softwareSigningKey(kid: string, alg: SigningAlgorithm, privateKey: KeyObject): SigningKey {
  const publicJwk = { ...(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk,
    async sign(data) {
      // ES256 signatures in JOSE are r||s (IEEE P1363), not DER.
      return alg === 'ES256' ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, data, privateKey);
    },
  };
}

export function privateKeyFromJwk(jwk: JWK): KeyObject {
  return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}
