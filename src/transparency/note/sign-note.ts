/**
 * Signs a note (c2sp.org/signed-note): text ending in a newline, a blank line, then one line per
 * signature: "— <key name> <base64(key id || signature)>". Signing goes through the key store's
 * SigningKey, so the private key never leaves the store.
 */
import type { SigningKey } from '../../keys/key-store.ts';
import { encodeBase64 } from './base64.ts';
import { ED25519_TYPE, isValidKeyName, noteKeyId } from './key-id.ts';

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** Raw Ed25519 public key. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const encoder = new TextEncoder();

/** A note signer backed by an EdDSA (Ed25519) key from the key store. */
export function noteSignerFromSigningKey(name: string, key: SigningKey): NoteSigner {
  if (key.alg !== 'EdDSA' || key.publicJwk.crv !== 'Ed25519' || typeof key.publicJwk.x !== 'string') {
    throw new TypeError('signed notes need an Ed25519 (EdDSA) signing key');
  }
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  const publicKey = new Uint8Array(Buffer.from(key.publicJwk.x, 'base64url'));
  return { name, keyId: noteKeyId(name, ED25519_TYPE, publicKey), publicKey, sign: (message) => key.sign(message) };
}

export function isValidNoteText(text: string): boolean {
  return text.endsWith('\n') && !/[\u0000-\u0009\u000b-\u001f]/.test(text) && text.isWellFormed();
}

export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  if (!isValidNoteText(text)) throw new TypeError('note text must end in a newline and hold no control characters');
  if (signers.length === 0) throw new TypeError('a note needs at least one signer');
  const message = encoder.encode(text);
  let lines = '';
  for (const signer of signers) {
    const signature = await signer.sign(message);
    const blob = new Uint8Array(4 + signature.length);
    new DataView(blob.buffer).setUint32(0, signer.keyId);
    blob.set(signature, 4);
    lines += `— ${signer.name} ${encodeBase64(blob)}\n`;
  }
  return `${text}\n${lines}`;
}
