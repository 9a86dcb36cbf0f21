/** A small world for the credential tests: an issuer with real keys, status lists, a holder. */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { JWK } from 'jose';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import { generateDeviceKeys, HolderWallet, type DeviceKey } from '../../src/credentials/holder/index.ts';
import { issueWebCertificateBatch, issuerMetadata, type WebCertificateSubject } from '../../src/credentials/issue/index.ts';
import { MemoryStatusAllocator, StatusBitset, signStatusListToken } from '../../src/credentials/status/index.ts';
import { JwksCache, StatusListCache } from '../../src/credentials/verifier/index.ts';
import { webCertificateVct } from '../../src/credentials/claims.ts';

export const ISSUER = 'https://netid.example';
export const VCT = webCertificateVct(ISSUER);

export const SUBJECT: WebCertificateSubject = {
  webNumber: 'K7M2Q9X4TB',
  verified: true,
  birthDate: '2006-03-15',
  regionGroup: 'mainland',
  plaintext: { name: '张三', birth_date: '2006-03-15', sex: 'male', document_type: 'resident_identity_card', document_number: '11010520060315123X', nationality: 'CHN' },
};

/** A clock the test moves by hand. */
export function manualClock(start: string) {
  let t = new Date(start).getTime();
  const clock = () => new Date(t);
  return Object.assign(clock, { advance: (seconds: number) => void (t += seconds * 1000), set: (iso: string) => void (t = new Date(iso).getTime()) });
}

export async function world(options: { batchSize?: number; listSize?: number; start?: string } = {}) {
  const clock = manualClock(options.start ?? '2025-06-01T10:30:00Z');
  const keyStore = new EphemeralKeyStore();
  const allocator = new MemoryStatusAllocator({ random: randomBytes, listSize: options.listSize ?? 4096 });
  const deviceKeys: DeviceKey[] = generateDeviceKeys(options.batchSize ?? 6);
  const credentials = await issueWebCertificateBatch({
    keyStore, clock, random: randomBytes, statusAllocator: allocator, issuer: ISSUER, subject: SUBJECT, holderKeys: deviceKeys.map((k) => k.publicJwk),
  });
  const wallet = new HolderWallet(clock);
  wallet.addBatch(credentials, deviceKeys);

  // What netid serves: issuer metadata and status-list tokens built from the current revocations.
  const fetches = { jwks: 0, statusList: 0 };
  const serveStatusList = async (uri: string) => {
    fetches.statusList++;
    const listId = Number(new URL(uri).pathname.split('/').pop());
    return signStatusListToken({ keyStore, clock, issuer: ISSUER, uri, bitset: allocator.revocations(listId), ttlSeconds: 600 });
  };
  const jwksCache = new JwksCache({
    trustedIssuers: [ISSUER],
    fetch: async (url) => {
      fetches.jwks++;
      if (url !== `${ISSUER}/.well-known/jwt-vc-issuer`) throw new Error(`unexpected url ${url}`);
      return issuerMetadata(keyStore, ISSUER);
    },
  });
  const statusLists = new StatusListCache({ fetch: serveStatusList, issuerKeys: jwksCache });
  return { clock, keyStore, allocator, deviceKeys, credentials, wallet, fetches, jwksCache, statusLists, serveStatusList, StatusBitset };
}

export function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8'));
}

export function decodeDisclosure(d: string): unknown[] {
  return JSON.parse(Buffer.from(d, 'base64url').toString('utf8'));
}

/** An ES256 JWS verifier over a JWK, as the OpenWallet Foundation packages take it (raw r||s signatures). */
export function es256Verifier(jwk: JWK): (data: string, sig: string) => boolean {
  const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  return (data, sig) => verify('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

/** The OpenWallet Foundation SD-JWT VC verifier, trusting this issuer's keys, checking key binding and status. */
export async function openWalletVerifier(keyStore: EphemeralKeyStore, serveStatusList: (uri: string) => Promise<string>, issuer = ISSUER): Promise<SDJwtVcInstance> {
  const meta = await issuerMetadata(keyStore, issuer);
  return new SDJwtVcInstance({
    hasher: digest,
    verifier: es256Verifier(meta.jwks.keys[0] as JWK),
    kbVerifier: (data, sig, payload) => es256Verifier((payload.cnf as { jwk: JWK }).jwk)(data, sig),
    statusListFetcher: serveStatusList,
  });
}
