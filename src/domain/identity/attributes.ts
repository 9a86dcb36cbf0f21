/**
 * Identity attributes, declared once (STYLE.md §5): for each one its value type, the evidence that
 * proves it, its OpenID Connect claim and scope, its web-certificate claim, whether it is
 * plaintext identity, its zh-CN/en label, and the one function that derives it. OIDC claims
 * (src/oidc/claims.ts), the web certificate (src/credentials/claims.ts), the consent page and the
 * activity page are projections of this table; test/domain/identity.test.ts checks that OIDC and
 * the certificate agree for every document type.
 */
import type { CalendarDate } from '../dates.ts';
import type { DocumentType } from '../documents/types.ts';
import { AGE_THRESHOLDS, ageOn, type AgeThreshold } from './age.ts';
import type { IdentityFacts } from './record.ts';
import { regionGroupOf, type RegionGroup } from './region-group.ts';

/** What proves an attribute. */
export type Evidence =
  /** The document number passed its type's rules (src/domain/documents). */
  | 'document_rules'
  /** The authoritative registry's record for that document, matched at enrolment. */
  | 'registry_record'
  /** A live face matched the registry portrait at enrolment. */
  | 'live_face_match'
  /** netid assigned it. */
  | 'netid';

export interface Label {
  readonly 'zh-CN': string;
  readonly en: string;
}

export interface AttributeDeclaration<V> {
  readonly evidence: readonly Evidence[];
  /** Its OpenID Connect claim and the scope that releases it; null: not released over OIDC. */
  readonly oidc: { readonly claim: string; readonly scope: string } | null;
  /** Its claim in the web certificate; null: the certificate does not carry it. */
  readonly certificate: { readonly claim: string; readonly selectivelyDisclosable: boolean } | null;
  /**
   * Plaintext identity (SPEC F9): an app may ask for it only with a registered legal basis, and
   * receives it only with the person's separate consent.
   */
  readonly plaintextIdentity: boolean;
  readonly label: Label;
  /** The value, from the person's identity record at the instant `at`. */
  readonly derive: (facts: IdentityFacts, at: Date) => V;
}

type AgeAttributeId = `age_over_${AgeThreshold}`;

/** The value type of each attribute. */
export type AttributeValues = {
  readonly web_number: string | null;
  readonly verified: true;
  readonly region_group: RegionGroup;
  readonly name: string;
  readonly birth_date: CalendarDate;
  readonly sex: 'M' | 'F';
  readonly document_type: DocumentType;
  readonly document_number: string;
  readonly nationality: string;
} & { readonly [K in AgeAttributeId]: boolean };

export type AttributeId = keyof AttributeValues;

type Declarations = { readonly [K in AttributeId]: AttributeDeclaration<AttributeValues[K]> };

/** Released over OIDC and carried in the certificate under the same name. */
const sameName = (name: string) => ({ oidc: { claim: name, scope: name }, certificate: { claim: name, selectivelyDisclosable: true } });

function ageAttributes(): { readonly [K in AgeAttributeId]: AttributeDeclaration<boolean> } {
  const entries = AGE_THRESHOLDS.map((n): [AgeAttributeId, AttributeDeclaration<boolean>] => [`age_over_${n}`, {
    evidence: ['document_rules', 'registry_record'],
    ...sameName(`age_over_${n}`),
    plaintextIdentity: false,
    label: { 'zh-CN': `已满${n}周岁`, en: `Aged ${n} or over` },
    derive: (f, at) => ageOn(f.attributes.birth_date, at) >= n,
  }]);
  return Object.fromEntries(entries) as { readonly [K in AgeAttributeId]: AttributeDeclaration<boolean> };
}

/** In the order the certificate lists its claims. */
export const IDENTITY_ATTRIBUTES: Declarations = {
  /*
   * The web number carries no identity data (SPEC F5), but it is one identifier per person, the
   * same in every app: whoever receives it can link the person across apps, which is what pairwise
   * subjects exist to prevent. SPEC §2 lets an app have it only with the person's separate
   * consent, so it is treated as plaintext identity: a registered legal basis and a consent
   * screen over OIDC; in the certificate, a digest the person alone decides to disclose.
   */
  web_number: {
    evidence: ['netid'],
    ...sameName('web_number'),
    plaintextIdentity: true,
    label: { 'zh-CN': '网号', en: 'Web number' },
    derive: (f) => f.webNumber,
  },
  /** Always true: a person exists only after a completed enrolment, and a deactivated one gets no claims. */
  verified: {
    evidence: ['document_rules', 'registry_record', 'live_face_match'],
    oidc: { claim: 'verified', scope: 'openid' },
    certificate: { claim: 'verified', selectivelyDisclosable: true },
    plaintextIdentity: false,
    label: { 'zh-CN': '已核验身份', en: 'Identity verified' },
    derive: () => true,
  },
  ...ageAttributes(),
  region_group: {
    evidence: ['document_rules', 'registry_record'],
    ...sameName('region_group'),
    plaintextIdentity: false,
    label: { 'zh-CN': '地区类别', en: 'Region group' },
    derive: (f) => regionGroupOf(f.attributes.document_type, f.attributes.document_number),
  },
  name: {
    evidence: ['registry_record'],
    ...sameName('name'),
    plaintextIdentity: true,
    label: { 'zh-CN': '姓名', en: 'Name' },
    derive: (f) => f.attributes.name,
  },
  /** `birthdate` is OpenID Connect Core's standard claim name (§5.1); the certificate keeps the record's. */
  birth_date: {
    evidence: ['document_rules', 'registry_record'],
    oidc: { claim: 'birthdate', scope: 'birthdate' },
    certificate: { claim: 'birth_date', selectivelyDisclosable: true },
    plaintextIdentity: true,
    label: { 'zh-CN': '出生日期', en: 'Date of birth' },
    derive: (f) => f.attributes.birth_date,
  },
  sex: {
    evidence: ['document_rules', 'registry_record'],
    ...sameName('sex'),
    plaintextIdentity: true,
    label: { 'zh-CN': '性别', en: 'Sex' },
    derive: (f) => f.attributes.sex,
  },
  document_type: {
    evidence: ['document_rules', 'registry_record'],
    ...sameName('document_type'),
    plaintextIdentity: true,
    label: { 'zh-CN': '证件类型', en: 'Document type' },
    derive: (f) => f.attributes.document_type,
  },
  document_number: {
    evidence: ['document_rules', 'registry_record'],
    ...sameName('document_number'),
    plaintextIdentity: true,
    label: { 'zh-CN': '证件号码', en: 'Document number' },
    derive: (f) => f.attributes.document_number,
  },
  /*
   * Not released over OIDC: Core has no nationality claim and no app has shown a law that needs
   * it; the region group answers "mainland or not". Releasing it is one line here.
   */
  nationality: {
    evidence: ['registry_record'],
    oidc: null,
    certificate: { claim: 'nationality', selectivelyDisclosable: true },
    plaintextIdentity: true,
    label: { 'zh-CN': '国籍', en: 'Nationality' },
    derive: (f) => f.attributes.nationality,
  },
};

export const ATTRIBUTE_IDS = Object.keys(IDENTITY_ATTRIBUTES) as readonly AttributeId[];

/**
 * OpenID Connect claims that describe the sign-in, not the person: every app receives them with
 * `openid`. Labelled here so a page can name every claim an app received.
 */
export const SIGN_IN_CLAIMS: Readonly<Record<'sub' | 'acr' | 'amr', Label>> = {
  sub: { 'zh-CN': '本应用专用标识', en: 'An identifier for this app alone' },
  acr: { 'zh-CN': '认证等级', en: 'Assurance level of the sign-in' },
  amr: { 'zh-CN': '认证方式', en: 'How you signed in' },
};

const LABELS: ReadonlyMap<string, Label> = new Map<string, Label>([
  ...Object.entries(SIGN_IN_CLAIMS),
  ...ATTRIBUTE_IDS.flatMap((id): [string, Label][] => {
    const a = IDENTITY_ATTRIBUTES[id] as AttributeDeclaration<unknown>;
    return [a.oidc, a.certificate].filter((c) => c !== null).map((c) => [c.claim, a.label]);
  }),
]);

/** The label of an OIDC or certificate claim name; the name itself when it is none of ours. */
export function claimLabel(claim: string, lang: keyof Label): string {
  return LABELS.get(claim)?.[lang] ?? claim;
}
