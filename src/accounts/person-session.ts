/**
 * A person's session with the netid app. The token `v1.<payload>.<mac>` (payload base64url JSON
 * {sub, sid, iat, exp, amr, did?}; HMAC-SHA-256 under a key derived from the master key) names
 * the person and the session; the session itself is a row (person_sessions, migration 0011) that
 * every check finds, joined to the person's row, in one indexed read. So any node can check it
 * (SCALE.md rule 7), and deleting the row ends it at once everywhere: signing out, removing the
 * passkey it was opened with, deactivation, an applied revocation.
 *
 * Two lifetimes: idle (NETID_SESSION_IDLE_MINUTES since the last use; each use slides the window,
 * writing at most once a minute) and absolute (NETID_SESSION_MAX_HOURS since sign-in, whatever
 * the use; also the token's `exp`).
 *
 * Carried in the cookie `netid_session` (HttpOnly, SameSite=Strict, Secure on https) or as
 * `Authorization: Bearer <token>` for API clients. A request that changes something with the
 * cookie must come from netid's own pages: `sessionCookieGuard`, the public listener's one
 * authorization hook, decides that before any route runs.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defineErrors } from '../domain/errors.ts';
import type { Sealer } from '../keys/envelope.ts';
import { HttpError } from '../http/error-mapper.ts';
import { readCookie } from '../http/cookies.ts';
import { openToken, signToken } from '../http/signed-token.ts';
import type { Database } from '../storage/schema.ts';
import type { PersonSessionRepository } from './person-session-repository.ts';

export const SESSION_COOKIE = 'netid_session';
/** The idle window slides forward on use, but its row is written at most this often. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** Live sessions kept per person; signing in beyond it ends the least recently used. */
export const MAX_SESSIONS_PER_PERSON = 20;

export const SessionError = defineErrors({
  'session.cross_origin': { status: 403, en: 'This request did not come from a netid page, so it was refused; nothing was changed.', zh: '该请求并非来自 netid 页面，已被拒绝，未做任何更改。' },
});

export interface PersonSession {
  readonly personId: string;
  readonly sessionId: string;
  readonly issuedAt: Date;
  /** The absolute end (the idle window may end it sooner). */
  readonly expiresAt: Date;
  /** How the person authenticated: e.g. ['passkey', 'uv'] or ['enrolment']. */
  readonly amr: readonly string[];
  /** The device (passkey) the session was opened with, when one was; web certificates issued in it are bound to it. */
  readonly deviceId: string | null;
}

export interface SessionPolicy {
  readonly idleMinutes: number;
  readonly maxHours: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The public listener's guard against cross-site request forgery, run on every request before its
 * body is read (server.ts `authorize`). A request that may change something and carries the
 * session cookie (and no bearer token, which a browser never adds by itself) must come from
 * netid's own pages (403 `session.cross_origin`); on a JSON route (/api/…) it must also send JSON
 * (415 `request.unsupported_media_type`), which a cross-site form or a simple fetch cannot.
 * oidc-provider's endpoints and its interactions are authenticated by its own cookies, not this one.
 */
export function sessionCookieGuard(issuer: string): (request: FastifyRequest) => Promise<void> {
  const issuerOrigin = new URL(issuer).origin;
  return async (request) => {
    if (SAFE_METHODS.has(request.method) || request.headers.authorization?.startsWith('Bearer ') || !readCookie(request, SESSION_COOKIE)) return;
    const route = request.routeOptions.url ?? request.url;
    if (route.startsWith('/oidc/') || route.startsWith('/.well-known/')) return;
    if (!fromOwnPages(request, issuerOrigin)) throw SessionError('session.cross_origin');
    if (route.startsWith('/api/') && request.method !== 'DELETE' && !JSON_TYPE.test(request.headers['content-type'] ?? '')) throw HttpError('request.unsupported_media_type');
  };
}

/**
 * Whether a request that changes something, sent with the session cookie, comes from netid's own
 * pages: `Sec-Fetch-Site` (when the browser sends it) must say same-origin (or `none`, a request
 * the person started themselves), and `Origin` (when sent and not `null` — our no-referrer policy
 * makes form posts send `null`) must be the issuer's origin or the request's own host. A browser
 * sends both on cross-site requests; other clients send neither and carry no ambient cookie risk.
 */
export function fromOwnPages(request: FastifyRequest, issuerOrigin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  if (origin === issuerOrigin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export class PersonSessions {
  readonly #key: Buffer;
  readonly #sessions: PersonSessionRepository;
  readonly #now: () => Date;
  readonly #secure: boolean;
  readonly #idleMs: number;
  readonly #maxSeconds: number;

  constructor(deps: { sealer: Sealer; sessions: PersonSessionRepository; now: () => Date; issuer: string; policy: SessionPolicy }) {
    this.#key = deps.sealer.deriveKey('person-session');
    this.#sessions = deps.sessions;
    this.#now = deps.now;
    this.#secure = deps.issuer.startsWith('https://');
    this.#idleMs = deps.policy.idleMinutes * 60_000;
    this.#maxSeconds = deps.policy.maxHours * 3600;
  }

  /** Seconds of inactivity after which a session ends. */
  get idleSeconds(): number {
    return this.#idleMs / 1000;
  }

  /** Opens a session: stores its row (ending the person's sessions that are over) and signs its token. */
  async create(personId: string, amr: readonly string[], deviceId: string | null = null): Promise<{ token: string; session: PersonSession }> {
    const now = this.#now();
    const iat = Math.floor(now.getTime() / 1000);
    const session: PersonSession = { personId, sessionId: randomUUID(), issuedAt: new Date(iat * 1000), expiresAt: new Date((iat + this.#maxSeconds) * 1000), amr, deviceId };
    await this.#sessions.prune(personId, now, new Date(now.getTime() - this.#idleMs), MAX_SESSIONS_PER_PERSON - 1);
    await this.#sessions.insert({ personId, sessionId: session.sessionId, deviceId, createdAt: now, lastSeenAt: now, expiresAt: session.expiresAt });
    const payload = { sub: personId, sid: session.sessionId, iat, exp: iat + this.#maxSeconds, amr, ...(deviceId ? { did: deviceId } : {}) };
    return { token: signToken(this.#key, 'netid-session', payload), session };
  }

  /** The session a token stands for, or null (bad MAC, ended, idle too long, past its absolute end, person no longer active). */
  async verify(token: string): Promise<PersonSession | null> {
    const now = this.#now();
    const payload = this.#open(token);
    if (!payload || !Array.isArray(payload.amr)) return null;
    const stored = await this.#sessions.findWithPersonState(payload.sub, payload.sid);
    if (!stored || stored.personState !== 'active') return null;
    if (stored.expiresAt <= now || stored.lastSeenAt.getTime() + this.#idleMs <= now.getTime()) return null;
    if (now.getTime() - stored.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) await this.#sessions.touch(stored.personId, stored.sessionId, now);
    return { personId: stored.personId, sessionId: stored.sessionId, issuedAt: stored.createdAt, expiresAt: stored.expiresAt, amr: payload.amr.map(String), deviceId: stored.deviceId };
  }

  /** Signs out: ends the request's session (cookie or bearer token) and clears the cookie. A request without a live session changes nothing. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const presented = this.#presented(request);
    const payload = presented ? this.#open(presented.token) : null;
    if (payload) await this.#sessions.end(payload.sub, payload.sid);
    this.clearCookie(reply);
  }

  /** Ends every session of a person at once (deactivation, an applied revocation); joins the caller's transaction. */
  endAll(personId: string, trx?: Kysely<Database>): Promise<number> {
    return this.#sessions.endAll(personId, trx);
  }

  /** Ends the sessions opened with one passkey (its removal); joins the caller's transaction. */
  endForDevice(personId: string, deviceId: string, trx?: Kysely<Database>): Promise<number> {
    return this.#sessions.endForDevice(personId, deviceId, trx);
  }

  /** Sets the session cookie on a reply; it lives until the session's absolute end. */
  setCookie(reply: FastifyReply, token: string, session: PersonSession): void {
    const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - this.#now().getTime()) / 1000));
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${this.#secure ? '; Secure' : ''}`);
  }

  clearCookie(reply: FastifyReply): void {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${this.#secure ? '; Secure' : ''}`);
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
    const presented = this.#presented(request);
    const session = presented ? await this.verify(presented.token) : null;
    if (!session) throw HttpError('request.unauthenticated');
    return session;
  }

  #open(token: string): { sub: string; sid: string; amr?: unknown } | null {
    const payload = openToken(this.#key, 'netid-session', token, this.#now()) as { sub?: unknown; sid?: unknown; amr?: unknown } | null;
    if (!payload || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
    return { sub: payload.sub, sid: payload.sid, amr: payload.amr };
  }

  /** The token a request presents: a bearer token wins over the cookie. */
  #presented(request: FastifyRequest): { token: string } | null {
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim() };
    const cookie = readCookie(request, SESSION_COOKIE);
    return cookie ? { token: cookie } : null;
  }
}
