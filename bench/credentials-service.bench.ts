/**
 * The web certificate service through a running node on PostgreSQL:
 * - batch issuance over HTTP (POST /api/v1/me/web-certificates, 20 device keys: session check,
 *   attribute unsealing, 20 SQL status allocations, 20 signatures, activity record), in
 *   credentials/s; baseline: the library's issueWebCertificateBatch with an in-memory allocator;
 * - status-list token rebuild for a 1,000,000-entry list with 1% revoked read from SQL (read
 *   revoked indexes + bitset + zlib + sign); baseline: zlib + sign of the same bitset in memory;
 * - a cached status-list GET over HTTP, requests/s (what a CDN would absorb).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { documentKey } from '../src/accounts/person-repository.ts';
import { startNode } from '../src/app/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { generateDeviceKeys } from '../src/credentials/holder/index.ts';
import { issueWebCertificateBatch } from '../src/credentials/issue/index.ts';
import { MemoryStatusAllocator, StatusBitset, signStatusListToken } from '../src/credentials/status/index.ts';
import { generateWebNumber } from '../src/domain/web-number.ts';
import { EphemeralKeyStore } from '../src/keys/ephemeral-key-store.ts';
import { createDatabaseOn, testEnv } from '../test/support/databases.ts';
import type { Measurement } from './measure.ts';
import { opsPerSecond } from './measure.ts';

const freshDatabase = (base: string) => createDatabaseOn(base, 'bench_cred');

export async function benchCredentialsService(databaseUrl: string): Promise<Measurement[]> {
  const node = await startNode(loadConfig(testEnv({ DATABASE_URL: await freshDatabase(databaseUrl), NETID_DATA_DIR: mkdtempSync(join(tmpdir(), 'netid-bench-cred-')) })), { skipLock: true });
  const results: Measurement[] = [];
  try {
    const { services } = node;
    const attributes = { document_type: 'cn_resident_id' as const, document_number: '11010519900307013X', name: '张伟', birth_date: '1990-03-07', sex: 'M' as const, nationality: 'CHN', expiry_date: '2035-03-07' };
    const keySets = Array.from({ length: 8 }, () => generateDeviceKeys(20).map((k) => k.publicJwk));

    // One person per batch, so the per-person daily limit never applies.
    const sessions: string[] = [];
    for (let i = 0; i < 400; i++) {
      const person = await services.persons.create({ documentKey: documentKey(services.sealer, 'cn_resident_id', `bench-${i}-${randomUUID()}`), webNumber: generateWebNumber(randomBytes), attributes, now: services.now() });
      sessions.push((await services.personSessions.create(person.personId, ['passkey'])).token);
    }
    let next = 0;
    const batchesPerSecond = await opsPerSecond(async () => {
      const token = sessions[next++ % sessions.length]!;
      const response = await fetch(`${node.publicUrl}/api/v1/me/web-certificates`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ holder_keys: keySets[next % keySets.length] }) });
      if (response.status !== 201) throw new Error(`issuance failed: ${response.status} ${await response.text()}`);
    }, 3, 10);
    const keyStore = new EphemeralKeyStore();
    const allocator = new MemoryStatusAllocator({ random: randomBytes });
    const subject = { webNumber: 'K7M2Q9X4TB', verified: true, birthDate: '1990-03-07', regionGroup: 'mainland' as const, plaintext: { name: '张伟', birth_date: '1990-03-07', sex: 'M', document_type: 'cn_resident_id', document_number: '11010519900307013X', nationality: 'CHN' } };
    const libraryBatches = await opsPerSecond(() => issueWebCertificateBatch({ keyStore, clock: () => new Date(), random: randomBytes, statusAllocator: allocator, issuer: 'https://netid.example', subject, holderKeys: keySets[0]! }), 2, 10);
    results.push({ name: 'batch issuance over HTTP on PostgreSQL (20 credentials per batch)', value: batchesPerSecond * 20, unit: 'credentials/s', baseline: { name: 'library issueWebCertificateBatch, in-memory allocator', value: libraryBatches * 20, unit: 'credentials/s' }, note: `${Math.min(next, sessions.length)} people, ${next} batches` });

    // A full 1,000,000-entry list with 1% revoked, written straight into status_entries.
    const listId = 1000;
    const db = services.database.db;
    await db.insertInto('status_lists').values({ list_id: listId, size: 1_000_000, state: 'full', created_at: new Date() }).execute();
    const owner = randomUUID();
    await sql`INSERT INTO status_entries (list_id, idx, person_id, device_ref, batch_id, issued_at, expires_at, revoked_at, reason)
      SELECT ${listId}, i, ${owner}::uuid, NULL, ${owner}::uuid, now(), now() + interval '7 days',
             CASE WHEN i % 100 = 37 THEN now() END, CASE WHEN i % 100 = 37 THEN 'fraud' END
      FROM generate_series(0, 999999) AS g(i)`.execute(db);
    const rebuild = await opsPerSecond(async () => {
      await db.deleteFrom('status_list_tokens').where('list_id', '=', listId).execute();
      await services.credentials.statusLists.token(listId);
    }, 3, 5);
    const bitset = (await services.credentials.statusLists.revocations(listId))!;
    const inMemory = await opsPerSecond(() => signStatusListToken({ keyStore, clock: () => new Date(), issuer: 'https://netid.example', uri: 'https://netid.example/status/v1/lists/1000', bitset: new StatusBitset(bitset.size, bitset.bytes) }), 2, 5);
    results.push({ name: 'status-list token rebuild from SQL, 10^6 entries, 1% revoked', value: 1000 / rebuild, unit: 'ms', baseline: { name: 'zlib + sign of the same bitset in memory', value: 1000 / inMemory, unit: 'ms' } });

    const cached = await opsPerSecond(async () => {
      const response = await fetch(`${node.publicUrl}/status/v1/lists/${listId}`);
      await response.arrayBuffer();
    }, 2, 20);
    const health = await opsPerSecond(async () => (await fetch(`${node.publicUrl}/healthz`)).arrayBuffer(), 2, 20);
    results.push({ name: 'cached status-list GET over HTTP (one node, sequential)', value: cached, unit: 'requests/s', baseline: { name: 'GET /healthz', value: health, unit: 'requests/s' } });
  } finally {
    await node.close();
  }
  return results;
}
