/**
 * Scan-to-login (SPEC §3): the sign-in page an app sent the person to shows a QR code; the person
 * scans it with the netid app on their phone, where they are signed in with their passkey, sees
 * which app asks, and approves or declines there. The page on the other screen polls and
 * continues by itself — through the same login steps as a passkey on that screen (per-app block,
 * user verification, face step for `high`, consent).
 *
 * State, in the EphemeralStore with the interaction's lifetime:
 *   NetidScanCode  sha256(code) → { uid, client_id }        the phone's lookup; consumed by the decision
 *   NetidScanState uid          → { state, code_hash, … }   the sign-in page's poll
 * Both are primary-key lookups. The code (128 random bits) is only in the QR code; the store
 * holds its hash. Showing the page again makes a new code and retires the old one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';

const SCAN_CODE = 'NetidScanCode';
const SCAN_STATE = 'NetidScanState';
/** A QR code lives at most this long; the page shows a fresh one when reloaded. */
export const SCAN_CODE_TTL_MS = 5 * 60_000;

export type ScanState =
  | { readonly state: 'pending' }
  | { readonly state: 'declined' }
  | { readonly state: 'approved'; readonly personId: string; readonly userVerified: boolean };

export interface ScanRequest {
  readonly uid: string;
  readonly clientId: string;
}

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

export class ScanLogins {
  readonly #store: EphemeralStore;
  readonly #now: () => Date;

  constructor(deps: { store: EphemeralStore; now: () => Date }) {
    this.#store = deps.store;
    this.#now = deps.now;
  }

  /** A new code for the interaction (any earlier one for it stops working). */
  async start(uid: string, clientId: string): Promise<string> {
    const code = randomBytes(16).toString('base64url');
    const expiresAt = new Date(this.#now().getTime() + SCAN_CODE_TTL_MS);
    await this.#store.put(SCAN_CODE, hash(code), { payload: { uid, client_id: clientId }, expiresAt });
    await this.#store.put(SCAN_STATE, uid, { payload: { state: 'pending', code_hash: hash(code) }, expiresAt });
    return code;
  }

  /** What a scanned code asks for, while it is the interaction's current, undecided code. */
  async lookup(code: string): Promise<ScanRequest | null> {
    if (!/^[\w-]{22}$/.test(code)) return null;
    const record = await this.#store.get(SCAN_CODE, hash(code));
    if (!record || record.consumedAt) return null;
    const uid = String(record.payload.uid);
    const state = await this.#store.get(SCAN_STATE, uid);
    if (state?.payload.state !== 'pending' || state.payload.code_hash !== hash(code)) return null;
    return { uid, clientId: String(record.payload.client_id) };
  }

  /** The person's decision on their phone; false when the code is unknown, old or already decided. */
  async decide(code: string, decision: { approve: true; personId: string; userVerified: boolean } | { approve: false }): Promise<boolean> {
    const request = await this.lookup(code);
    // First decision wins: the code record is consumed exactly once.
    if (!request || !(await this.#store.consume(SCAN_CODE, hash(code)))) return false;
    const payload = decision.approve ? { state: 'approved', person_id: decision.personId, user_verified: decision.userVerified } : { state: 'declined' };
    await this.#store.put(SCAN_STATE, request.uid, { payload, expiresAt: new Date(this.#now().getTime() + SCAN_CODE_TTL_MS) });
    return true;
  }

  /**
   * The sign-in page's poll. A decision is handed out once (the state record is consumed), so two
   * polls racing cannot finish one sign-in twice; the loser keeps seeing `pending` until the
   * winner's redirect. Null when no scan was started for the interaction, or it expired.
   */
  async poll(uid: string): Promise<ScanState | null> {
    const record = await this.#store.get(SCAN_STATE, uid);
    if (!record) return null;
    const p = record.payload;
    if (p.state === 'pending' || record.consumedAt || !(await this.#store.consume(SCAN_STATE, uid))) return { state: 'pending' };
    return p.state === 'approved' ? { state: 'approved', personId: String(p.person_id), userVerified: p.user_verified === true } : { state: 'declined' };
  }
}
