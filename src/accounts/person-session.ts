/**
 * A person's session with the netid app: a short-lived token `v1.<payload>.<mac>` where payload
 * is base64url JSON {sub, sid, iat, exp, amr} and mac is HMAC-SHA-256 under a key derived from
 * the master key. Stateless, so any node can check it (SCALE.md rule 7); each check also reads
 * the person's state, so deactivation ends every session at once.
 *
 * Carried in the cookie `netid_session` (HttpOnly, SameSite=Lax, Secure on https) or as
 * `Authorization: Bearer <token>` for API clients.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sealer } from '../keys/envelope.ts';
import { HttpError } from '../http/error-mapper.ts';
import type { PersonRepository } from './person-repository.ts';
import { readCookie } from '../http/cookies.ts';

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

  create(personId: string, amr: readonly string[]): { token: string; session: PersonSession } {
    const iat = Math.floor(this.#now().getTime() / 1000);
    const payload = { sub: personId, sid: randomUUID(), iat, exp: iat + SESSION_TTL_SECONDS, amr };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const token = `v1.${body}.${this.#mac(body)}`;
    return { token, session: { personId, sessionId: payload.sid, issuedAt: new Date(iat * 1000), expiresAt: new Date(payload.exp * 1000), amr } };
  }

  /** The session a token stands for, or null (bad MAC, expired, person no longer active). */
  async verify(token: string): Promise<PersonSession | null> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return null;
    const expected = Buffer.from(this.#mac(parts[1]!));
    const given = Buffer.from(parts[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let payload: { sub: string; sid: string; iat: number; exp: number; amr: string[] };
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= this.#now().getTime()) return null;
    const person = await this.#persons.find(payload.sub);
    if (!person || person.state !== 'active') return null;
    return { personId: payload.sub, sessionId: payload.sid, issuedAt: new Date(payload.iat * 1000), expiresAt: new Date(payload.exp * 1000), amr: payload.amr };
  }

  /** Sets the session cookie on a reply. */
  setCookie(reply: FastifyReply, token: string): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_SECONDS}${this.#secure ? '; Secure' : ''}`);
  }

  clearCookie(reply: FastifyReply): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${this.#secure ? '; Secure' : ''}`);
  }

  /** The request's session (cookie or bearer token); throws request.unauthenticated. */
  async require(request: FastifyRequest): Promise<PersonSession> {
    const token = tokenOf(request);
    const session = token ? await this.verify(token) : null;
    if (!session) throw HttpError('request.unauthenticated');
    return session;
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(`netid-session.v1.${body}`).digest('base64url');
  }
}

function tokenOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return readCookie(request, SESSION_COOKIE) ?? null;
}
