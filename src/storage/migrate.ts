/**
 * Forward-only SQL migrations. Each file in ./migrations runs once, in name order, inside a
 * transaction together with its row in schema_migrations; the file's SHA-256 is recorded so an
 * edited, already-applied migration is refused rather than silently diverging.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { defineErrors } from '../domain/errors.ts';
import type { Database } from './schema.ts';

const MigrationError = defineErrors({
  'storage.migration_changed': { status: 500, en: 'An applied migration file was changed; migrations are forward-only.', zh: '已执行的迁移文件被修改；迁移只能向前。' },
});

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly sha256: string;
}

export function migrationFiles(): MigrationFile[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      const text = readFileSync(new URL(name, MIGRATIONS_DIR), 'utf8');
      return { name, sql: text, sha256: createHash('sha256').update(text).digest('hex') };
    });
}

/** Applies pending migrations; returns the names applied. Safe to run concurrently on a server. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  const applied: string[] = [];
  for (const file of migrationFiles()) {
    const done = await db.transaction().execute(async (trx) => {
      // One migrator at a time across nodes sharing a server.
      await sql`SELECT pg_advisory_xact_lock(7402001)`.execute(trx);
      const row = await trx.selectFrom('schema_migrations').select(['sha256']).where('name', '=', file.name).executeTakeFirst();
      if (row) {
        if (row.sha256 !== file.sha256) throw MigrationError('storage.migration_changed', { migration: file.name });
        return false;
      }
      for (const statement of splitStatements(file.sql)) await sql.raw(statement).execute(trx);
      await trx.insertInto('schema_migrations').values({ name: file.name, sha256: file.sha256 }).execute();
      return true;
    });
    if (done) applied.push(file.name);
  }
  return applied;
}

/**
 * Splits a migration into statements: PGlite runs one statement per query. Semicolons inside
 * quotes, dollar-quoted bodies and comments do not split.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (rest.startsWith('--')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
      current += '\n';
    } else if (dollar) {
      const tag = dollar[0];
      const end = text.indexOf(tag, i + tag.length);
      const stop = end === -1 ? text.length : end + tag.length;
      current += text.slice(i, stop);
      i = stop;
    } else if (rest[0] === "'") {
      let j = i + 1;
      while (j < text.length && !(text[j] === "'" && text[j + 1] !== "'")) j += text[j] === "'" ? 2 : 1;
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (rest[0] === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i += 1;
    } else {
      current += rest[0];
      i += 1;
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
