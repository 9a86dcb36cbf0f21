/**
 * An operator's console session: a token `v1.<payload>.<mac>` (payload base64url JSON
 * {sub, sid, iat, exp}; HMAC-SHA-256 under `sealer.deriveKey('console-session')`), carried in the
 * cookie `netid_console` (HttpOnly, SameSite=Strict, Path=/console). Stateless, so any node can
 * check it; each check reads the operator, so disabling one ends their sessions at once, and the
 * role always comes from the database.
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
  readonly #operators: Pick<OperatorRepository, 'find'>;
  readonly #now: () => Date;

  constructor(deps: { key: Buffer; operators: Pick<OperatorRepository, 'find'>; now: () => Date }) {
    this.#key = deps.key;
    this.#operators = deps.operators;
    this.#now = deps.now;
  }

  create(operatorId: string): string {
    const iat = Math.floor(this.#now().getTime() / 1000);
    return signToken(this.#key, 'netid-console-session', { sub: operatorId, sid: randomUUID(), iat, exp: iat + CONSOLE_SESSION_TTL_SECONDS });
  }

  /** The session a token stands for, or null (bad MAC, expired, operator not active). */
  async verify(token: string): Promise<ConsoleSession | null> {
    const payload = openToken(this.#key, 'netid-console-session', token, this.#now()) as { sub?: unknown; sid?: unknown; exp: number } | null;
    if (!payload || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
    const operator = await this.#operators.find(payload.sub);
    if (!operator || operator.status !== 'active') return null;
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
