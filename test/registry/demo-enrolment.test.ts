/**
 * The demo registry works out of the box: a node started with demo data imports it (portraits cut
 * from the packaged group photographs), and a demo identity enrols through the API with another
 * photograph of the same woman — the real detector, liveness model and matcher, a software passkey.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { isValidWebNumber } from '../../src/domain/web-number.ts';
import { b64, Client, ISSUER } from '../enrolment/support.ts';
import { faces, loadPhoto } from '../face/fixtures.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { testEnv } from '../support/databases.ts';

describe('a demo identity enrols on a fresh node', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-demo-'));
  let node: RunningNode;
  before(async () => {
    node = await startNode(loadConfig(testEnv({ NETID_DEMO_DATA: 'true', NETID_DATA_DIR: dataDir, NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: 'passive' })), { inMemory: true, skipLock: true });
  });
  after(async () => {
    await node?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports the 13 demo identities at first start, their portraits cut into the data directory', async () => {
    assert.equal(node.firstRun.demoRecordsImported, 13);
    assert.ok(existsSync(join(dataDir, 'demo-registry', 'registry.jsonl')));
    assert.ok(existsSync(join(dataDir, 'demo-registry', 'portraits', 'li-na.jpg')));
    const [latest] = await node.services.embeddedRegistry!.imports(1);
    assert.deepEqual([latest?.channel, latest?.outcome, latest?.inserted], ['first_run', 'imported', 13]);
  });

  it('李娜 enrols with a different photograph of her face than her registry portrait and gets a web number', async () => {
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', { document_type: 'cn_resident_id', document_number: '310104198511200224', name: '李娜', birth_date: '1985-11-20' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = started.body.id as string;
    const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(await loadPhoto(faces.personA[0]))] });
    assert.equal(face.status, 200, JSON.stringify(face.body));
    const match = (await node.services.enrolments.decisions(id)).find((d) => d.check === 'match_registry_portrait')!;
    assert.ok((match.details.score as number) > 0.55 && (match.details.score as number) < 0.7, `score ${match.details.score}, as docs/registry-format.md says (≈ 0.6)`);
    const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
    const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, new SoftwareAuthenticator(ISSUER).create(options.body as never));
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.ok(isValidWebNumber(issued.body.web_number));
  });

  it('another demo identity refuses her face: each demo identity is a different person', async () => {
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', { document_type: 'cn_passport', document_number: 'E12345678', name: '赵磊', birth_date: '1987-07-07' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const face = await client.post(`/api/v1/enrolments/${started.body.id}/face`, { frames: [b64(await loadPhoto(faces.personA[0]))] });
    assert.equal(face.body.error, 'enrolment.face_mismatch');
  });
});
