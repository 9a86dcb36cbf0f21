/** Small encoding helpers shared by issuance, holder and verifier (no I/O). */
import { createHash } from 'node:crypto';

const encoder = new TextEncoder();

export function b64url(data: Uint8Array | string): string {
  return Buffer.from(typeof data === 'string' ? encoder.encode(data) : data).toString('base64url');
}

export function fromB64url(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  return Buffer.from(text, 'base64url');
}

/** SD-JWT digest: base64url(SHA-256(ASCII(disclosure))) (RFC 9901 §4.2.3). */
export function sha256B64url(text: string): string {
  return createHash('sha256').update(text, 'ascii').digest('base64url');
}

export function decodeJsonPart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(fromB64url(part).toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('not a JSON object');
  return value as Record<string, unknown>;
}
