/**
 * Offline verification of a web certificate presentation (SD-JWT VC + Key Binding JWT), one
 * named step after another. No call to netid per presentation: the only network access is the
 * cached JWKS and status-list fetches behind `issuerKeys` and `statusLists`.
 */
import type { JWK } from 'jose';
import { sha256B64url } from '../encoding.ts';
import { VERIFICATION_ERRORS, type VerificationErrorCode } from '../errors.ts';
import { processDisclosures } from './disclosures.ts';
import { toResolver, type IssuerKeys } from './issuer-keys.ts';
import { SUPPORTED_ALGS, keyFitsAlg, parseJws, verifyJwsSignature, type ParsedJws } from './jws.ts';
import type { StatusLookup } from './status-list-cache.ts';

export const SD_JWT_VC_TYPES = ['dc+sd-jwt', 'vc+sd-jwt'];

export interface VerifyOptions {
  /** Trusted issuer keys: a fixed JWKS, or a JwksCache over allow-listed issuers. */
  readonly issuerKeys: IssuerKeys;
  readonly expectedNonce: string;
  readonly expectedAudience: string;
  /** Status lists (a StatusListCache). Required when the credential has a `status` claim. */
  readonly statusLists?: StatusLookup;
  readonly now?: Date;
  /** Claims that must be disclosed. */
  readonly requiredClaims?: readonly string[];
  /** Accepted `vct` values (e.g. `https://netid.example/vct/web-certificate/v1`); any if omitted. */
  readonly expectedVct?: string | readonly string[];
  /** Tolerance for clock differences (default 60 s). */
  readonly clockSkewSeconds?: number;
  /** How old a Key Binding JWT may be (default 300 s). */
  readonly maxKeyBindingAgeSeconds?: number;
}

export interface VerifiedPresentation {
  readonly ok: true;
  /** The disclosed claims (and any non-registered always-visible ones). */
  readonly claims: Record<string, unknown>;
  readonly vct: string;
  readonly issuer: string;
  /** The device key the presentation was bound to (`cnf.jwk`). */
  readonly holderKey: JWK;
  readonly issuedAt?: number;
  readonly expiresAt?: number;
}

export interface VerificationFailure {
  readonly ok: false;
  readonly error: { readonly code: VerificationErrorCode; readonly message: string };
}

export type VerificationResult = VerifiedPresentation | VerificationFailure;

const REGISTERED = new Set(['iss', 'iat', 'nbf', 'exp', 'vct', 'vct#integrity', 'cnf', 'status', 'jti', 'aud', '_sd_alg']);

class Reject extends Error {
  readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message?: string) {
    super(message ?? VERIFICATION_ERRORS[code].en);
    this.code = code;
  }
}

function split(presentation: string): { jwt: string; disclosures: string[]; kb: string | undefined } {
  if (typeof presentation !== 'string' || !presentation.includes('~')) throw new Reject('vp.malformed', 'not an SD-JWT (no ~ separator)');
  const parts = presentation.split('~');
  const jwt = parts[0]!;
  const last = parts[parts.length - 1]!;
  const disclosures = parts.slice(1, -1);
  if (disclosures.some((d) => d.length === 0)) throw new Reject('vp.malformed', 'empty disclosure');
  return { jwt, disclosures, kb: last === '' ? undefined : last };
}

function parse(jws: string, what: string): ParsedJws {
  try {
    return parseJws(jws);
  } catch {
    throw new Reject('vp.malformed', `${what} is not a compact JWS`);
  }
}

async function checkIssuerSignature(jwt: ParsedJws, options: VerifyOptions, now: Date): Promise<string> {
  const alg = jwt.header.alg;
  if (typeof alg !== 'string' || !SUPPORTED_ALGS.has(alg)) throw new Reject('vp.signature_invalid', `unsupported alg ${String(alg)}`);
  const issuer = jwt.payload.iss;
  if (typeof issuer !== 'string') throw new Reject('vp.malformed', 'no iss claim');
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  let keys: readonly JWK[] | undefined;
  try {
    keys = await toResolver(options.issuerKeys).keysFor(issuer, now, kid);
  } catch {
    throw new Reject('vp.unknown_key', 'the issuer keys could not be obtained');
  }
  const candidates = (keys ?? []).filter((k) => (kid === undefined || k.kid === kid) && keyFitsAlg(k, alg));
  if (candidates.length === 0) throw new Reject('vp.unknown_key');
  if (!candidates.some((k) => verifyJwsSignature(jwt, k))) throw new Reject('vp.signature_invalid');
  return issuer;
}

function checkType(jwt: ParsedJws, options: VerifyOptions): string {
  if (!SD_JWT_VC_TYPES.includes(jwt.header.typ as string)) throw new Reject('vp.wrong_type', `typ ${String(jwt.header.typ)} is not an SD-JWT VC`);
  const vct = jwt.payload.vct;
  if (typeof vct !== 'string') throw new Reject('vp.wrong_type', 'no vct claim');
  const expected = options.expectedVct === undefined ? undefined : typeof options.expectedVct === 'string' ? [options.expectedVct] : options.expectedVct;
  if (expected && !expected.includes(vct)) throw new Reject('vp.wrong_type', `vct ${vct} is not accepted`);
  return vct;
}

function checkTimes(payload: Record<string, unknown>, nowSeconds: number, skew: number): void {
  for (const claim of ['iat', 'nbf', 'exp']) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') throw new Reject('vp.malformed', `${claim} is not a number`);
  }
  const { iat, nbf, exp } = payload as { iat?: number; nbf?: number; exp?: number };
  if (exp !== undefined && nowSeconds - skew >= exp) throw new Reject('vp.expired');
  if (nbf !== undefined && nowSeconds + skew < nbf) throw new Reject('vp.not_yet_valid');
  if (iat !== undefined && nowSeconds + skew < iat) throw new Reject('vp.not_yet_valid', 'issued in the future');
}

function checkKeyBinding(jwt: string, disclosures: readonly string[], kbJws: string | undefined, payload: Record<string, unknown>, options: VerifyOptions, nowSeconds: number, skew: number): JWK {
  if (kbJws === undefined) throw new Reject('vp.key_binding_missing');
  const holderKey = (payload.cnf as { jwk?: JWK } | undefined)?.jwk;
  if (!holderKey || typeof holderKey !== 'object') throw new Reject('vp.key_binding_invalid', 'the credential has no cnf.jwk');
  const kb = parse(kbJws, 'the key binding JWT');
  if (kb.header.typ !== 'kb+jwt') throw new Reject('vp.key_binding_invalid', 'typ is not kb+jwt');
  if (!verifyJwsSignature(kb, holderKey)) throw new Reject('vp.key_binding_invalid', 'key binding signature invalid');
  const { nonce, aud, iat, sd_hash: sdHash } = kb.payload;
  if (nonce !== options.expectedNonce) throw new Reject('vp.nonce_mismatch');
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.expectedAudience)) throw new Reject('vp.audience_mismatch');
  if (typeof iat !== 'number') throw new Reject('vp.key_binding_invalid', 'no iat in key binding JWT');
  const maxAge = options.maxKeyBindingAgeSeconds ?? 300;
  if (iat > nowSeconds + skew || iat < nowSeconds - maxAge - skew) throw new Reject('vp.key_binding_invalid', 'key binding JWT is not fresh');
  const expected = sha256B64url(`${[jwt, ...disclosures].join('~')}~`);
  if (sdHash !== expected) throw new Reject('vp.sd_hash_mismatch');
  return holderKey;
}

async function checkStatus(payload: Record<string, unknown>, issuer: string, options: VerifyOptions, now: Date): Promise<void> {
  if (payload.status === undefined) return;
  const ref = (payload.status as { status_list?: { idx?: unknown; uri?: unknown } }).status_list;
  if (!ref || !Number.isInteger(ref.idx) || typeof ref.uri !== 'string') throw new Reject('vp.malformed', 'status claim malformed');
  if (!options.statusLists) throw new Reject('vp.status_unavailable', 'no status list source configured');
  const status = await options.statusLists.status(ref.uri, ref.idx as number, issuer, now);
  if (status === undefined) throw new Reject('vp.status_unavailable');
  if (status !== 0) throw new Reject('vp.revoked', status === 2 ? 'The credential is suspended.' : undefined);
}

export async function verifyPresentation(presentation: string, options: VerifyOptions): Promise<VerificationResult> {
  try {
    const now = options.now ?? new Date();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const skew = options.clockSkewSeconds ?? 60;
    const parts = split(presentation);
    const jwt = parse(parts.jwt, 'the issuer-signed JWT');
    const issuer = await checkIssuerSignature(jwt, options, now);
    const disclosed = processDisclosures(jwt.payload, parts.disclosures);
    if (!disclosed.ok) throw new Reject(disclosed.code, disclosed.message);
    const vct = checkType(jwt, options);
    checkTimes(jwt.payload, nowSeconds, skew);
    const holderKey = checkKeyBinding(parts.jwt, parts.disclosures, parts.kb, jwt.payload, options, nowSeconds, skew);
    await checkStatus(jwt.payload, issuer, options, now);
    const claims: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(disclosed.claims)) if (!REGISTERED.has(k)) claims[k] = v;
    const missing = (options.requiredClaims ?? []).filter((c) => !Object.hasOwn(claims, c));
    if (missing.length > 0) throw new Reject('vp.claim_missing', `not disclosed: ${missing.join(', ')}`);
    const { iat, exp } = jwt.payload as { iat?: number; exp?: number };
    return { ok: true, claims, vct, issuer, holderKey, ...(iat !== undefined ? { issuedAt: iat } : {}), ...(exp !== undefined ? { expiresAt: exp } : {}) };
  } catch (error) {
    if (error instanceof Reject) return { ok: false, error: { code: error.code, message: error.message } };
    return { ok: false, error: { code: 'vp.malformed', message: 'the presentation could not be processed' } };
  }
}
