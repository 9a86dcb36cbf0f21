/**
 * Opens a signed note (c2sp.org/signed-note): splits text from signatures at the last blank line,
 * ignores signatures from unknown keys, rejects the whole note if a known key's signature fails,
 * and rejects it if no known key signed it. Pure apart from Ed25519 verification.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodeBase64Strict } from './base64.ts';
import { isValidKeyName } from './key-id.ts';
import { isValidNoteText } from './sign-note.ts';
import type { NoteVerifierKey } from './verifier-key.ts';

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly base64: string;
}

export type OpenNoteResult =
  | { readonly ok: true; readonly text: string; readonly verified: NoteSignature[]; readonly unverified: NoteSignature[] }
  | { readonly ok: false; readonly reason: 'malformed' | 'invalid_signature' | 'no_known_signature' };

/** Verifiers must accept at least 16 signatures; we cap at 100 like the Go implementation. */
const MAX_SIGNATURES = 100;

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function parseNote(message: string): { text: string; signatures: NoteSignature[] } | undefined {
  if (!message.isWellFormed() || /[\u0000-\u0009\u000b-\u001f]/.test(message) || !message.endsWith('\n')) return undefined;
  const split = message.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const text = message.slice(0, split + 1);
  const signatureBlock = message.slice(split + 2);
  if (!isValidNoteText(text) || signatureBlock.length === 0) return undefined;
  const signatures: NoteSignature[] = [];
  for (const line of signatureBlock.slice(0, -1).split('\n')) {
    const match = /^— (\S+) (\S+)$/u.exec(line);
    if (!match) return undefined;
    const [, name, base64] = match as unknown as [string, string, string];
    const blob = decodeBase64Strict(base64);
    if (!isValidKeyName(name) || !blob || blob.length < 5) return undefined;
    signatures.push({ name, keyId: new DataView(blob.buffer, blob.byteOffset).getUint32(0), base64 });
    if (signatures.length > MAX_SIGNATURES) return undefined;
  }
  return { text, signatures };
}

export function openNote(message: string, keys: readonly NoteVerifierKey[]): OpenNoteResult {
  const parsed = parseNote(message);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const textBytes = Buffer.from(parsed.text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const signature of parsed.signatures) {
    const key = keys.find((k) => k.name === signature.name && k.keyId === signature.keyId);
    if (!key) {
      unverified.push(signature);
      continue;
    }
    const blob = decodeBase64Strict(signature.base64)!;
    const good = blob.length === 68 && verify(null, textBytes, ed25519PublicKey(key.publicKey), blob.subarray(4));
    if (!good) return { ok: false, reason: 'invalid_signature' };
    if (!verified.some((s) => s.name === signature.name && s.keyId === signature.keyId)) verified.push(signature);
  }
  if (verified.length === 0) return { ok: false, reason: 'no_known_signature' };
  return { ok: true, text: parsed.text, verified, unverified };
}
