/**
 * Person references in the public log. Each entry that concerns a person carries a fresh random
 * nonce and commitment = HMAC-SHA256(personLogKey, "netid-log-v1" || 0x00 || nonce), truncated to
 * 16 bytes. The person, given their personLogKey, tests every entry and finds their own; without
 * the key the commitments are indistinguishable from random, so nobody can tell that two entries
 * concern the same person (a single stable tag per person would make every entry of that person
 * linkable by the public). Cost: the person scans the log (one HMAC per entry); see
 * docs/transparency.md for the trade-off.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeLogEvent, type LogEvent } from './entry.ts';

const COMMITMENT_CONTEXT = Buffer.from('netid-log-v1\u0000', 'utf8');
const PERSON_KEY_CONTEXT = Buffer.from('netid-log-person-key-v1\u0000', 'utf8');
export const NONCE_BYTES = 16;
const COMMITMENT_BYTES = 16;

/** The per-person log key, derived server-side from the log master key; shown only to that person. */
export function derivePersonLogKey(masterLogKey: Uint8Array, personId: string): Uint8Array {
  if (masterLogKey.length < 32) throw new TypeError('the log master key must be at least 32 bytes');
  return new Uint8Array(createHmac('sha256', masterLogKey).update(PERSON_KEY_CONTEXT).update(personId, 'utf8').digest());
}

/** base64url(HMAC-SHA256(personKey, "netid-log-v1" || 0x00 || nonce)[:16]). */
export function personCommitment(personKey: Uint8Array, nonce: Uint8Array): string {
  if (nonce.length !== NONCE_BYTES) throw new TypeError(`nonces are ${NONCE_BYTES} bytes`);
  return createHmac('sha256', personKey).update(COMMITMENT_CONTEXT).update(nonce).digest().subarray(0, COMMITMENT_BYTES).toString('base64url');
}

/** The two entry fields naming a person, with a fresh nonce from `randomBytes`. */
export function subjectFields(personKey: Uint8Array, randomBytes: (n: number) => Uint8Array): { subject_nonce: string; subject_commitment: string } {
  const nonce = randomBytes(NONCE_BYTES);
  return { subject_nonce: Buffer.from(nonce).toString('base64url'), subject_commitment: personCommitment(personKey, nonce) };
}

/** True iff this event names the holder of personKey. */
export function isOwnEvent(personKey: Uint8Array, event: LogEvent): boolean {
  if (event.subject_nonce === undefined || event.subject_commitment === undefined) return false;
  const nonce = Buffer.from(event.subject_nonce, 'base64url');
  if (nonce.length !== NONCE_BYTES) return false;
  const expected = Buffer.from(personCommitment(personKey, nonce), 'base64url');
  const actual = Buffer.from(event.subject_commitment, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The entries (with their log indexes) that name the holder of personKey. The scan reads only the
 * two subject fields of each entry; a match is then fully decoded and validated.
 */
export function findOwnEntries(personKey: Uint8Array, entries: readonly Uint8Array[], firstIndex = 0): Array<{ index: number; event: LogEvent }> {
  const own: Array<{ index: number; event: LogEvent }> = [];
  const decoder = new TextDecoder();
  entries.forEach((bytes, i) => {
    let subject: { subject_nonce?: unknown; subject_commitment?: unknown };
    try {
      subject = JSON.parse(decoder.decode(bytes));
    } catch {
      return;
    }
    if (typeof subject?.subject_nonce !== 'string' || typeof subject.subject_commitment !== 'string') return;
    if (!isOwnEvent(personKey, subject as LogEvent)) return;
    const event = decodeLogEvent(bytes);
    if (event) own.push({ index: firstIndex + i, event });
  });
  return own;
}
