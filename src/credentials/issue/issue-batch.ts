/**
 * Issues a batch of web certificates (SD-JWT VC, `typ: dc+sd-jwt`) for one person: one credential
 * per device key, each with its own salts, holder key (`cnf.jwk`) and status-list index, so two
 * presentations of two credentials of a batch share nothing a verifier could link.
 * Every claim is selectively disclosable. `iat`/`nbf` are rounded down to the UTC day so the
 * issuance time does not single a person out; `exp` = iat + validityDays.
 */
import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { JWK } from 'jose';
import type { KeyStore } from '../../keys/key-store.ts';
import { AGE_THRESHOLDS, REGION_GROUPS, WEB_CERTIFICATE_CLAIMS, ageOn, statusListUri, webCertificateVct, type RegionGroup } from '../claims.ts';
import type { Clock, RandomBytes } from '../deps.ts';
import { b64url } from '../encoding.ts';
import { CredentialError } from '../errors.ts';
import type { StatusAllocator } from '../status/allocator.ts';

const DAY_SECONDS = 86_400;
const encoder = new TextEncoder();

export interface WebCertificateSubject {
  readonly webNumber: string;
  readonly verified: boolean;
  /** YYYY-MM-DD; used to compute the age predicates at issuance. */
  readonly birthDate: string;
  readonly regionGroup: RegionGroup;
  readonly plaintext: {
    readonly name: string;
    readonly birth_date: string;
    readonly sex: string;
    readonly document_type: string;
    readonly document_number: string;
    readonly nationality: string;
  };
}

export interface IssueWebCertificateBatchInput {
  readonly keyStore: KeyStore;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly statusAllocator: StatusAllocator;
  /** Issuer identifier (https URL, no trailing slash), the `iss` claim. */
  readonly issuer: string;
  readonly subject: WebCertificateSubject;
  /** One device public key per credential (P-256 public JWKs). */
  readonly holderKeys: readonly JWK[];
  readonly validityDays?: number;
}

/** The time claims of a credential issued at `now`: iat = nbf = start of the UTC day. */
export function coarsenedTimes(now: Date, validityDays: number): { iat: number; nbf: number; exp: number } {
  const seconds = Math.floor(now.getTime() / 1000);
  const iat = seconds - (seconds % DAY_SECONDS);
  return { iat, nbf: iat, exp: iat + validityDays * DAY_SECONDS };
}

export function webCertificateClaims(subject: WebCertificateSubject, now: Date): Record<string, unknown> {
  if (!REGION_GROUPS.includes(subject.regionGroup)) throw CredentialError('credential.invalid_subject', { field: 'regionGroup' });
  if (typeof subject.webNumber !== 'string' || subject.webNumber.length === 0) throw CredentialError('credential.invalid_subject', { field: 'webNumber' });
  let age: number;
  try {
    age = ageOn(subject.birthDate, now);
  } catch {
    throw CredentialError('credential.invalid_subject', { field: 'birthDate' });
  }
  const claims: Record<string, unknown> = { web_number: subject.webNumber, verified: subject.verified };
  for (const n of AGE_THRESHOLDS) claims[`age_over_${n}`] = age >= n;
  claims.region_group = subject.regionGroup;
  Object.assign(claims, subject.plaintext);
  return claims;
}

function publicHolderJwk(jwk: JWK): JWK {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || 'd' in jwk) {
    throw CredentialError('credential.invalid_holder_key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

export async function issueWebCertificateBatch(input: IssueWebCertificateBatchInput): Promise<string[]> {
  if (input.holderKeys.length === 0) throw new TypeError('holderKeys must hold at least one device key');
  const now = input.clock();
  const times = coarsenedTimes(now, input.validityDays ?? 7);
  const claims = webCertificateClaims(input.subject, now);
  const holderKeys = input.holderKeys.map(publicHolderJwk);
  const key = await input.keyStore.activeKey('ES256');
  const refs = await input.statusAllocator.allocate(holderKeys.length);
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    // 128-bit salts (RFC 9901 §9.3), fresh for every disclosure of every credential.
    saltGenerator: () => b64url(input.random(16)),
    signAlg: key.alg,
    signer: async (signingInput: string) => b64url(await key.sign(encoder.encode(signingInput))),
  });
  const frame = { _sd: WEB_CERTIFICATE_CLAIMS.filter((c) => c.selectivelyDisclosable).map((c) => c.name) };
  const vct = webCertificateVct(input.issuer);
  const credentials: string[] = [];
  for (const [i, cnfJwk] of holderKeys.entries()) {
    const ref = refs[i]!;
    const payload = {
      iss: input.issuer,
      ...times,
      vct,
      cnf: { jwk: cnfJwk },
      status: { status_list: { idx: ref.index, uri: statusListUri(input.issuer, ref.listId) } },
      ...claims,
    };
    credentials.push(await sdjwt.issue(payload, frame as never, { header: { kid: key.kid } }));
  }
  return credentials;
}
