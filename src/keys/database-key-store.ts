/**
 * The service's KeyStore: signing keys in the signing_keys table, private halves sealed under
 * the master key. Any node can load them (nodes are stateless); rotation adds a key and keeps
 * the old one published for verification until it is retired.
 *
 * Two purposes: `tokens` keys (ES256 and EdDSA) sign ID tokens, web certificates and status lists,
 * are published in the JWKS and are rotated; the `log` key (EdDSA) signs transparency-log
 * checkpoints only, is never in the JWKS and never rotates, because independent log verifiers pin
 * it (migration 0010).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { JWK } from 'jose';
import type { Database } from '../storage/schema.ts';
import type { Sealer } from './envelope.ts';
import type { KeyStore, SigningAlgorithm, SigningKey } from './key-store.ts';
import { generatePrivateKey, privateKeyFromJwk, softwareSigningKey } from './software-key.ts';

const ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA'];

export interface KeyListing {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly purpose: 'tokens' | 'log';
  readonly state: 'active' | 'verify_only' | 'retired';
  readonly createdAt: Date;
}

export class DatabaseKeyStore implements KeyStore {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly #now: () => Date;
  #active = new Map<SigningAlgorithm, SigningKey>();
  #log: SigningKey | null = null;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer; now?: () => Date }) {
    this.#db = deps.db;
    this.#sealer = deps.sealer;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Creates an active tokens key for every algorithm that has none, and the log key; returns the kids created. */
  async ensureKeys(): Promise<string[]> {
    const created: string[] = [];
    for (const alg of ALGORITHMS) {
      const row = await this.#db.selectFrom('signing_keys').select('kid').where('alg', '=', alg).where('state', '=', 'active').where('purpose', '=', 'tokens').executeTakeFirst();
      if (!row) created.push(await this.#insertActive(alg));
    }
    const log = await this.#db.selectFrom('signing_keys').select('kid').where('purpose', '=', 'log').where('state', '=', 'active').executeTakeFirst();
    if (!log) created.push(await this.#insertActive('EdDSA', this.#db, 'log'));
    return created;
  }

  /** The transparency log's own key (EdDSA): signs checkpoints only; never rotated, never in the JWKS. */
  async logKey(): Promise<SigningKey> {
    if (this.#log) return this.#log;
    const row = await this.#db.selectFrom('signing_keys').selectAll().where('purpose', '=', 'log').where('state', '=', 'active').executeTakeFirst();
    if (!row) throw new TypeError('no transparency-log key: run ensureKeys() first');
    this.#log = softwareSigningKey(row.kid, 'EdDSA', privateKeyFromJwk(this.#sealer.unsealJson<JWK>(row.private_sealed, `signing_keys:${row.kid}`)));
    return this.#log;
  }

  /** Adds a new active key for alg; the previous active key stays published as verify_only. */
  async rotate(alg: SigningAlgorithm): Promise<string> {
    const kid = await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('signing_keys').set({ state: 'verify_only' }).where('alg', '=', alg).where('state', '=', 'active').where('purpose', '=', 'tokens').execute();
      return this.#insertActive(alg, trx);
    });
    this.#active.delete(alg);
    return kid;
  }

  /** Stops publishing a verify-only key. The active key cannot be retired. */
  async retire(kid: string): Promise<boolean> {
    const result = await this.#db.updateTable('signing_keys').set({ state: 'retired', retired_at: this.#now() }).where('kid', '=', kid).where('state', '=', 'verify_only').where('purpose', '=', 'tokens').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async list(): Promise<KeyListing[]> {
    const rows = await this.#db.selectFrom('signing_keys').select(['kid', 'alg', 'purpose', 'state', 'created_at']).orderBy('created_at').execute();
    return rows.map((r) => ({ kid: r.kid, alg: r.alg, purpose: r.purpose, state: r.state, createdAt: r.created_at }));
  }

  async activeKey(alg: SigningAlgorithm): Promise<SigningKey> {
    const cached = this.#active.get(alg);
    if (cached) return cached;
    const row = await this.#db.selectFrom('signing_keys').selectAll().where('alg', '=', alg).where('state', '=', 'active').where('purpose', '=', 'tokens').orderBy('created_at', 'desc').executeTakeFirst();
    if (!row) throw new TypeError(`no active ${alg} signing key: run ensureKeys() first`);
    const jwk = this.#sealer.unsealJson<JWK>(row.private_sealed, `signing_keys:${row.kid}`);
    const key = softwareSigningKey(row.kid, alg, privateKeyFromJwk(jwk));
    this.#active.set(alg, key);
    return key;
  }

  /** Private JWKs of the active and verify-only keys, for libraries that must sign themselves (oidc-provider). */
  async privateJwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().where('state', 'in', ['active', 'verify_only']).where('purpose', '=', 'tokens').orderBy('state').orderBy('created_at', 'desc').execute();
    return { keys: rows.map((row) => ({ ...this.#sealer.unsealJson<JWK>(row.private_sealed, `signing_keys:${row.kid}`), kid: row.kid, alg: row.alg, use: 'sig' })) };
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.#db.selectFrom('signing_keys').select(['public_jwk']).where('state', 'in', ['active', 'verify_only']).where('purpose', '=', 'tokens').orderBy('created_at').execute();
    return { keys: rows.map((r) => r.public_jwk as JWK) };
  }

  async #insertActive(alg: SigningAlgorithm, db: Kysely<Database> = this.#db, purpose: 'tokens' | 'log' = 'tokens'): Promise<string> {
    const kid = randomUUID();
    const privateKey = generatePrivateKey(alg);
    const signing = softwareSigningKey(kid, alg, privateKey);
    const privateJwk = privateKey.export({ format: 'jwk' });
    await db
      .insertInto('signing_keys')
      .values({ kid, alg, state: 'active', public_jwk: JSON.stringify(signing.publicJwk), private_sealed: this.#sealer.sealJson(privateJwk, `signing_keys:${kid}`), created_at: this.#now(), retired_at: null, purpose })
      .execute();
    return kid;
  }
}
