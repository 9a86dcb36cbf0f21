/**
 * Identity attributes are declared once (src/domain/identity): OpenID Connect, the web
 * certificate, enrolment and the pages that name claims all read the same declaration, so for
 * every document type they agree on region group, ages and the verification result, and a
 * birthday that starts in China before it starts in UTC counts the same everywhere.
 * Fast: pure functions, no node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDocument, DOCUMENT_TYPES, type DocumentType } from '../../src/domain/documents/index.ts';
import { ATTRIBUTE_IDS, IDENTITY_ATTRIBUTES, REGION_GROUPS, ageOn, claimLabel, type AttributeDeclaration, type IdentityAttributes, type RegionGroup } from '../../src/domain/identity/index.ts';
import { CLAIMS, DEFAULT_CLAIMS, SCOPE_CLAIMS, claimValue, isPlaintextClaim } from '../../src/oidc/claims.ts';
import { consentPage } from '../../src/oidc/pages.ts';
import { WEB_CERTIFICATE_CLAIMS, WEB_CERTIFICATE_CLAIM_NAMES } from '../../src/credentials/claims.ts';
import { webCertificateClaims } from '../../src/credentials/issue/issue-batch.ts';
import { subjectFromAttributes } from '../../src/credentials/service/issuance.ts';
import { ageGroupOf, ageOn as enrolmentAgeOn } from '../../src/enrolment/states.ts';
import { activityPage } from '../../src/web/pages.ts';

const WEB_NUMBER = 'K7M2Q9X4TB';
const declarations = ATTRIBUTE_IDS.map((id) => [id, IDENTITY_ATTRIBUTES[id] as AttributeDeclaration<unknown>] as const);

interface Holder {
  readonly note: string;
  readonly number: string;
  readonly nationality: string;
  readonly birthDate: string;
  readonly regionGroup: RegionGroup;
}

/** Real document numbers (test/vectors/documents), each with the region group its document implies. */
const HOLDERS: Readonly<Record<DocumentType, readonly Holder[]>> = {
  cn_resident_id: [{ note: 'resident ID', number: '11010519491231002X', nationality: 'CHN', birthDate: '1949-12-31', regionGroup: 'mainland' }],
  cn_passport: [
    { note: 'passport of a CHN national', number: 'E12345678', nationality: 'CHN', birthDate: '1990-05-20', regionGroup: 'mainland' },
    // Issued to CHN nationals only: the document decides, not a record's stray nationality.
    { note: 'passport whose record says USA', number: 'EA1234567', nationality: 'USA', birthDate: '1990-05-20', regionGroup: 'mainland' },
  ],
  hk_mo_travel_permit: [
    { note: 'Hong Kong permit (H)', number: 'H12345678', nationality: 'CHN', birthDate: '1988-02-29', regionGroup: 'hong_kong' },
    { note: 'Macao permit (M)', number: 'M87654321', nationality: 'CHN', birthDate: '1988-02-29', regionGroup: 'macao' },
    { note: 'Macao permit, 11-character form', number: 'M8765432101', nationality: 'CHN', birthDate: '1988-02-29', regionGroup: 'macao' },
  ],
  hk_mo_residence_permit: [
    { note: 'Hong Kong residence permit (810000)', number: '810000199001010019', nationality: 'CHN', birthDate: '1990-01-01', regionGroup: 'hong_kong' },
    { note: 'Macao residence permit (820000)', number: '820000198512310029', nationality: 'CHN', birthDate: '1985-12-31', regionGroup: 'macao' },
  ],
  tw_travel_permit: [{ note: 'Taiwan travel permit', number: '12345678', nationality: 'CHN', birthDate: '2011-09-01', regionGroup: 'taiwan' }],
  tw_residence_permit: [{ note: 'Taiwan residence permit', number: '830000197810100035', nationality: 'CHN', birthDate: '1978-10-10', regionGroup: 'taiwan' }],
  foreign_permanent_resident_id: [
    { note: '2023 edition', number: '911840198503150016', nationality: 'USA', birthDate: '1985-03-15', regionGroup: 'foreign' },
    { note: '2017 edition', number: 'USA110085031511', nationality: 'USA', birthDate: '1985-03-15', regionGroup: 'foreign' },
  ],
};

function record(type: DocumentType, holder: Pick<Holder, 'number' | 'nationality' | 'birthDate'>): IdentityAttributes {
  return { document_type: type, document_number: holder.number, name: '测试', birth_date: holder.birthDate, sex: 'F', nationality: holder.nationality, expiry_date: '2040-01-01' };
}

const oidcClaims = (attributes: IdentityAttributes, at: Date): Record<string, unknown> =>
  Object.fromEntries(declarations.filter(([, a]) => a.oidc).map(([, a]) => [a.oidc!.claim, claimValue(a.oidc!.claim, attributes, { webNumber: WEB_NUMBER, today: at })]));

const certificateClaims = (attributes: IdentityAttributes, at: Date): Record<string, unknown> => webCertificateClaims(subjectFromAttributes(WEB_NUMBER, attributes, at), at);

describe('OIDC and the web certificate agree, for every document type', () => {
  const at = new Date('2025-06-01T04:00:00Z');
  const carriedByBoth = declarations.filter(([, a]) => a.oidc && a.certificate);

  it('compares region group, every age predicate and the verification result', () => {
    const compared = carriedByBoth.map(([id]) => id);
    for (const id of ['region_group', 'verified', 'age_over_14', 'age_over_16', 'age_over_18', 'age_over_60'] as const) assert.ok(compared.includes(id), `${id} is carried by both`);
  });

  for (const type of DOCUMENT_TYPES) {
    it(`agrees on every attribute both carry for a ${type} holder`, () => {
      assert.ok(HOLDERS[type].length > 0, `a holder of ${type} is tested`);
      for (const holder of HOLDERS[type]) {
        assert.ok(validateDocument({ type, number: holder.number }, at).ok, `${holder.note}: ${holder.number} is a real ${type} number`);
        const attributes = record(type, holder);
        const oidc = oidcClaims(attributes, at);
        const certificate = certificateClaims(attributes, at);
        for (const [id, a] of carriedByBoth) {
          assert.deepEqual(oidc[a.oidc!.claim], certificate[a.certificate!.claim], `${holder.note}: ${id} over OIDC (${a.oidc!.claim}) equals the certificate's (${a.certificate!.claim})`);
        }
        assert.equal(oidc.region_group, holder.regionGroup, `${holder.note}: region group`);
        assert.equal(certificate.region_group, holder.regionGroup, `${holder.note}: region group`);
        assert.equal(certificate.verified, true);
      }
    });
  }

  it('releases the birth date as OpenID Connect birthdate and carries it as birth_date, the same value', () => {
    const attributes = record('cn_resident_id', HOLDERS.cn_resident_id[0]!);
    assert.equal(oidcClaims(attributes, at).birthdate, '1949-12-31');
    assert.equal(certificateClaims(attributes, at).birth_date, '1949-12-31');
    assert.equal(IDENTITY_ATTRIBUTES.birth_date.oidc?.claim, 'birthdate');
    assert.equal(IDENTITY_ATTRIBUTES.birth_date.certificate?.claim, 'birth_date');
  });

  it('issues exactly the certificate claims the declaration lists, each selectively disclosable', () => {
    const attributes = record('cn_resident_id', HOLDERS.cn_resident_id[0]!);
    assert.deepEqual(Object.keys(certificateClaims(attributes, at)).sort(), [...WEB_CERTIFICATE_CLAIM_NAMES].sort());
    assert.equal(WEB_CERTIFICATE_CLAIM_NAMES.length, 13);
    assert.ok(WEB_CERTIFICATE_CLAIMS.every((c) => c.selectivelyDisclosable));
  });

  it('judges the same attributes plaintext identity in both, the web number among them', () => {
    for (const [id, a] of carriedByBoth) {
      if (a.oidc!.scope === 'openid') continue; // released to every app, never plaintext
      assert.equal(isPlaintextClaim(a.oidc!.claim), WEB_CERTIFICATE_CLAIMS.find((c) => c.name === a.certificate!.claim)!.plaintextIdentity, id);
    }
    assert.equal(isPlaintextClaim('web_number'), true);
    assert.equal(WEB_CERTIFICATE_CLAIMS.find((c) => c.name === 'web_number')!.plaintextIdentity, true);
    for (const claim of ['age_over_14', 'age_over_16', 'age_over_18', 'age_over_60', 'region_group']) assert.equal(isPlaintextClaim(claim), false, claim);
  });

  it('has one region-group vocabulary, and every group is reached by some document', () => {
    const reached = new Set(Object.values(HOLDERS).flat().map((h) => h.regionGroup));
    assert.deepEqual([...reached].sort(), [...REGION_GROUPS].sort());
  });
});

describe('a birthday counts from midnight in China', () => {
  // 18 on 15 June 2026; 01:00 that day in China is 17:00 UTC on the 14th.
  const holder = { number: '110105200806150024', nationality: 'CHN', birthDate: '2008-06-15' };
  const attributes = record('cn_resident_id', holder);

  it('is 18 at 01:00 China time on the 18th birthday in OIDC, the certificate and enrolment alike', () => {
    const at = new Date('2026-06-14T17:00:00Z');
    assert.equal(oidcClaims(attributes, at).age_over_18, true, 'OIDC');
    assert.equal(certificateClaims(attributes, at).age_over_18, true, 'certificate');
    assert.equal(ageGroupOf(enrolmentAgeOn(holder.birthDate, at)), 'adult', 'enrolment');
  });

  it('is 18 from the first second of the birthday in China (16:00:00 UTC the day before)', () => {
    const at = new Date('2026-06-14T16:00:00Z');
    assert.equal(oidcClaims(attributes, at).age_over_18, true);
    assert.equal(certificateClaims(attributes, at).age_over_18, true);
    assert.equal(ageGroupOf(enrolmentAgeOn(holder.birthDate, at)), 'adult');
  });

  it('is still 17 one second before midnight in China, in all three', () => {
    const at = new Date('2026-06-14T15:59:59Z');
    assert.equal(oidcClaims(attributes, at).age_over_18, false);
    assert.equal(certificateClaims(attributes, at).age_over_18, false);
    assert.equal(ageGroupOf(enrolmentAgeOn(holder.birthDate, at)), 'minor');
  });

  it('turns a 29 February birth a year older on 1 March of a common year', () => {
    assert.equal(ageOn('2008-02-29', new Date('2026-02-28T12:00:00+08:00')), 17);
    assert.equal(ageOn('2008-02-29', new Date('2026-03-01T00:00:00+08:00')), 18);
    assert.equal(ageOn('2008-02-29', new Date('2028-02-29T00:00:00+08:00')), 20);
  });

  it('refuses a birth date that is not a real date (a programming error, not an age)', () => {
    assert.throws(() => ageOn('2008-02-30', new Date()), TypeError);
    assert.throws(() => ageOn('15/06/2008', new Date()), TypeError);
  });
});

describe('OpenID Connect claims are a projection of the declaration', () => {
  it('releases every attribute with an OIDC claim by the scope of its own name, or with openid', () => {
    for (const [id, a] of declarations) {
      if (!a.oidc) continue;
      if (a.oidc.scope === 'openid') assert.ok(DEFAULT_CLAIMS.includes(a.oidc.claim), id);
      else assert.deepEqual(SCOPE_CLAIMS[a.oidc.scope], [a.oidc.claim], id);
    }
    assert.deepEqual(DEFAULT_CLAIMS, ['sub', 'acr', 'amr', 'verified']);
    assert.deepEqual(Object.keys(CLAIMS).sort(), ['age_over_14', 'age_over_16', 'age_over_18', 'age_over_60', 'birthdate', 'document_number', 'document_type', 'name', 'region_group', 'sex', 'web_number']);
  });

  it('keeps nationality in the certificate only', () => {
    assert.equal(CLAIMS.nationality, undefined);
    assert.ok(WEB_CERTIFICATE_CLAIM_NAMES.includes('nationality'));
  });
});

describe('pages name claims by the declared labels', () => {
  it('the consent page shows the label of each plaintext claim with its legal basis, in zh-CN and English', () => {
    const input = { uid: 'u1', appName: 'Library', organisation: 'City', claims: [{ claim: 'birthdate', legalBasis: 'Library Law art. 33' }, { claim: 'web_number', legalBasis: 'AML Law art. 29' }] };
    const zh = consentPage({ ...input, locale: 'zh-CN' });
    assert.match(zh, /<strong>出生日期<\/strong> \(<code>birthdate<\/code>\)/);
    assert.match(zh, /<strong>网号<\/strong> \(<code>web_number<\/code>\)/);
    const en = consentPage({ ...input, locale: 'en' });
    assert.match(en, /<strong>Date of birth<\/strong>/);
    assert.match(en, /<strong>Web number<\/strong>/);
  });

  it('the activity page lists the data an app received in words: OIDC and certificate names alike', () => {
    const entry = { id: 'a1', occurredAt: new Date('2025-06-01T04:00:00Z'), type: 'oidc.sign_in', app: 'Library', claims: ['sub', 'verified', 'age_over_18', 'birthdate', 'birth_date'], legalBasis: [], reason: null, answer: null };
    const en = activityPage({ lang: 'en', path: '/activity' }, [entry], null);
    assert.ok(en.includes('<dd>An identifier for this app alone, Identity verified, Aged 18 or over, Date of birth, Date of birth</dd>'), 'labels, not codes');
    const zh = activityPage({ lang: 'zh-CN', path: '/activity' }, [entry], null);
    assert.ok(zh.includes('<dd>本应用专用标识、已核验身份、已满18周岁、出生日期、出生日期</dd>'));
  });

  it('labels every OIDC and certificate claim, and leaves a name it does not know as it is', () => {
    for (const name of [...DEFAULT_CLAIMS, ...Object.keys(CLAIMS), ...WEB_CERTIFICATE_CLAIM_NAMES]) {
      assert.notEqual(claimLabel(name, 'en'), name, `${name} has an English label`);
      assert.notEqual(claimLabel(name, 'zh-CN'), name, `${name} has a Chinese label`);
    }
    assert.equal(claimLabel('shoe_size', 'en'), 'shoe_size');
  });
});
