import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/database.ts';
import { migrate, migrationFiles, splitStatements } from '../../src/storage/migrate.ts';
import { testDatabases } from '../support/databases.ts';

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
