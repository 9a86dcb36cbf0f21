/**
 * The signed-note verifier key text form, `<name>+<key id hex>+<base64(type || public key)>`, as
 * golang.org/x/mod/sumdb/note and C2SP tooling print it. This is what netid publishes so that
 * anyone can check checkpoints; parsing checks that the key id matches the key.
 */
import { decodeBase64Strict, encodeBase64 } from './base64.ts';
import { ED25519_TYPE, isValidKeyName, noteKeyId } from './key-id.ts';

export interface NoteVerifierKey {
  readonly name: string;
  readonly keyId: number;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new TypeError('Ed25519 public keys are 32 bytes');
  const keyId = noteKeyId(name, ED25519_TYPE, publicKey);
  const typed = new Uint8Array(33);
  typed[0] = ED25519_TYPE;
  typed.set(publicKey, 1);
  return `${name}+${keyId.toString(16).padStart(8, '0')}+${encodeBase64(typed)}`;
}

/** Parses a verifier key; undefined if it is malformed, of an unknown type, or its id is wrong. */
export function parseVerifierKey(vkey: string): NoteVerifierKey | undefined {
  // The name has no '+', the id is hex; the base64 key may itself contain '+'.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) return undefined;
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const keyText = vkey.slice(second + 1);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) return undefined;
  const typed = decodeBase64Strict(keyText);
  if (!typed || typed.length !== 33 || typed[0] !== ED25519_TYPE) return undefined;
  const publicKey = typed.slice(1);
  const keyId = Number.parseInt(idHex, 16);
  if (noteKeyId(name, ED25519_TYPE, publicKey) !== keyId) return undefined;
  return { name, keyId, publicKey };
}
