import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/database.ts';
import { migrate, migrationFiles, splitStatements } from '../../src/storage/migrate.ts';
import { testDatabases } from '../support/databases.ts';
import { createSealer } from '../../src/keys/envelope.ts';
import { DatabaseKeyStore } from '../../src/keys/database-key-store.ts';
import { generatePrivateKey, softwareSigningKey } from '../../src/keys/software-key.ts';

describe('splitting migrations into statements', () => {
  it('splits on semicolons outside quotes, dollar quotes and comments', () => {
    const text = "CREATE TABLE a (x text DEFAULT ';'); -- a comment; still comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT 'it''s; fine';";
    assert.deepEqual(splitStatements(text), ["CREATE TABLE a (x text DEFAULT ';')", 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql', "SELECT 'it''s; fine'"]);
  });
});

for (const database of testDatabases) {
  describe(`migrations on ${database.kind}`, () => {
    it('apply once, in order, and are recorded with their checksums', async () => {
      const handle = await openDatabase({ url: await database.url() });
      try {
        const applied = await migrate(handle.db);
        assert.deepEqual(applied, migrationFiles().map((f) => f.name));
        assert.deepEqual(await migrate(handle.db), [], 'a second run applies nothing');
        const rows = await handle.db.selectFrom('schema_migrations').select(['name', 'sha256']).orderBy('name').execute();
        assert.deepEqual(rows, migrationFiles().map((f) => ({ name: f.name, sha256: f.sha256 })));
      } finally {
        await handle.close();
      }
    });

    it('0010 gives an existing log the EdDSA key that signed it, so its verifier key does not change', async () => {
      const handle = await openDatabase({ url: await database.url() });
      try {
        // A deployment from before 0010: its log has a checkpoint signed with the active EdDSA key.
        await sql`CREATE TABLE schema_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(handle.db);
        for (const file of migrationFiles().filter((f) => f.name < '0010')) {
          for (const statement of splitStatements(file.sql)) await sql.raw(statement).execute(handle.db);
          await handle.db.insertInto('schema_migrations').values({ name: file.name, sha256: file.sha256 }).execute();
        }
        const sealer = createSealer([Buffer.alloc(32, 9).toString('base64url')]);
        const insertKey = async (kid: string, alg: 'ES256' | 'EdDSA', createdAt: Date) => {
          const privateKey = generatePrivateKey(alg);
          await sql`INSERT INTO signing_keys (kid, alg, state, public_jwk, private_sealed, created_at) VALUES (${kid}, ${alg}, 'active', ${JSON.stringify(softwareSigningKey(kid, alg, privateKey).publicJwk)}, ${sealer.sealJson(privateKey.export({ format: 'jwk' }), `signing_keys:${kid}`)}, ${createdAt})`.execute(handle.db);
        };
        await insertKey('old-es256', 'ES256', new Date('2026-01-01T00:00:00Z'));
        await insertKey('old-eddsa', 'EdDSA', new Date('2026-01-01T00:00:00Z'));
        await sql`INSERT INTO log_checkpoints (log_id, size, root_hash, timestamp_ms, note, created_at) VALUES ('netid.example/log', 1, ${new Uint8Array(32)}, 1, 'note', now())`.execute(handle.db);

        assert.deepEqual(await migrate(handle.db), migrationFiles().filter((f) => f.name >= '0010').map((f) => f.name));
        const keys = new DatabaseKeyStore({ db: handle.db, sealer });
        const created = await keys.ensureKeys();
        assert.equal(created.length, 1, 'only a new EdDSA key for tokens');
        assert.equal((await keys.logKey()).kid, 'old-eddsa', 'the log keeps the key that signed it');
        assert.notEqual((await keys.activeKey('EdDSA')).kid, 'old-eddsa');
        assert.equal((await keys.activeKey('ES256')).kid, 'old-es256');
      } finally {
        await handle.close();
      }
    });

    it('refuse to run when an applied migration was edited', async () => {
      const handle = await openDatabase({ url: await database.url() });
      try {
        await migrate(handle.db);
        await handle.db.updateTable('schema_migrations').set({ sha256: 'edited' }).where('name', '=', '0001_core.sql').execute();
        await assert.rejects(migrate(handle.db), { code: 'storage.migration_changed' });
      } finally {
        await handle.close();
      }
    });

    it('partition the activity table by time', async () => {
      const handle = await openDatabase({ url: await database.url() });
      try {
        await migrate(handle.db);
        const result = await sql<{ partitioned: boolean }>`SELECT relkind = 'p' AS partitioned FROM pg_class WHERE relname = 'activity'`.execute(handle.db);
        assert.equal(result.rows[0]?.partitioned, true);
      } finally {
        await handle.close();
      }
    });
  });
}
