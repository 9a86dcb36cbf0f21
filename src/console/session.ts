/**
 * An operator's console session: a token `v1.<payload>.<mac>` (payload base64url JSON
 * {sub, sid, iat, exp}; HMAC-SHA-256 under `sealer.deriveKey('console-session')`), carried in the
 * cookie `netid_console` (HttpOnly, SameSite=Strict, Path=/console). Stateless, so any node can
 * check it; each check reads the operator, so disabling one ends their sessions at once, and the
 * role always comes from the database.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from '../http/cookies.ts';
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
    const body = Buffer.from(JSON.stringify({ sub: operatorId, sid: randomUUID(), iat, exp: iat + CONSOLE_SESSION_TTL_SECONDS })).toString('base64url');
    return `v1.${body}.${this.#mac(body)}`;
  }

  /** The session a token stands for, or null (bad MAC, expired, operator not active). */
  async verify(token: string): Promise<ConsoleSession | null> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return null;
    const expected = Buffer.from(this.#mac(parts[1]!));
    const given = Buffer.from(parts[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let payload: { sub?: unknown; sid?: unknown; exp?: unknown };
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number' || payload.exp * 1000 <= this.#now().getTime()) return null;
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

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(`netid-console-session.v1.${body}`).digest('base64url');
  }
}
