/**
 * Runs the data files under test/vectors/: GB 11643-1999 check characters, ICAO 9303 check
 * digits and specimen MRZ, and valid and invalid numbers for each of the seven document types.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DOCUMENT_TYPES,
  icaoCheckDigit,
  mod11_2CheckCharacter,
  parsePassportMrz,
  validateDocument,
} from '../../src/domain/documents/index.ts';

const vectors = new URL('../vectors/', import.meta.url);
const load = (path: string): any => JSON.parse(readFileSync(new URL(path, vectors), 'utf8'));

describe('GB 11643-1999 check character (ISO 7064 MOD 11-2)', () => {
  const file = load('gb11643/appendix-a.json');
  it('uses the weights of the standard', () => {
    assert.deepEqual(Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11), file.weights);
  });
  for (const v of file.vectors) {
    it(`${v.note}`, () => {
      assert.equal(mod11_2CheckCharacter(v.number.slice(0, 17)), v.number[17]);
    });
  }
  it('derives address code, birth date and sex from the standard examples that are enrollable', () => {
    for (const v of file.vectors.filter((x: any) => x.birthDate >= '1900-01-01')) {
      const r = validateDocument({ type: 'cn_resident_id', number: v.number }, new Date('2025-06-01T00:00:00+08:00'));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.type, 'cn_resident_id');
      if (r.value.type !== 'cn_resident_id') return;
      assert.equal(r.value.addressCode, v.addressCode);
      assert.equal(r.value.birthDate, v.birthDate);
      assert.equal(r.value.sex, v.sex);
    }
  });
});

describe('ICAO 9303 check digits', () => {
  for (const v of load('icao9303/check-digits.json').vectors) {
    it(`${v.note}: ${v.field} → ${v.checkDigit}`, () => assert.equal(icaoCheckDigit(v.field), v.checkDigit));
  }
});

describe('ICAO 9303 Part 4 specimen TD3 MRZ', () => {
  const file = load('icao9303/td3-specimen.json');
  const today = new Date(file.today);
  it('parses the specimen', () => {
    assert.deepEqual(parsePassportMrz(file.mrz.join('\n'), today), { ok: true, value: file.expected });
  });
  for (const c of file.corruptions) {
    it(`rejects: ${c.note}`, () => {
      const lines = [...file.mrz];
      const line = lines[c.line];
      assert.notEqual(line[c.column], c.replaceWith, 'the corruption must change the line');
      lines[c.line] = line.slice(0, c.column) + c.replaceWith + line.slice(c.column + 1);
      const r = parsePassportMrz(lines.join('\n'), today);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, c.error);
    });
  }
});

describe('document vectors', () => {
  const files = readdirSync(new URL('documents/', vectors)).filter((f) => f.endsWith('.json')).sort();
  it('cover all seven document types', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.json$/, '')).sort(), [...DOCUMENT_TYPES].sort());
  });
  for (const name of files) {
    const file = load(`documents/${name}`);
    describe(file.documentType, () => {
      const today = new Date(file.today);
      for (const c of file.cases) {
        it(`${c.error ?? 'valid'}: ${c.note}`, () => {
          const r = validateDocument({ type: file.documentType, number: c.number, expiresOn: c.expiresOn, mrz: c.mrz }, today);
          if (c.error) {
            assert.equal(r.ok, false, `expected ${c.error}, got ${JSON.stringify(r)}`);
            if (!r.ok) assert.equal(r.error.code, c.error);
          } else {
            assert.ok(r.ok, `expected valid, got ${JSON.stringify(r)}`);
            if (r.ok) assert.partialDeepStrictEqual(r.value, { type: file.documentType, ...c.valid });
          }
        });
      }
    });
  }
});
