/**
 * Disclosure processing (RFC 9901 §7.1 steps 3–5), done here rather than by @sd-jwt/decode because
 * that library silently drops disclosures it cannot place. Outcomes:
 * - a disclosure whose digest appears nowhere in the issuer-signed payload or in other presented
 *   disclosures → `vp.disclosure_tampered` (altered, forged, taken from another credential, or a
 *   nested disclosure sent without its parent: a verifier cannot tell these apart);
 * - a disclosure presented more than once, or one whose digest is known but which is not reached
 *   when the claims are rebuilt → `vp.disclosure_unreferenced`;
 * - a disclosure that is not a JSON array [salt, name, value] / [salt, value], a claim name that
 *   is reserved or already present, or a digest repeated in the payload → `vp.malformed`.
 */
import { fromB64url, sha256B64url } from '../encoding.ts';
import type { VerificationErrorCode } from '../errors.ts';

interface Disclosure {
  readonly encoded: string;
  readonly salt: string;
  readonly name: string | undefined;
  readonly value: unknown;
}

export type DisclosureOutcome =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly code: VerificationErrorCode; readonly message: string };

const RESERVED = new Set(['_sd', '...', '_sd_alg']);

function decode(encoded: string): Disclosure | undefined {
  let value: unknown;
  try {
    value = JSON.parse(fromB64url(encoded).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
  if (value.length === 3 && typeof value[1] === 'string' && !RESERVED.has(value[1])) return { encoded, salt: value[0], name: value[1], value: value[2] };
  if (value.length === 2) return { encoded, salt: value[0], name: undefined, value: value[1] };
  return undefined;
}

class Failure extends Error {
  readonly code: VerificationErrorCode;
  constructor(code: VerificationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Every digest that occurs in `value` (in `_sd` arrays and `{"...": digest}` elements). */
function collectDigests(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1 && typeof (item as Record<string, unknown>)['...'] === 'string') {
        into.push((item as Record<string, string>)['...']!);
      } else collectDigests(item, into);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '_sd' && Array.isArray(v)) {
        for (const d of v) if (typeof d === 'string') into.push(d);
      } else collectDigests(v, into);
    }
  }
}

export function processDisclosures(payload: Record<string, unknown>, encodedDisclosures: readonly string[]): DisclosureOutcome {
  const alg = payload._sd_alg ?? 'sha-256';
  if (alg !== 'sha-256') return { ok: false, code: 'vp.malformed', message: `unsupported _sd_alg ${String(alg)}` };
  const byDigest = new Map<string, Disclosure>();
  for (const encoded of encodedDisclosures) {
    const disclosure = decode(encoded);
    if (!disclosure) return { ok: false, code: 'vp.malformed', message: 'a disclosure is not a well-formed disclosure array' };
    const digest = sha256B64url(encoded);
    if (byDigest.has(digest)) return { ok: false, code: 'vp.disclosure_unreferenced', message: 'a disclosure is presented more than once' };
    byDigest.set(digest, disclosure);
  }
  const signedDigests: string[] = [];
  collectDigests(payload, signedDigests);
  if (new Set(signedDigests).size !== signedDigests.length) return { ok: false, code: 'vp.malformed', message: 'a digest occurs more than once in the payload' };
  const known = new Set(signedDigests);
  for (const d of byDigest.values()) {
    const inner: string[] = [];
    collectDigests(d.value, inner);
    for (const digest of inner) known.add(digest);
  }
  for (const digest of byDigest.keys()) {
    if (!known.has(digest)) return { ok: false, code: 'vp.disclosure_tampered', message: 'a disclosure does not match any digest signed by the issuer' };
  }
  const used = new Set<string>();
  const seen = new Set<string>();
  const take = (digest: string): Disclosure | undefined => {
    if (seen.has(digest)) throw new Failure('vp.malformed', 'a digest is referenced more than once');
    seen.add(digest);
    const d = byDigest.get(digest);
    if (d) used.add(digest);
    return d;
  };
  const unpack = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        if (item && typeof item === 'object' && !Array.isArray(item) && '...' in item) {
          const keys = Object.keys(item);
          const digest = (item as Record<string, unknown>)['...'];
          if (keys.length !== 1 || typeof digest !== 'string') throw new Failure('vp.malformed', 'an array digest element has other keys');
          const d = take(digest);
          if (d) {
            if (d.name !== undefined) throw new Failure('vp.malformed', 'an object disclosure is referenced from an array');
            out.push(unpack(d.value));
          }
        } else out.push(unpack(item));
      }
      return out;
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      const source = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(source)) if (k !== '_sd' && k !== '_sd_alg') out[k] = unpack(v);
      const sd = source._sd;
      if (sd !== undefined) {
        if (!Array.isArray(sd)) throw new Failure('vp.malformed', '_sd is not an array');
        for (const digest of sd) {
          if (typeof digest !== 'string') throw new Failure('vp.malformed', '_sd holds a non-string');
          const d = take(digest);
          if (!d) continue;
          if (d.name === undefined) throw new Failure('vp.malformed', 'an array disclosure is referenced from _sd');
          if (Object.hasOwn(out, d.name)) throw new Failure('vp.malformed', `claim ${d.name} is disclosed twice`);
          out[d.name] = unpack(d.value);
        }
      }
      return out;
    }
    return value;
  };
  let claims: Record<string, unknown>;
  try {
    claims = unpack(payload) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof Failure) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
  if (used.size !== byDigest.size) return { ok: false, code: 'vp.disclosure_unreferenced', message: 'a disclosure is not reachable from the disclosed claims' };
  return { ok: true, claims };
}
