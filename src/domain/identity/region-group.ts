/**
 * The region group, the one rule: it follows from the document a person enrolled with
 * (docs/documents.md), never from the nationality field of a record.
 *
 * - `cn_resident_id`: the card of mainland household registration → mainland.
 * - `cn_passport`: issued by CHN to CHN nationals only (the document rules refuse an MRZ saying
 *   otherwise); SAR passports are not accepted → mainland, whatever a record's nationality says.
 * - `hk_mo_travel_permit`: the letter says the region, H Hong Kong, M Macao.
 * - `hk_mo_residence_permit`: the address code says it, 810000 Hong Kong, 820000 Macao.
 * - `tw_travel_permit`, `tw_residence_permit` → taiwan.
 * - `foreign_permanent_resident_id`: issued to foreigners only → foreign.
 */
import type { DocumentType } from '../documents/types.ts';
import { normaliseDocumentNumber } from '../documents/normalise.ts';
import { RESIDENCE_PERMIT_PREFIX } from '../documents/regions.ts';

export const REGION_GROUPS = ['mainland', 'hong_kong', 'macao', 'taiwan', 'foreign'] as const;
export type RegionGroup = (typeof REGION_GROUPS)[number];

export function regionGroupOf(documentType: DocumentType, documentNumber: string): RegionGroup {
  const number = normaliseDocumentNumber(documentNumber);
  switch (documentType) {
    case 'cn_resident_id':
    case 'cn_passport':
      return 'mainland';
    case 'hk_mo_travel_permit':
      return number.startsWith('M') ? 'macao' : 'hong_kong';
    case 'hk_mo_residence_permit':
      return number.startsWith(RESIDENCE_PERMIT_PREFIX.MO) ? 'macao' : 'hong_kong';
    case 'tw_travel_permit':
    case 'tw_residence_permit':
      return 'taiwan';
    case 'foreign_permanent_resident_id':
      return 'foreign';
  }
}
