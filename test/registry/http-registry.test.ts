import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fastify, { type FastifyInstance } from 'fastify';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { HttpRegistry } from '../../src/registry/http-registry.ts';
import { testEnv } from '../support/databases.ts';

// The HTTP adapter against a registry service on loopback that answers from an embedded registry:
// the same records must come back through both adapters.
describe('HTTP registry adapter', () => {
  let node: NetidNode;
  let server: FastifyInstance;
  let url: string;
  let failing = false;
  before(async () => {
    // The demo registry, imported at first start.
    node = await createNode(loadConfig(testEnv({ NETID_DEMO_DATA: 'true', NETID_DATA_DIR: mkdtempSync(join(tmpdir(), 'netid-http-registry-')) })), { inMemory: true, skipLock: true });
    assert.equal(node.firstRun.demoRecordsImported, 13);
    server = fastify();
    server.post('/v1/lookup', async (request, reply) => {
      if (failing) return reply.status(502).send({ error: 'upstream' });
      const { document_type, document_number } = request.body as { document_type: string; document_number: string };
      const record = await node.services.embeddedRegistry!.lookup(document_type, document_number);
      if (!record) return reply.status(404).send({ error: 'not_found' });
      return { ...record, portrait: Buffer.from(record.portrait).toString('base64') };
    });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await node.close();
  });

  it('returns the same record as the embedded registry, portrait included', async () => {
    const registry = new HttpRegistry({ baseUrl: url });
    const viaHttp = await registry.lookup('cn_passport', 'E12345678');
    const direct = await node.services.embeddedRegistry!.lookup('cn_passport', 'E12345678');
    assert.deepEqual({ ...viaHttp, portrait: Buffer.from(viaHttp!.portrait) }, { ...direct, portrait: Buffer.from(direct!.portrait) });
  });

  it('answers null for an unknown document', async () => {
    assert.equal(await new HttpRegistry({ baseUrl: url }).lookup('cn_passport', 'E99999999'), null);
  });

  it('a registry that fails or cannot be reached is `registry.unavailable`, never "not found"', async () => {
    failing = true;
    await assert.rejects(new HttpRegistry({ baseUrl: url }).lookup('cn_passport', 'E12345678'), { code: 'registry.unavailable' });
    failing = false;
    await assert.rejects(new HttpRegistry({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 }).lookup('cn_passport', 'E12345678'), { code: 'registry.unavailable' });
  });
});
