/**
 * The web certificate's claims, declared once: name, meaning, display names (zh-CN, en) and
 * whether the claim is plaintext identity. Every claim is selectively disclosable.
 */

export const REGION_GROUPS = ['mainland', 'hong_kong', 'macao', 'taiwan', 'foreign'] as const;
export type RegionGroup = (typeof REGION_GROUPS)[number];

/** Ages for which the certificate carries an `age_over_N` predicate, computed at issuance. */
export const AGE_THRESHOLDS = [14, 16, 18, 60] as const;

export interface ClaimDeclaration {
  readonly name: string;
  readonly plaintextIdentity: boolean;
  readonly display: { readonly 'zh-CN': string; readonly en: string };
}

export const WEB_CERTIFICATE_CLAIMS: readonly ClaimDeclaration[] = [
  { name: 'web_number', plaintextIdentity: false, display: { 'zh-CN': '网号', en: 'Web number' } },
  { name: 'verified', plaintextIdentity: false, display: { 'zh-CN': '已核验身份', en: 'Identity verified' } },
  { name: 'age_over_14', plaintextIdentity: false, display: { 'zh-CN': '已满14周岁', en: 'Aged 14 or over' } },
  { name: 'age_over_16', plaintextIdentity: false, display: { 'zh-CN': '已满16周岁', en: 'Aged 16 or over' } },
  { name: 'age_over_18', plaintextIdentity: false, display: { 'zh-CN': '已满18周岁', en: 'Aged 18 or over' } },
  { name: 'age_over_60', plaintextIdentity: false, display: { 'zh-CN': '已满60周岁', en: 'Aged 60 or over' } },
  { name: 'region_group', plaintextIdentity: false, display: { 'zh-CN': '地区类别', en: 'Region group' } },
  { name: 'name', plaintextIdentity: true, display: { 'zh-CN': '姓名', en: 'Name' } },
  { name: 'birth_date', plaintextIdentity: true, display: { 'zh-CN': '出生日期', en: 'Date of birth' } },
  { name: 'sex', plaintextIdentity: true, display: { 'zh-CN': '性别', en: 'Sex' } },
  { name: 'document_type', plaintextIdentity: true, display: { 'zh-CN': '证件类型', en: 'Document type' } },
  { name: 'document_number', plaintextIdentity: true, display: { 'zh-CN': '证件号码', en: 'Document number' } },
  { name: 'nationality', plaintextIdentity: true, display: { 'zh-CN': '国籍', en: 'Nationality' } },
];

export const WEB_CERTIFICATE_CLAIM_NAMES: readonly string[] = WEB_CERTIFICATE_CLAIMS.map((c) => c.name);

/** The credential type of the web certificate: `${issuer}/vct/web-certificate/v1`. */
export function webCertificateVct(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/vct/web-certificate/v1`;
}

/** The status list URL for a list id: `${issuer}/status/v1/lists/<id>`. */
export function statusListUri(issuer: string, listId: number): string {
  return `${issuer.replace(/\/+$/, '')}/status/v1/lists/${listId}`;
}

/** Whole years between a YYYY-MM-DD birth date and `on` (UTC calendar). */
export function ageOn(birthDate: string, on: Date): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) throw new TypeError(`birth date must be YYYY-MM-DD, got ${birthDate}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = on.getUTCFullYear() - y;
  const month = on.getUTCMonth() + 1;
  if (month < m || (month === m && on.getUTCDate() < d)) age -= 1;
  return age;
}
