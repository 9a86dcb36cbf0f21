/**
 * A person's session with the netid app: a short-lived token `v1.<payload>.<mac>` where payload
 * is base64url JSON {sub, sid, iat, exp, amr} and mac is HMAC-SHA-256 under a key derived from
 * the master key. Stateless, so any node can check it (SCALE.md rule 7); each check also reads
 * the person's state, so deactivation ends every session at once.
 *
 * Carried in the cookie `netid_session` (HttpOnly, SameSite=Lax, Secure on https) or as
 * `Authorization: Bearer <token>` for API clients.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sealer } from '../keys/envelope.ts';
import { HttpError } from '../http/error-mapper.ts';
import type { PersonRepository } from './person-repository.ts';
import { readCookie } from '../http/cookies.ts';
import { openToken, signToken } from '../http/signed-token.ts';

export const SESSION_COOKIE = 'netid_session';
/** Session lifetime. */
export const SESSION_TTL_SECONDS = 30 * 60;

export interface PersonSession {
  readonly personId: string;
  readonly sessionId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** How the person authenticated: e.g. ['passkey', 'uv'] or ['enrolment']. */
  readonly amr: readonly string[];
  /** The device (passkey) the session was opened with, when one was; web certificates issued in it are bound to it. */
  readonly deviceId: string | null;
}

export class PersonSessions {
  readonly #key: Buffer;
  readonly #persons: PersonRepository;
  readonly #now: () => Date;
  readonly #secure: boolean;

  constructor(deps: { sealer: Sealer; persons: PersonRepository; now: () => Date; secureCookie: boolean }) {
    this.#key = deps.sealer.deriveKey('person-session');
    this.#persons = deps.persons;
    this.#now = deps.now;
    this.#secure = deps.secureCookie;
  }

  create(personId: string, amr: readonly string[], deviceId: string | null = null): { token: string; session: PersonSession } {
    const iat = Math.floor(this.#now().getTime() / 1000);
    const payload = { sub: personId, sid: randomUUID(), iat, exp: iat + SESSION_TTL_SECONDS, amr, ...(deviceId ? { did: deviceId } : {}) };
    const token = signToken(this.#key, 'netid-session', payload);
    return { token, session: { personId, sessionId: payload.sid, issuedAt: new Date(iat * 1000), expiresAt: new Date(payload.exp * 1000), amr, deviceId } };
  }

  /** The session a token stands for, or null (bad MAC, expired, person no longer active). */
  async verify(token: string): Promise<PersonSession | null> {
    const payload = openToken(this.#key, 'netid-session', token, this.#now()) as { sub?: unknown; sid?: unknown; iat?: unknown; exp: number; amr?: unknown; did?: unknown } | null;
    if (!payload || typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.iat !== 'number' || !Array.isArray(payload.amr)) return null;
    const person = await this.#persons.find(payload.sub);
    if (!person || person.state !== 'active') return null;
    return { personId: payload.sub, sessionId: payload.sid, issuedAt: new Date(payload.iat * 1000), expiresAt: new Date(payload.exp * 1000), amr: payload.amr.map(String), deviceId: typeof payload.did === 'string' ? payload.did : null };
  }

  /** Sets the session cookie on a reply. */
  setCookie(reply: FastifyReply, token: string): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_SECONDS}${this.#secure ? '; Secure' : ''}`);
  }

  clearCookie(reply: FastifyReply): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${this.#secure ? '; Secure' : ''}`);
  }

  /** The session of a netid app page: from the cookie only (pages are never sent a bearer token). */
  async fromCookie(request: FastifyRequest): Promise<PersonSession | null> {
    const token = readCookie(request, SESSION_COOKIE);
    return token ? this.verify(token) : null;
  }

  /** For a page that needs the person: their session, or null after a 303 to /signin that comes back here. */
  async forPage(request: FastifyRequest, reply: FastifyReply): Promise<PersonSession | null> {
    const session = await this.fromCookie(request);
    if (!session) await reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`, 303);
    return session;
  }

  /** The request's session (cookie or bearer token); throws request.unauthenticated. */
  async require(request: FastifyRequest): Promise<PersonSession> {
    const token = tokenOf(request);
    const session = token ? await this.verify(token) : null;
    if (!session) throw HttpError('request.unauthenticated');
    return session;
  }

}

function tokenOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return readCookie(request, SESSION_COOKIE) ?? null;
}
