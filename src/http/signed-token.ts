/**
 * Stateless session tokens `v1.<payload>.<mac>`: payload is base64url JSON, mac is HMAC-SHA-256
 * over a purpose label and the payload, under a key derived from the master key. Used by the
 * netid app's person sessions and the console's operator sessions; the purpose label keeps a
 * token of one from ever passing as the other even if their keys were the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (key: Buffer, purpose: string, body: string) => createHmac('sha256', key).update(`${purpose}.v1.${body}`).digest('base64url');

export function signToken(key: Buffer, purpose: string, payload: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `v1.${body}.${mac(key, purpose, body)}`;
}

/**
 * The payload of a token whose MAC is right and whose `exp` (seconds) is after `now`, or null.
 * Callers check the payload's other fields and the subject's current state themselves.
 */
export function openToken(key: Buffer, purpose: string, token: string, now: Date): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const expected = Buffer.from(mac(key, purpose, parts[1]!));
  const given = Buffer.from(parts[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object') return null;
  const exp = (payload as { exp?: unknown }).exp;
  return typeof exp === 'number' && exp * 1000 > now.getTime() ? (payload as Record<string, unknown>) : null;
}
