/**
 * Complete enrolments per second through the HTTP API (document + registry check, face match
 * with passive liveness on real photographs, passkey binding with a software authenticator,
 * issuance), on PGlite and on PostgreSQL. Baseline, same run: the face pipeline alone for one
 * enrolment (decode, detect, embed the registry portrait and the selfie, passive liveness,
 * compare) — the part no database work can remove.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../src/app/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { mod11_2CheckCharacter } from '../src/domain/documents/index.ts';
import { analyseFace } from '../src/face/face-engine.ts';
import { checkPassiveLiveness } from '../src/face/liveness/index.ts';
import { loadOnnxFaceEngine } from '../src/face/onnx-face-engine.ts';
import type { RegistryRecord } from '../src/registry/registry.ts';
import { faces, loadPhoto } from '../test/face/fixtures.ts';
import { createDatabaseOn, testEnv } from '../test/support/databases.ts';
import { SoftwareAuthenticator } from '../test/support/software-authenticator.ts';
import type { Measurement } from './measure.ts';

const ISSUER = 'http://localhost:8080';
const ENROLMENTS = 12;

function identity(i: number): { number: string; birth: string } {
  const birth = new Date(Date.UTC(1970, 0, 1) + i * 86_400_000 * 7).toISOString().slice(0, 10);
  const body = `110105${birth.replaceAll('-', '')}${String(100 + (i % 800)).padStart(3, '0')}`;
  return { number: body + mod11_2CheckCharacter(body), birth };
}

const freshDatabase = (base: string) => createDatabaseOn(base, 'bench_enrol');

async function post(base: string, path: string, body: unknown = {}): Promise<Record<string, any>> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, any>;
  if (!response.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
}

export async function benchEnrolment(databaseUrl?: string): Promise<Measurement[]> {
  const serverUrl = databaseUrl ?? process.env.NETID_TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('benchEnrolment needs a PostgreSQL URL (npm run bench provides one)');
  const portrait = await loadPhoto(faces.personA[1]);
  const selfie = await loadPhoto(faces.personA[0]);

  // Baseline: the face pipeline of one enrolment, alone.
  const engine = await loadOnnxFaceEngine();
  const pipeline = async () => {
    const p = await analyseFace(engine, portrait);
    const s = await analyseFace(engine, selfie);
    if (!p.ok || !s.ok) throw new Error('fixture faces not found');
    await checkPassiveLiveness(engine, s.value);
    engine.compare(await engine.embed(p.value.image, p.value.face), await engine.embed(s.value.image, s.value.face));
  };
  for (let i = 0; i < 3; i++) await pipeline();
  const t0 = performance.now();
  for (let i = 0; i < ENROLMENTS; i++) await pipeline();
  const baseline = { name: 'face pipeline alone, per enrolment', value: ENROLMENTS / ((performance.now() - t0) / 1000), unit: 'enrolments/s' };

  const results: Measurement[] = [];
  for (const kind of ['pglite', 'postgres'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'netid-bench-enrol-'));
    const url = kind === 'postgres' ? await freshDatabase(serverUrl) : undefined;
    const node = await startNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: dir, NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: 'passive' })), { inMemory: !url, skipLock: true });
    try {
      const records: RegistryRecord[] = [];
      for (let i = 0; i < ENROLMENTS + 3; i++) {
        const { number, birth } = identity(i);
        records.push({ documentType: 'cn_resident_id', documentNumber: number, name: `测试${i}`, birthDate: birth, sex: Number(number[16]) % 2 ? 'M' : 'F', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait, guardian: null });
      }
      await node.services.embeddedRegistry!.importRecords(records);
      const enrol = async (i: number) => {
        const r = records[i]!;
        const started = await post(node.publicUrl, '/api/v1/enrolments', { document_type: r.documentType, document_number: r.documentNumber, name: r.name, birth_date: r.birthDate });
        await post(node.publicUrl, `/api/v1/enrolments/${started.id}/face`, { frames: [Buffer.from(selfie).toString('base64')] });
        const options = await post(node.publicUrl, `/api/v1/enrolments/${started.id}/passkey/options`);
        const issued = await post(node.publicUrl, `/api/v1/enrolments/${started.id}/passkey`, new SoftwareAuthenticator(ISSUER).create(options as never));
        if (issued.state !== 'issued') throw new Error('not issued');
      };
      for (let i = 0; i < 3; i++) await enrol(ENROLMENTS + i); // warm-up (model load, JIT)
      const start = performance.now();
      for (let i = 0; i < ENROLMENTS; i++) await enrol(i);
      const rate = ENROLMENTS / ((performance.now() - start) / 1000);
      results.push({ name: `complete enrolments through the API (${kind}, sequential)`, value: rate, unit: 'enrolments/s', baseline, note: `${ENROLMENTS} enrolments, passive liveness, one client` });
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}
