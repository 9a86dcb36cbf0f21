/**
 * A demo identity's sample selfie (development only): the face step runs on another photograph
 * of the portrait's face, with the real detector, passive liveness model and matcher, even when
 * the node is configured for active (head-turn) liveness, and it counts as an attempt. A document
 * that is not a demo identity has none (no attempt used); production refuses it and its enrol
 * page does not offer it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { testEnv } from '../support/databases.ts';
import { Client, ISSUER } from './support.ts';

const LI_NA = { document_type: 'cn_resident_id', document_number: '310104198511200224', name: '李娜', birth_date: '1985-11-20' };
const ZHAO_LEI = { document_type: 'cn_passport', document_number: 'E12345678', name: '赵磊', birth_date: '1987-07-07' };

describe('the sample selfie in development', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-sample-selfie-'));
  let node: RunningNode;
  before(async () => {
    node = await startNode(loadConfig(testEnv({ NETID_DEMO_DATA: 'true', NETID_DATA_DIR: dataDir, NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: 'active' })), { inMemory: true, skipLock: true });
  });
  after(async () => {
    await node?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const person of [LI_NA, ZHAO_LEI]) {
    it(`${person.name} passes the face step with the sample selfie, checked by passive liveness and the real matcher, and enrols`, { timeout: 240_000 }, async () => {
      const client = new Client(node.publicUrl);
      const started = await client.post('/api/v1/enrolments', person);
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.body.liveness_mode, 'active');
      const id = started.body.id as string;
      const face = await client.post(`/api/v1/enrolments/${id}/face/sample-selfie`);
      assert.equal(face.status, 200, JSON.stringify(face.body));
      assert.equal(face.body.next_step, 'passkey');
      assert.equal(face.body.face_attempts_left, 4, 'it used one attempt');
      const decisions = await node.services.enrolments.decisions(id);
      const liveness = decisions.find((d) => d.step === 'liveness')!;
      assert.deepEqual([liveness.check, liveness.result, liveness.details.source], ['passive', 'pass', 'demo_sample_selfie']);
      const match = decisions.find((d) => d.check === 'match_registry_portrait')!;
      assert.equal(match.result, 'pass');
      assert.ok((match.details.score as number) < 0.9999, 'another capture than the portrait itself');
      const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
      const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, new SoftwareAuthenticator(ISSUER).create(options.body as never));
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
    });
  }

  it('a document that is not a demo identity has no sample selfie, and no attempt is used', async () => {
    const portrait = (await node.services.embeddedRegistry!.lookup('cn_resident_id', LI_NA.document_number))!.portrait;
    await node.services.embeddedRegistry!.importRecords([{ documentType: 'cn_resident_id', documentNumber: '11010519491231002X', name: '张三', birthDate: '1949-12-31', sex: 'F', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait, guardian: null }]);
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', { document_type: 'cn_resident_id', document_number: '11010519491231002X', name: '张三', birth_date: '1949-12-31' });
    const refused = await client.post(`/api/v1/enrolments/${started.body.id}/face/sample-selfie`);
    assert.deepEqual([refused.status, refused.body.error], [404, 'enrolment.no_sample_selfie']);
    assert.equal((await client.get(`/api/v1/enrolments/${started.body.id}`)).body.face_attempts_left, 5);
  });

  it('the enrol page offers it', async () => {
    const page = await (await fetch(`${node.publicUrl}/enrol`)).text();
    assert.match(page, /id="demo-selfie-use"/);
  });
});

describe('the sample selfie in production', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-sample-selfie-production-'));
  let node: RunningNode;
  before(async () => {
    node = await startNode(loadConfig(testEnv({ NODE_ENV: 'production', NETID_MASTER_KEY: Buffer.alloc(32, 9).toString('base64url'), NETID_ISSUER: 'https://id.example.cn', NETID_DEMO_DATA: 'false', NETID_DATA_DIR: dataDir })), { inMemory: true, skipLock: true });
  });
  after(async () => {
    await node?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is refused with a code, and the enrol page does not offer it', async () => {
    const refused = await new Client(node.publicUrl).post(`/api/v1/enrolments/${randomUUID()}/face/sample-selfie`);
    assert.deepEqual([refused.status, refused.body.error], [403, 'enrolment.sample_selfie_development_only']);
    const page = await (await fetch(`${node.publicUrl}/enrol`)).text();
    assert.doesNotMatch(page, /demo-selfie/);
  });
});
