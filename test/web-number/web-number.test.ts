import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  WEB_NUMBER_ALPHABET as ALPHABET,
  generateWebNumber,
  isValidWebNumber,
  normaliseWebNumber,
  parseWebNumber,
  webNumberCheckCharacter,
} from '../../src/domain/web-number.ts';

const knownAnswers = JSON.parse(readFileSync(new URL('known-answers.json', import.meta.url), 'utf8'));

/** A deterministic byte source (xorshift32), so the bodies below are the same on every run. */
function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}

const withCheck = (body: string): string => body + webNumberCheckCharacter(body);
const setAt = (s: string, i: number, c: string): string => s.slice(0, i) + c + s.slice(i + 1);

/** Structured bodies (runs, repeats, alphabet ends) and 60 seeded random ones. */
const rng = seeded(20250601);
const bodies = [
  '000000000', 'ZZZZZZZZZ', '0Z0Z0Z0Z0', 'Z0Z0Z0Z0Z', '123456789', 'ABCDEFGHJ', 'YZ0123456', 'GGGGHHHHG', '999999999', 'H0H0H0H0H',
  ...Array.from({ length: 60 }, () => generateWebNumber(rng).slice(0, 9)),
];

describe('web number alphabet', () => {
  it('is the 34 digits and upper-case letters other than I and O', () => {
    assert.equal(ALPHABET.length, 34);
    assert.equal(new Set(ALPHABET).size, 34);
    assert.deepEqual([...ALPHABET].sort().join(''), '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ');
    assert.ok(!ALPHABET.includes('I') && !ALPHABET.includes('O'));
  });
});

describe('web number check character', () => {
  it('matches the pinned known answers', () => {
    for (const n of knownAnswers.valid) {
      assert.equal(webNumberCheckCharacter(n.slice(0, 9)), n[9], n);
      assert.ok(isValidWebNumber(n), n);
    }
  });

  it('detects every single substitution, at all 10 positions (check included), on every test body', () => {
    let tried = 0;
    for (const body of bodies) {
      const valid = withCheck(body);
      assert.ok(isValidWebNumber(valid));
      for (let i = 0; i < 10; i++) {
        for (const c of ALPHABET) {
          if (c === valid[i]) continue;
          assert.equal(isValidWebNumber(setAt(valid, i, c)), false, `${valid}: position ${i} -> ${c}`);
          tried++;
        }
      }
    }
    assert.equal(tried, bodies.length * 10 * 33);
  });

  it('detects every adjacent transposition of every pair of distinct symbols, at every position', () => {
    let tried = 0;
    for (const base of bodies) {
      // Positions p, p+1 both in the body: every ordered pair (a, b), a ≠ b.
      for (let p = 0; p < 8; p++) {
        for (const a of ALPHABET) {
          for (const b of ALPHABET) {
            if (a === b) continue;
            const valid = withCheck(setAt(setAt(base, p, a), p + 1, b));
            const swapped = setAt(setAt(valid, p, b), p + 1, a);
            assert.equal(isValidWebNumber(swapped), false, `${valid} -> ${swapped}`);
            tried++;
          }
        }
      }
      // Last body character and the check character: vary positions 7 and 8 so that every
      // ordered pair (a, check) occurs.
      const seen = new Set<string>();
      for (const x of ALPHABET) {
        for (const a of ALPHABET) {
          const valid = withCheck(setAt(setAt(base, 7, x), 8, a));
          const c = valid[9]!;
          seen.add(a + c);
          if (a === c) continue;
          assert.equal(isValidWebNumber(setAt(setAt(valid, 8, c), 9, a)), false, valid);
          tried++;
        }
      }
      assert.equal(seen.size, 34 * 34, 'every (last body character, check) pair was reached');
    }
    assert.ok(tried > bodies.length * 8 * 34 * 33);
  });

  it('rejects wrong lengths and foreign characters', () => {
    assert.equal(isValidWebNumber('000000000'), false);
    assert.equal(isValidWebNumber('000000000C0'), false);
    assert.equal(isValidWebNumber('00000000IC'), false);
    assert.equal(isValidWebNumber('000000000c'), false, 'not canonical: lower case');
    assert.throws(() => webNumberCheckCharacter('0000000O0'), TypeError);
    assert.throws(() => webNumberCheckCharacter('00000000'), TypeError);
  });
});

describe('generateWebNumber', () => {
  it('draws each symbol from one byte, rejecting bytes 238..255 so all 34 symbols are equally likely', () => {
    // A source that cycles through every byte value: 238 numbers consume 9 × 238 accepted bytes,
    // i.e. exactly 9 full cycles of 0..237, so each symbol must appear exactly 9 × 7 = 63 times.
    let next = 0;
    const cycling = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next++ % 256);
    const counts = new Map<string, number>();
    for (let i = 0; i < 238; i++) {
      const n = generateWebNumber(cycling);
      assert.ok(isValidWebNumber(n), n);
      for (const c of n.slice(0, 9)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(counts.size, 34);
    for (const [c, k] of counts) assert.equal(k, 63, c);
  });

  it('maps byte b < 238 to symbol b mod 34 and skips the rest', () => {
    const bytes = [238, 255, 0, 33, 34, 237, 240, 1, 2, 3, 4, 5];
    const requests: number[] = [];
    const source = (n: number): Uint8Array => {
      requests.push(n);
      return Uint8Array.from(bytes.splice(0, n));
    };
    assert.equal(generateWebNumber(source).slice(0, 9), '0Z0Z12345');
    assert.deepEqual(requests, [9, 3], 'asks again for exactly the three symbols rejected');
  });

  it('produces valid numbers from the system CSPRNG', () => {
    for (let i = 0; i < 1000; i++) {
      const n = generateWebNumber((k) => randomBytes(k));
      assert.match(n, /^[0-9A-HJ-NP-Z]{10}$/);
      assert.ok(isValidWebNumber(n), n);
    }
  });
});

describe('normaliseWebNumber and parseWebNumber', () => {
  it('folds full-width forms, spaces, hyphens and lower case; reads I as 1 and O as 0', () => {
    assert.equal(normaliseWebNumber(' 12345-67890 '), '1234567890');
    assert.equal(normaliseWebNumber('１２３４５６７８９０'), '1234567890');
    assert.equal(normaliseWebNumber('h8w5r 1n6e4'), 'H8W5R1N6E4');
    assert.equal(normaliseWebNumber('h8w5rIn6e4'), 'H8W5R1N6E4');
    assert.equal(normaliseWebNumber('OOOOOOOOOC'), '000000000C');
  });

  it('returns the canonical number, or why it is not one', () => {
    assert.deepEqual(parseWebNumber('abcde fghja'), { ok: true, value: 'ABCDEFGHJA' });
    assert.deepEqual(parseWebNumber('ABCDEFGHJB'), { ok: false, error: 'check_character' });
    assert.deepEqual(parseWebNumber('ABCDEFGHJ'), { ok: false, error: 'format' });
    assert.deepEqual(parseWebNumber('ABCDEFGH*A'), { ok: false, error: 'format' });
  });
});
