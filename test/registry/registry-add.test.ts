/**
 * `netid registry add --portrait PHOTO`: a fictional identity with your own face. The command runs
 * as a person runs it (a child process opening the embedded database on disk); the identity it
 * prints then enrols through the API with another photograph of the same woman — the real
 * detector, liveness model and matcher. A group photograph is refused like any portrait, and
 * production refuses the command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { validateDocument } from '../../src/domain/documents/index.ts';
import { fictionalIdentity } from '../../src/registry/fictional-identity.ts';
import { b64, Client, ISSUER } from '../enrolment/support.ts';
import { faces, groupPhoto, loadPhoto } from '../face/fixtures.ts';
import { testEnv } from '../support/databases.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

function netid(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('netid registry add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netid-registry-add-'));
  const dataDir = join(dir, 'data');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = testEnv({ NETID_DATA_DIR: dataDir, NETID_ISSUER: ISSUER, NETID_LOG_LEVEL: 'warn' });

  it('adds an identity with my photograph that then enrols with another photograph of me', { timeout: 480_000 }, async () => {
    const group = join(dir, 'group.jpg');
    writeFileSync(group, await loadPhoto(groupPhoto));
    const refused = await netid(['registry', 'add', '--portrait', group], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /registry\.line_invalid: .*registry\.portrait_several_faces/, 'a group photograph is refused like any portrait');
    assert.equal(existsSync(join(dataDir, 'registry-add')) && readdirSync(join(dataDir, 'registry-add')).length, 0, 'the refused photograph is not kept');

    const mine = join(dir, 'me.jpg');
    writeFileSync(mine, await loadPhoto(faces.personA[1]));
    const added = await netid(['registry', 'add', '--portrait', mine, '--name', '王演示', '--sex', 'F'], env);
    assert.equal(added.code, 0, added.stderr);
    const identity = JSON.parse(added.stdout) as Record<string, string>;
    assert.equal(identity.document_type, 'cn_resident_id');
    assert.equal(identity.name, '王演示');
    assert.equal(identity.sex, 'F');
    const document = validateDocument({ type: identity.document_type!, number: identity.document_number! }, new Date());
    assert.ok(document.ok && 'birthDate' in document.value && document.value.birthDate === identity.birth_date && document.value.sex === 'female', 'the number encodes the birth date and sex printed');
    assert.equal(identity.enrol_at, `${ISSUER}/enrol`);

    const node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir, NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: 'passive' })), { skipLock: true });
    try {
      assert.equal((await node.services.embeddedRegistry!.stats()).records, 1, 'only the accepted photograph was imported');
      const client = new Client(node.publicUrl);
      const started = await client.post('/api/v1/enrolments', { document_type: identity.document_type, document_number: identity.document_number, name: identity.name, birth_date: identity.birth_date });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const face = await client.post(`/api/v1/enrolments/${started.body.id}/face`, { frames: [b64(await loadPhoto(faces.personA[0]))] });
      assert.equal(face.status, 200, JSON.stringify(face.body));
      assert.equal(face.body.next_step, 'passkey');
    } finally {
      await node.close();
    }
  });

  it('is refused in production, and nothing is written', { timeout: 120_000 }, async () => {
    const production = { NODE_ENV: 'production', NETID_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'), NETID_ISSUER: 'https://id.example.cn', NETID_DEMO_DATA: 'false', NETID_DATA_DIR: join(dir, 'production') };
    const photo = join(dir, 'me.jpg');
    const out = await netid(['registry', 'add', '--portrait', photo], production);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /registry\.add_refused_in_production/);
    assert.equal(existsSync(join(dir, 'production', 'registry-add')), false);
  });

  it('makes valid document numbers for either sex', () => {
    for (let i = 0; i < 200; i++) {
      const identity = fictionalIdentity({}, { now: () => new Date('2026-02-28T12:00:00Z') });
      const document = validateDocument({ type: identity.document_type, number: identity.document_number }, new Date('2026-02-28T12:00:00Z'));
      assert.ok(document.ok, identity.document_number);
      assert.equal('sex' in document.value && document.value.sex, identity.sex === 'M' ? 'male' : 'female');
      assert.equal(identity.expiry_date, '2046-02-28');
    }
  });
});
