/**
 * Envelope encryption for data at rest. Each record gets its own random data key (AES-256-GCM);
 * the data key is wrapped under the master key (the key-encryption key, KEK) and stored with
 * the record together with the KEK's id, so the master key can rotate: old KEKs stay available
 * for unwrapping (NETID_PREVIOUS_MASTER_KEYS) while records are re-wrapped.
 *
 * The context string (for example `persons.attributes:<person_id>`) is bound as additional
 * authenticated data: a sealed blob copied to another row does not open there.
 *
 * Layout: 0x01 | kekIdLength | kekId | wrapIv(12) | wrappedDek(32) | wrapTag(16) | iv(12) | tag(16) | ciphertext
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { defineErrors } from '../domain/errors.ts';

const SealError = defineErrors({
  'crypto.unseal_failed': { status: 500, en: 'Stored data could not be decrypted.', zh: '无法解密存储的数据。' },
  'crypto.unknown_master_key': { status: 500, en: 'Stored data was sealed under a master key that is not configured.', zh: '存储的数据由未配置的主密钥加密。' },
});

export interface Sealer {
  seal(plaintext: Uint8Array, context: string): Uint8Array;
  unseal(sealed: Uint8Array, context: string): Uint8Array;
  sealJson(value: unknown, context: string): Uint8Array;
  unsealJson<T>(sealed: Uint8Array, context: string): T;
  /** Keyed hash (HMAC-SHA256) for lookups of identifying values without storing them. */
  keyedHash(purpose: string, value: string): string;
  /** A secret derived for one purpose (e.g. pairwise identifiers, log commitments). */
  deriveKey(purpose: string): Buffer;
}

function kekIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function gcmEncrypt(key: Buffer, plaintext: Uint8Array, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/**
 * @param masterKeys base64url 32-byte keys; the first seals, all unseal.
 */
export function createSealer(masterKeys: readonly string[]): Sealer {
  const keks = masterKeys.map((k) => Buffer.from(k, 'base64url'));
  if (keks.length === 0 || keks.some((k) => k.length !== 32)) throw new TypeError('master keys must be 32 bytes each');
  const current = keks[0]!;
  const currentId = kekIdOf(current);
  const byId = new Map(keks.map((k) => [kekIdOf(k), k]));
  // Keyed hashes and derived secrets come from the current master key through HKDF with a
  // purpose label; rotating the master key therefore needs a re-keying run (ADR 0003).
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', current, Buffer.alloc(0), `netid ${purpose}`, 32));
  const hashKeys = new Map<string, Buffer>();

  const sealer: Sealer = {
    seal(plaintext, context) {
      const dek = randomBytes(32);
      const aad = Buffer.from(context);
      const wrapped = gcmEncrypt(current, dek, Buffer.from(`kek:${context}`));
      const body = gcmEncrypt(dek, plaintext, aad);
      const id = Buffer.from(currentId, 'ascii');
      return Buffer.concat([Buffer.from([1, id.length]), id, wrapped.iv, wrapped.ciphertext, wrapped.tag, body.iv, body.tag, body.ciphertext]);
    },
    unseal(sealed, context) {
      const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      try {
        if (buf[0] !== 1) throw new Error('unknown envelope version');
        const idLength = buf[1]!;
        const id = buf.subarray(2, 2 + idLength).toString('ascii');
        const kek = byId.get(id);
        if (!kek) throw SealError('crypto.unknown_master_key', { kek_id: id });
        let at = 2 + idLength;
        const take = (n: number) => buf.subarray(at, (at += n));
        const wrapIv = take(12);
        const wrappedDek = take(32);
        const wrapTag = take(16);
        const iv = take(12);
        const tag = take(16);
        const ciphertext = buf.subarray(at);
        const dek = gcmDecrypt(kek, wrapIv, wrappedDek, wrapTag, Buffer.from(`kek:${context}`));
        return gcmDecrypt(dek, iv, ciphertext, tag, Buffer.from(context));
      } catch (error) {
        if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'crypto.unknown_master_key') throw error;
        throw SealError('crypto.unseal_failed');
      }
    },
    sealJson(value, context) {
      return sealer.seal(Buffer.from(JSON.stringify(value)), context);
    },
    unsealJson<T>(sealed: Uint8Array, context: string): T {
      return JSON.parse(Buffer.from(sealer.unseal(sealed, context)).toString('utf8')) as T;
    },
    keyedHash(purpose, value) {
      let key = hashKeys.get(purpose);
      if (!key) hashKeys.set(purpose, (key = derive(`keyed-hash ${purpose}`)));
      return createHmac('sha256', key).update(value).digest('base64url');
    },
    deriveKey(purpose) {
      return derive(purpose);
    },
  };
  return sealer;
}
