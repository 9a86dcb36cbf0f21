/**
 * Foundation figures: document validation, web-number generation, person insert and lookup on
 * PGlite and PostgreSQL — each beside the bare operation underneath, measured in the same run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createNode } from '../src/app/app.ts';
import { documentKey } from '../src/accounts/person-repository.ts';
import { loadConfig } from '../src/config/load.ts';
import { validateDocument } from '../src/domain/documents/index.ts';
import { generateWebNumber } from '../src/domain/web-number.ts';
import { opsPerSecond, type Measurement } from './measure.ts';

const RESIDENT_IDS = ['11010519491231002X', '110105199003070132', '440524188001010014', '310104198511200224'];
const today = new Date();

export async function benchFoundation(databaseUrl: string): Promise<Measurement[]> {
  const results: Measurement[] = [];
  let i = 0;
  const bareRegex = /^\d{17}[\dX]$/;
  const regexRate = await opsPerSecond(() => bareRegex.test(RESIDENT_IDS[i++ & 3]!));
  results.push({
    name: 'resident ID validations (GB 11643 check, date, region)',
    value: await opsPerSecond(() => validateDocument({ type: 'cn_resident_id', number: RESIDENT_IDS[i++ & 3]! }, today)),
    unit: 'ops/s',
    baseline: { name: 'bare format regex on the same strings', value: regexRate, unit: 'ops/s' },
  });
  const mrz = 'P<CHNZHANG<<WEI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nE123456784CHN9003077M3503066<<<<<<<<<<<<<<02';
  results.push({ name: 'passport validations with MRZ (mrz package + checks)', value: await opsPerSecond(() => validateDocument({ type: 'cn_passport', number: 'E12345678', mrz }, today)), unit: 'ops/s', baseline: { name: 'bare format regex', value: regexRate, unit: 'ops/s' } });
  results.push({
    name: 'web numbers generated (crypto randomness, check character)',
    value: await opsPerSecond(() => generateWebNumber(randomBytes)),
    unit: 'ops/s',
    baseline: { name: 'bare crypto.randomBytes(10)', value: await opsPerSecond(() => randomBytes(10)), unit: 'ops/s' },
  });

  for (const kind of ['pglite', 'postgres'] as const) {
    const url = kind === 'postgres' ? databaseUrl : undefined;
    const node = await createNode(loadConfig({ NODE_ENV: 'test', NETID_LOG_LEVEL: 'silent', NETID_DEMO_DATA: 'false', DATABASE_URL: url }), { inMemory: !url, skipLock: true });
    const { persons, sealer } = node.services;
    const ids: string[] = [];
    const attributes = { document_type: 'cn_resident_id' as const, document_number: '', name: '测试', birth_date: '1990-01-01', sex: 'M' as const, nationality: 'CHN', expiry_date: '2035-01-01' };
    let n = 0;
    const insertRate = await opsPerSecond(async () => {
      const number = `B${String(n++).padStart(17, '0')}`;
      const person = await persons.create({ documentKey: documentKey(sealer, 'cn_resident_id', number), webNumber: generateWebNumber(randomBytes), attributes: { ...attributes, document_number: number }, now: new Date() });
      ids.push(person.personId);
    }, 2);
    const lookupRate = await opsPerSecond(() => persons.attributes(ids[n++ % ids.length]!), 2);
    await node.close();

    // The bare library underneath: one-row INSERT (in a transaction, like the repository) and a
    // primary-key SELECT of a row of similar size, with no sealing and no query builder.
    let bareInsert: number;
    let bareLookup: number;
    const blob = randomBytes(400);
    if (kind === 'pglite') {
      const db = await PGlite.create();
      await db.exec('CREATE TABLE t (id uuid PRIMARY KEY, k text UNIQUE, v bytea)');
      const keys: string[] = [];
      bareInsert = await opsPerSecond(async () => {
        const id = randomUUID();
        keys.push(id);
        await db.transaction(async (tx) => tx.query('INSERT INTO t VALUES ($1, $2, $3)', [id, id, blob]));
      }, 2);
      bareLookup = await opsPerSecond(() => db.query('SELECT v FROM t WHERE id = $1', [keys[n++ % keys.length]]), 2);
      await db.close();
    } else {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query('CREATE TEMP TABLE t (id uuid PRIMARY KEY, k text UNIQUE, v bytea)');
      const keys: string[] = [];
      bareInsert = await opsPerSecond(async () => {
        const id = randomUUID();
        keys.push(id);
        await client.query('BEGIN');
        await client.query('INSERT INTO t VALUES ($1, $2, $3)', [id, id, blob]);
        await client.query('COMMIT');
      }, 2);
      bareLookup = await opsPerSecond(() => client.query('SELECT v FROM t WHERE id = $1', [keys[n++ % keys.length]]), 2);
      await client.end();
    }
    results.push({ name: `person inserts (${kind}; 3 rows, sealed attributes, one transaction)`, value: insertRate, unit: 'ops/s', baseline: { name: `bare one-row INSERT transaction (${kind})`, value: bareInsert, unit: 'ops/s' } });
    results.push({ name: `person lookups + unseal (${kind})`, value: lookupRate, unit: 'ops/s', baseline: { name: `bare primary-key SELECT (${kind})`, value: bareLookup, unit: 'ops/s' } });
  }
  return results;
}
