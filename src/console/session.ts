/**
 * An operator's console session: a token `v1.<payload>.<mac>` (payload base64url JSON
 * {sub, sid, cid, iat, exp}; HMAC-SHA-256 under `sealer.deriveKey('console-session')`), carried in
 * the cookie `netid_console` (HttpOnly, SameSite=Strict, Path=/console). Stateless, so any node can
 * check it; each check reads the operator, so disabling one ends their sessions at once, and the
 * role always comes from the database. `cid` names the passkey signed in with: a session ends
 * when that passkey is removed (a re-issued enrolment link removes a lost device's passkeys).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from '../http/cookies.ts';
import { openToken, signToken } from '../http/signed-token.ts';
import type { Operator, OperatorRepository } from './operator-repository.ts';

export const CONSOLE_COOKIE = 'netid_console';
/** Eight hours: one working shift. */
export const CONSOLE_SESSION_TTL_SECONDS = 8 * 60 * 60;

export interface ConsoleSession {
  readonly operator: Operator;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

export class ConsoleSessions {
  readonly #key: Buffer;
  readonly #operators: Pick<OperatorRepository, 'find' | 'findPasskey'>;
  readonly #now: () => Date;

  constructor(deps: { key: Buffer; operators: Pick<OperatorRepository, 'find' | 'findPasskey'>; now: () => Date }) {
    this.#key = deps.key;
    this.#operators = deps.operators;
    this.#now = deps.now;
  }

  /** A session for an operator who signed in with the passkey `credentialId`. */
  create(operatorId: string, credentialId: string): string {
    const iat = Math.floor(this.#now().getTime() / 1000);
    return signToken(this.#key, 'netid-console-session', { sub: operatorId, sid: randomUUID(), cid: credentialId, iat, exp: iat + CONSOLE_SESSION_TTL_SECONDS });
  }

  /** The session a token stands for, or null (bad MAC, expired, operator not active, passkey removed). */
  async verify(token: string): Promise<ConsoleSession | null> {
    const payload = openToken(this.#key, 'netid-console-session', token, this.#now()) as { sub?: unknown; sid?: unknown; cid?: unknown; exp: number } | null;
    if (!payload || typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.cid !== 'string') return null;
    const [operator, passkey] = await Promise.all([this.#operators.find(payload.sub), this.#operators.findPasskey(payload.cid)]);
    if (!operator || operator.status !== 'active' || passkey?.operatorId !== operator.id) return null;
    return { operator, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
  }

  async fromRequest(request: FastifyRequest): Promise<ConsoleSession | null> {
    const token = readCookie(request, CONSOLE_COOKIE);
    return token ? this.verify(token) : null;
  }

  setCookie(reply: FastifyReply, token: string): void {
    reply.header('set-cookie', `${CONSOLE_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${CONSOLE_SESSION_TTL_SECONDS}`);
  }

  clearCookie(reply: FastifyReply): void {
    reply.header('set-cookie', `${CONSOLE_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`);
  }

}
