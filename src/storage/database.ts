/**
 * Opens the database: embedded PostgreSQL (PGlite) in the data directory by default, or a
 * PostgreSQL server when DATABASE_URL is set. Both speak the same SQL through kysely; the SQL in
 * migrations is written for both PostgreSQL 18 (PGlite) and 15 (Debian's server).
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL of a server; when absent the embedded database is used. */
  readonly url?: string | undefined;
  /** Directory of the embedded database; absent means in memory (tests). */
  readonly pgliteDir?: string | undefined;
  readonly poolSize?: number;
}

// bigint columns (counts, sequence numbers) come back as strings from pg by default.
pg.types.setTypeParser(20, (value: string) => Number(value));

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const pglite = options.pgliteDir ? await PGlite.create(options.pgliteDir) : await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
