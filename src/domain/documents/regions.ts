/**
 * Provincial-level codes of GB/T 2260 (the first two digits of a GB 11643 address code).
 * 71 is Taiwan province; 81 and 82 are Hong Kong and Macao. Residence permits use the
 * pseudo address codes 810000 (Hong Kong), 820000 (Macao) and 830000 (Taiwan).
 */
export const MAINLAND_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', // Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia
  '21', '22', '23', // Liaoning, Jilin, Heilongjiang
  '31', '32', '33', '34', '35', '36', '37', // Shanghai, Jiangsu, Zhejiang, Anhui, Fujian, Jiangxi, Shandong
  '41', '42', '43', '44', '45', '46', // Henan, Hubei, Hunan, Guangdong, Guangxi, Hainan
  '50', '51', '52', '53', '54', // Chongqing, Sichuan, Guizhou, Yunnan, Tibet
  '61', '62', '63', '64', '65', // Shaanxi, Gansu, Qinghai, Ningxia, Xinjiang
]);

/** Address codes a Resident Identity Card number may start with: the mainland provinces and 71. */
export function isResidentIdProvince(code: string): boolean {
  return MAINLAND_PROVINCE_CODES.has(code) || code === '71';
}

export const RESIDENCE_PERMIT_PREFIX = {
  HK: '810000',
  MO: '820000',
  TW: '830000',
} as const;
