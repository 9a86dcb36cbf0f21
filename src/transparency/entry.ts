/**
 * A log entry is one accountable event — an access to a person's data by an app, an operator or
 * an authority — stored as the canonical JSON bytes of the fields below. It never holds identity
 * data: the person appears only as an unlinkable commitment (see commitment.ts), claims by name
 * only, never their values.
 */
import { canonicalJson } from './canonical-json.ts';

export interface LogEvent {
  /** Event type from the audit catalogue, e.g. `disclosure.claims`, `authority.disclosure`. */
  readonly type: string;
  /** When it happened, ISO 8601 UTC (`2025-07-15T08:00:00.000Z`). */
  readonly time: string;
  /** Random per-entry nonce (base64url, 16 bytes) the subject commitment is computed over. */
  readonly subject_nonce?: string;
  /** HMAC(personLogKey, "netid-log-v1" || 0x00 || nonce), base64url, 16 bytes. */
  readonly subject_commitment?: string;
  /** Who acted: an operator id, an authority id, `person`, or `system` — never a person's identity. */
  readonly actor?: string;
  /** The relying party (client id) involved, if any. */
  readonly relying_party?: string;
  /** Names of the claims disclosed or accessed — never their values. */
  readonly claims?: readonly string[];
  /** Reason code (closed list) or legal basis reference. */
  readonly reason?: string;
  /** Opaque reference to the record that explains it (a request id, a case number). */
  readonly ref?: string;
}

const FIELDS = new Set(['type', 'time', 'subject_nonce', 'subject_commitment', 'actor', 'relying_party', 'claims', 'reason', 'ref']);
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Why an object is not a valid LogEvent, or undefined if it is. */
export function logEventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const event = value as Record<string, unknown>;
  for (const key of Object.keys(event)) if (!FIELDS.has(key)) return `unknown field ${key}`;
  if (typeof event.type !== 'string' || !TYPE.test(event.type)) return 'type';
  if (typeof event.time !== 'string' || !TIME.test(event.time) || Number.isNaN(Date.parse(event.time))) return 'time';
  if ((event.subject_nonce === undefined) !== (event.subject_commitment === undefined)) return 'subject_nonce and subject_commitment go together';
  for (const key of ['subject_nonce', 'subject_commitment'] as const) {
    const v = event[key];
    if (v !== undefined && (typeof v !== 'string' || !B64URL.test(v))) return key;
  }
  for (const key of ['actor', 'relying_party', 'reason', 'ref'] as const) {
    const v = event[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 256)) return key;
  }
  if (event.claims !== undefined && (!Array.isArray(event.claims) || event.claims.some((c) => typeof c !== 'string' || c.length === 0))) return 'claims';
  return undefined;
}

export function encodeLogEvent(event: LogEvent): Uint8Array {
  const problem = logEventProblem(event);
  if (problem) throw new TypeError(`invalid log event: ${problem}`);
  return new TextEncoder().encode(canonicalJson(event));
}

/** Parses entry bytes; undefined if they are not a canonical, valid LogEvent. */
export function decodeLogEvent(bytes: Uint8Array): LogEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (logEventProblem(value)) return undefined;
  // Only the canonical encoding is an entry: the same event must always hash the same way.
  if (canonicalJson(value) !== new TextDecoder().decode(bytes)) return undefined;
  return value as LogEvent;
}
