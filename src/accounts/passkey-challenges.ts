/**
 * WebAuthn challenges that store nothing until they are used (docs/adr/0005-stateless-passkey-challenges.md).
 *
 * A challenge is 37 bytes: a version byte, its expiry (seconds since the epoch, 4 bytes), 16 random
 * bytes, and a 16-byte HMAC-SHA256 tag over those and over what it was issued for (a purpose such
 * as `netid_signin`, and the person or operator it is bound to, if any) under a key derived from
 * the master key. Asking for options therefore writes nothing, so no client can fill the database
 * with them; every node holding the master key can check any node's challenge.
 *
 * Single use is enforced only when it matters: after a response has verified (which needs a
 * registered passkey), `spend` records the challenge in the EphemeralStore until it expires, and a
 * second use of it is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';

/** How long a challenge stays usable. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

const VERSION = 1;
const HEADER = 1 + 4 + 16;
const TAG = 16;
const SPENT = 'webauthn-spent';

export class PasskeyChallenges {
  readonly #key: Uint8Array;
  readonly #spent: EphemeralStore;
  readonly #now: () => Date;

  constructor(deps: { key: Uint8Array; spent: EphemeralStore; now: () => Date }) {
    this.#key = deps.key;
    this.#spent = deps.spent;
    this.#now = deps.now;
  }

  /** A new challenge for `purpose`, bound to `subject` (a person or operator id) when given. Stores nothing. */
  issue(purpose: string, subject: string | null = null): Uint8Array<ArrayBuffer> {
    const challenge = new Uint8Array(HEADER + TAG);
    challenge[0] = VERSION;
    new DataView(challenge.buffer).setUint32(1, Math.ceil((this.#now().getTime() + CHALLENGE_TTL_MS) / 1000));
    challenge.set(randomBytes(16), 5);
    challenge.set(this.#tag(challenge.subarray(0, HEADER), purpose, subject), HEADER);
    return challenge;
  }

  /**
   * The challenge (base64url, as in clientDataJSON) a WebAuthn response answers, when this service
   * issued it for `purpose` and `subject` and it has not expired; null otherwise. Checks the tag
   * and the expiry only: it reads and writes nothing, and does not tell whether it was used before.
   */
  open(clientDataJSON: unknown, purpose: string, subject: string | null = null): string | null {
    const encoded = challengeOf(clientDataJSON);
    if (!encoded) return null;
    const bytes = Buffer.from(encoded, 'base64url');
    if (bytes.length !== HEADER + TAG || bytes[0] !== VERSION || bytes.toString('base64url') !== encoded) return null;
    if (!timingSafeEqual(bytes.subarray(HEADER), this.#tag(bytes.subarray(0, HEADER), purpose, subject))) return null;
    if (bytes.readUInt32BE(1) * 1000 <= this.#now().getTime()) return null;
    return encoded;
  }

  /**
   * Uses a challenge up; call it once the response verified and before acting on it. False when it
   * was used before (a replayed response): refuse then. Remembered until the challenge expires.
   */
  async spend(challenge: string): Promise<boolean> {
    const expiresAt = new Date(Buffer.from(challenge, 'base64url').readUInt32BE(1) * 1000);
    return this.#spent.putIfAbsent(SPENT, challenge, { payload: {}, expiresAt });
  }

  #tag(header: Uint8Array, purpose: string, subject: string | null): Buffer {
    // Length-prefixed fields, so no purpose/subject pair can be read as another.
    const field = (value: string) => {
      const bytes = Buffer.from(value, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    return createHmac('sha256', this.#key).update(header).update(field(purpose)).update(field(subject ?? '')).digest().subarray(0, TAG);
  }
}

/** The challenge a response answers, read from its clientDataJSON (verified later). */
export function challengeOf(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4096) return null;
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' && parsed.challenge.length <= 200 ? parsed.challenge : null;
  } catch {
    return null;
  }
}
