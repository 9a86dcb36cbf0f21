/**
 * The key-store interface. Everything in netid that signs (web certificates, status lists,
 * transparency-log checkpoints, ID tokens) asks a KeyStore for a SigningKey and calls sign():
 * the private key never has to leave the store, so a PKCS#11 HSM can implement this interface
 * (see docs/adr/0003-key-store.md).
 */
import type { JWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface SigningKey {
  /** Key id, published in the JWKS and carried in every JWS header. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Public key as a JWK (with kid, alg, use). */
  readonly publicJwk: JWK;
  /** Raw JOSE signature over data: r||s for ES256 (64 bytes), 64 bytes for Ed25519. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export interface KeyStore {
  /** The key new signatures use for this algorithm. */
  activeKey(alg: SigningAlgorithm): Promise<SigningKey>;
  /** Every public key that verifiers should accept: active and not yet retired. */
  publicJwks(): Promise<{ keys: JWK[] }>;
  /** The transparency log's own EdDSA key: apart from the rotated token keys, never in the JWKS. */
  logKey(): Promise<SigningKey>;
}

const encoder = new TextEncoder();

/** Compact JWS signed through the key store (the store never hands out the private key). */
export async function signCompactJws(key: SigningKey, header: Record<string, unknown>, payload: Record<string, unknown> | Uint8Array): Promise<string> {
  const protectedHeader = { ...header, alg: key.alg, kid: key.kid };
  const payloadBytes = payload instanceof Uint8Array ? payload : encoder.encode(JSON.stringify(payload));
  const signingInput = `${Buffer.from(JSON.stringify(protectedHeader)).toString('base64url')}.${Buffer.from(payloadBytes).toString('base64url')}`;
  const signature = await key.sign(encoder.encode(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}
