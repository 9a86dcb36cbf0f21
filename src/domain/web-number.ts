/**
 * Web numbers (网号, SPEC F5): 10 characters over a 34-symbol alphabet (digits and upper-case
 * letters without I and O), nine random characters and a check character.
 *
 * The check character is a Verhoeff-style scheme over the dihedral group D17, which has exactly
 * 34 elements, with Gumm's anti-symmetric mapping. It detects every single substitution and every
 * adjacent transposition, including those that involve the check character; docs/web-number.md
 * has the proof and test/web-number/ checks both properties exhaustively.
 */
import { err, ok, type Result } from './result.ts';

/** 0–9 then A–Z without I and O (read as 1 and 0). 34 symbols. */
export const WEB_NUMBER_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const N = 34;
const M = 17;

const VALUE = new Map<string, number>([...WEB_NUMBER_ALPHABET].map((c, i) => [c, i]));

/*
 * D17 as the symmetries of a 17-gon: element k < 17 is the rotation r_k (x ↦ x + k), element
 * 17 + k is the reflection s_k (x ↦ k − x), all mod 17. Composition (f·g)(x) = f(g(x)):
 *   r_a·r_b = r_(a+b)   r_a·s_b = s_(a+b)   s_a·r_b = s_(a−b)   s_a·s_b = r_(a−b)
 */
const mod = (a: number): number => ((a % M) + M) % M;

function multiply(x: number, y: number): number {
  const xr = x < M, yr = y < M;
  const a = xr ? x : x - M;
  const b = yr ? y : y - M;
  if (xr && yr) return mod(a + b);
  if (xr) return M + mod(a + b);
  if (yr) return M + mod(a - b);
  return mod(a - b);
}

function inverse(x: number): number {
  return x < M ? mod(-x) : x; // reflections are their own inverse
}

/** Gumm's anti-symmetric mapping for D_m, m odd: σ(r_k) = r_(1−k), σ(s_k) = s_k. An involution. */
function sigma(x: number): number {
  return x < M ? mod(1 - x) : x;
}

const TABLE: readonly number[] = Array.from({ length: N * N }, (_, i) => multiply(Math.floor(i / N), i % N));

/** Position i (1-based) contributes σ^i(a_i); σ is an involution, so σ at odd positions only. */
function product(values: readonly number[]): number {
  let p = 0; // r_0, the identity
  for (let i = 0; i < values.length; i++) {
    const v = i % 2 === 0 ? sigma(values[i]!) : values[i]!;
    p = TABLE[p * N + v]!;
  }
  return p;
}

function toValues(s: string): number[] | null {
  const values: number[] = [];
  for (const c of s) {
    const v = VALUE.get(c);
    if (v === undefined) return null;
    values.push(v);
  }
  return values;
}

/** The check character for a 9-character body: the one that makes the product the identity. */
export function webNumberCheckCharacter(body9: string): string {
  const values = toValues(body9);
  if (values === null || values.length !== 9) throw new TypeError('web number body must be 9 characters of the web number alphabet');
  // Position 10 is even, so its symbol enters unchanged: c = (product of the body)⁻¹.
  return WEB_NUMBER_ALPHABET[inverse(product(values))]!;
}

/** Whether `s` is a web number in canonical form (10 characters, check character correct). */
export function isValidWebNumber(s: string): boolean {
  if (s.length !== 10) return false;
  const values = toValues(s);
  return values !== null && product(values) === 0;
}

/**
 * Canonical form of a typed web number: NFKC (full-width → ASCII), spaces and hyphens removed,
 * upper-case, and I → 1, O → 0 (the alphabet has no I or O, so a typed one can only mean the
 * digit). The result may still be invalid; check it with isValidWebNumber.
 */
export function normaliseWebNumber(input: string): string {
  return input.normalize('NFKC').replace(/[\s\-‐-―]+/gu, '').toUpperCase().replace(/I/g, '1').replace(/O/g, '0');
}

export type WebNumberProblem = 'format' | 'check_character';

/** Normalises and checks a typed web number. */
export function parseWebNumber(input: string): Result<string, WebNumberProblem> {
  const s = normaliseWebNumber(input);
  if (s.length !== 10 || toValues(s) === null) return err('format');
  return isValidWebNumber(s) ? ok(s) : err('check_character');
}

/**
 * A fresh random web number. `randomBytes(n)` must return n uniformly random bytes (pass
 * crypto.randomBytes or a seeded source in tests). Each symbol comes from one byte by rejection
 * sampling: bytes ≥ 238 (= 7 × 34) are discarded, so every symbol has probability exactly 1/34.
 */
export function generateWebNumber(randomBytes: (n: number) => Uint8Array): string {
  const LIMIT = Math.floor(256 / N) * N; // 238
  let body = '';
  while (body.length < 9) {
    // Ask for exactly the symbols still missing: no random byte is drawn and then thrown away
    // except a rejected one (the expected number of bytes is 9 × 256/238 ≈ 9.7).
    const want = 9 - body.length;
    const bytes = randomBytes(want);
    if (bytes.length !== want) throw new TypeError(`randomBytes(${want}) returned ${bytes.length} bytes`);
    for (const b of bytes) if (b < LIMIT) body += WEB_NUMBER_ALPHABET[b % N];
  }
  return body + webNumberCheckCharacter(body);
}
