/**
 * The claims netid can release, declared once (STYLE.md §5): what each one says, whether it is
 * plaintext identity (needs a registered legal basis AND the person's separate consent), and how
 * it is computed from the sealed identity attributes. Each claim is also a scope of the same name,
 * so a stock client can ask for it with `scope` alone, and `openid` carries the default set.
 */
import type { IdentityAttributes } from '../accounts/person-repository.ts';

export type AssuranceLevel = 'basic' | 'substantial' | 'high';
export const ASSURANCE_LEVELS: readonly AssuranceLevel[] = ['basic', 'substantial', 'high'];
export const assuranceRank = (level: string | undefined): number => (level ? ASSURANCE_LEVELS.indexOf(level as AssuranceLevel) : -1);

/** Released to every app: the pairwise subject, how the person authenticated, real-name verified. */
export const DEFAULT_CLAIMS = ['sub', 'acr', 'amr', 'verified'] as const;

export type RegionGroup = 'mainland' | 'hong_kong' | 'macao' | 'taiwan' | 'foreign';

export interface ClaimDefinition {
  readonly plaintext: boolean;
  readonly en: string;
  readonly zh: string;
  value(attributes: IdentityAttributes, ctx: { webNumber: string | null; today: Date }): unknown;
}

function ageOn(birthDate: string, today: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return age;
}

/**
 * Region group from the identity document (and nationality for passports): resident ID and
 * Chinese passport → mainland; HK/Macao travel or residence permits by the permit number's
 * letter; Taiwan permits → taiwan; foreign permanent resident ID and foreign passports → foreign.
 */
export function regionGroup(attributes: IdentityAttributes): RegionGroup {
  const type = attributes.document_type;
  if (type === 'cn_resident_id') return 'mainland';
  if (type === 'cn_passport') return attributes.nationality === 'CHN' ? 'mainland' : 'foreign';
  if (type === 'tw_travel_permit' || type === 'tw_residence_permit') return 'taiwan';
  if (type === 'hk_mo_travel_permit' || type === 'hk_mo_residence_permit') {
    const n = attributes.document_number.toUpperCase();
    // Travel permits start H/M; residence permits carry 810000 (HK) / 820000 (Macao) as region code.
    if (n.startsWith('M') || n.startsWith('82')) return 'macao';
    return 'hong_kong';
  }
  if (attributes.nationality === 'CHN') return 'mainland';
  return 'foreign';
}

export const CLAIMS: Readonly<Record<string, ClaimDefinition>> = {
  age_over_14: { plaintext: false, en: 'Whether you are 14 or older', zh: '是否年满14周岁', value: (a, c) => ageOn(a.birth_date, c.today) >= 14 },
  age_over_18: { plaintext: false, en: 'Whether you are 18 or older', zh: '是否年满18周岁', value: (a, c) => ageOn(a.birth_date, c.today) >= 18 },
  age_over_60: { plaintext: false, en: 'Whether you are 60 or older', zh: '是否年满60周岁', value: (a, c) => ageOn(a.birth_date, c.today) >= 60 },
  region_group: { plaintext: false, en: 'Your region group (mainland, Hong Kong, Macao, Taiwan, foreign)', zh: '您的地区类别（内地、香港、澳门、台湾、外国）', value: (a) => regionGroup(a) },
  name: { plaintext: true, en: 'Your name', zh: '姓名', value: (a) => a.name },
  birthdate: { plaintext: true, en: 'Your date of birth', zh: '出生日期', value: (a) => a.birth_date },
  sex: { plaintext: true, en: 'Your sex', zh: '性别', value: (a) => a.sex },
  document_type: { plaintext: true, en: 'Your identity document type', zh: '证件类型', value: (a) => a.document_type },
  document_number: { plaintext: true, en: 'Your identity document number', zh: '证件号码', value: (a) => a.document_number },
  web_number: { plaintext: true, en: 'Your web number', zh: '网号', value: (_a, c) => c.webNumber },
};

export const RELEASABLE_CLAIMS = Object.keys(CLAIMS);
export const isPlaintextClaim = (claim: string): boolean => CLAIMS[claim]?.plaintext === true;
