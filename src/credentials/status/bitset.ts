/**
 * A 1-bit Token Status List (draft-ietf-oauth-status-list §4): one bit per credential in a
 * Uint8Array, index i at byte i >> 3, bit i & 7 counted from the least significant bit; 1 means
 * INVALID (revoked). Encoded as DEFLATE with the zlib header (RFC 1950/1951), then base64url.
 *
 * Why not @sd-jwt/jwt-status-list's StatusList: it keeps one JS number per entry in an array, which
 * stops near 134 million entries and costs 8 bytes per entry; a national list needs a bitset.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { fromB64url } from '../encoding.ts';

export const STATUS_VALID = 0;
export const STATUS_INVALID = 1;

export type BitsPerStatus = 1 | 2 | 4 | 8;

export class StatusBitset {
  readonly size: number;
  readonly bytes: Uint8Array;

  constructor(size: number, bytes?: Uint8Array) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new TypeError('status list size must be a positive integer');
    const length = Math.ceil(size / 8);
    if (bytes && bytes.length !== length) throw new TypeError(`expected ${length} bytes for ${size} entries`);
    this.size = size;
    this.bytes = bytes ?? new Uint8Array(length);
  }

  get(index: number): number {
    this.#check(index);
    return (this.bytes[index >> 3]! >> (index & 7)) & 1;
  }

  set(index: number, value: 0 | 1): void {
    this.#check(index);
    if (value) this.bytes[index >> 3]! |= 1 << (index & 7);
    else this.bytes[index >> 3]! &= ~(1 << (index & 7));
  }

  #check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`status index ${index} outside 0..${this.size - 1}`);
  }
}

/** The `lst` value: base64url(zlib(DEFLATE(bytes))). Level 0–9; the draft recommends the highest. */
export function encodeStatusList(bytes: Uint8Array, level = 6): string {
  return deflateSync(bytes, { level }).toString('base64url');
}

/** Inflates an `lst` value to the raw status bytes (any bit size). */
export function decodeStatusListBytes(lst: string, maxBytes = 64 * 1024 * 1024): Uint8Array {
  return new Uint8Array(inflateSync(fromB64url(lst), { maxOutputLength: maxBytes }));
}

/** The status value of `index` in raw status bytes with `bits` bits per entry. */
export function statusAt(bytes: Uint8Array, bits: BitsPerStatus, index: number): number {
  const perByte = 8 / bits;
  const byte = Math.floor(index / perByte);
  if (!Number.isInteger(index) || index < 0 || byte >= bytes.length) throw new RangeError(`status index ${index} outside the list`);
  return (bytes[byte]! >> ((index % perByte) * bits)) & ((1 << bits) - 1);
}
