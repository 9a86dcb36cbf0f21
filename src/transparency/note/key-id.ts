/**
 * c2sp.org/signed-note key ID: the first four bytes (big-endian uint32) of
 * SHA-256(key name || 0x0A || signature type || public key). Ed25519 is type 0x01.
 */
import { createHash } from 'node:crypto';

export const ED25519_TYPE = 0x01;

export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(new Uint8Array([0x0a, type])).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

/** Key names are non-empty, with no Unicode spaces and no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name) && !/[\u0000-\u001f]/.test(name);
}
