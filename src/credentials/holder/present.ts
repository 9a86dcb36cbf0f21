/**
 * Makes a presentation: the issuer-signed JWT, only the disclosures the person chose, and a Key
 * Binding JWT (`typ: kb+jwt`) signed with the device key over `nonce`, `aud`, `iat` and `sd_hash`.
 */
import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { Clock } from '../deps.ts';
import { CredentialError } from '../errors.ts';

export interface PresentInput {
  readonly credential: string;
  /** The device private key matching the credential's `cnf.jwk` (P-256). */
  readonly holderPrivateKey: KeyObject | JsonWebKey;
  /** Top-level claim names to disclose. */
  readonly disclose: readonly string[];
  readonly nonce: string;
  readonly audience: string;
  readonly clock: Clock;
}

function toKeyObject(key: KeyObject | JsonWebKey): KeyObject {
  return 'asymmetricKeyType' in key ? (key as KeyObject) : createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
}

export async function present(input: PresentInput): Promise<string> {
  const privateKey = toKeyObject(input.holderPrivateKey);
  const instance = new SDJwtVcInstance({
    hasher: digest,
    kbSignAlg: 'ES256',
    kbSigner: (data: string) => sign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
  });
  const available = new Set(await instance.presentableKeys(input.credential));
  const frame: Record<string, boolean> = {};
  for (const name of input.disclose) {
    if (!available.has(name)) throw CredentialError('credential.claim_not_in_credential', { claim: name });
    frame[name] = true;
  }
  return instance.present(input.credential, frame, {
    kb: { payload: { iat: Math.floor(input.clock().getTime() / 1000), aud: input.audience, nonce: input.nonce } },
  });
}
