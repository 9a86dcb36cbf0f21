/**
 * The pairwise subject identifier (OpenID Connect Core §8.1): one value per (sector, person),
 * HMAC-SHA256 under a key derived from the master key for this purpose only. Apps of one sector
 * see the same `sub`; apps of different sectors cannot link their users. The newline separator
 * keeps (sector, person) unambiguous (a sector is a DNS name and cannot contain one).
 */
import { createHmac } from 'node:crypto';

export function pairwiseSubject(key: Uint8Array, sectorIdentifier: string, personId: string): string {
  if (sectorIdentifier.includes('\n')) throw new TypeError('sector identifier must not contain a newline');
  return createHmac('sha256', key).update(`${sectorIdentifier}\n${personId}`).digest('base64url');
}
