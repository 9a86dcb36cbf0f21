import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compactVerify, importJWK } from 'jose';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSealer } from '../../src/keys/envelope.ts';
import { signCompactJws } from '../../src/keys/key-store.ts';
import { DatabaseKeyStore } from '../../src/keys/database-key-store.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const keyA = Buffer.alloc(32, 1).toString('base64url');
const keyB = Buffer.alloc(32, 2).toString('base64url');

describe('envelope encryption', () => {
  it('opens only with the context it was sealed for', () => {
    const sealer = createSealer([keyA]);
    const sealed = sealer.sealJson({ name: '张伟' }, 'persons.attributes:p1');
    assert.deepEqual(sealer.unsealJson(sealed, 'persons.attributes:p1'), { name: '张伟' });
    assert.throws(() => sealer.unseal(sealed, 'persons.attributes:p2'), { code: 'crypto.unseal_failed' });
  });

  it('a rotated master key still opens records sealed under the previous one', () => {
    const old = createSealer([keyA]).seal(Buffer.from('x'), 'c');
    assert.equal(Buffer.from(createSealer([keyB, keyA]).unseal(old, 'c')).toString(), 'x');
    assert.throws(() => createSealer([keyB]).unseal(old, 'c'), { code: 'crypto.unknown_master_key' });
  });

  it('a flipped bit is detected', () => {
    const sealer = createSealer([keyA]);
    const sealed = Buffer.from(sealer.seal(Buffer.from('hello'), 'c'));
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => sealer.unseal(sealed, 'c'), { code: 'crypto.unseal_failed' });
  });
});

for (const database of testDatabases) {
  describe(`signing keys on ${database.kind}`, () => {
    let node: NetidNode;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url })), { inMemory: !url, skipLock: true });
    });
    after(() => node.close());

    it('ES256 and EdDSA token keys and the log key are created on first start, private halves sealed', async () => {
      assert.equal(node.firstRun.keysCreated.length, 3);
      assert.deepEqual((await node.services.keys.list()).map((k) => `${k.purpose}:${k.alg}`).sort(), ['log:EdDSA', 'tokens:ES256', 'tokens:EdDSA']);
      const rows = await node.services.database.db.selectFrom('signing_keys').selectAll().execute();
      for (const row of rows) assert.ok(!Buffer.from(row.private_sealed).toString('latin1').includes('"d"'), 'no plaintext private JWK');
      const jwks = await node.services.keys.publicJwks();
      assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'EdDSA']);
      for (const k of jwks.keys) assert.equal(k.d, undefined);
    });

    it('signatures verify against the published JWKS', async () => {
      for (const alg of ['ES256', 'EdDSA'] as const) {
        const key = await node.services.keys.activeKey(alg);
        const jws = await signCompactJws(key, { typ: 'JWT' }, { hello: 'world' });
        const jwk = (await node.services.keys.publicJwks()).keys.find((k) => k.kid === key.kid)!;
        const { payload } = await compactVerify(jws, await importJWK(jwk, alg));
        assert.deepEqual(JSON.parse(Buffer.from(payload).toString()), { hello: 'world' });
      }
    });

    it('rotation adds a key and keeps the old one published until retired', async () => {
      const { keys } = node.services;
      const old = await keys.activeKey('ES256');
      const kid = await keys.rotate('ES256');
      assert.notEqual(kid, old.kid);
      assert.equal((await keys.activeKey('ES256')).kid, kid);
      const published = (await keys.publicJwks()).keys.map((k) => k.kid);
      assert.ok(published.includes(old.kid) && published.includes(kid));
      assert.equal(await keys.retire(kid), false, 'the active key cannot be retired');
      assert.equal(await keys.retire(old.kid), true);
      assert.ok(!(await keys.publicJwks()).keys.some((k) => k.kid === old.kid));
    });

    it('the transparency log signs with a key of its own: not in the JWKS, unchanged by rotation or restart', async () => {
      const { keys } = node.services;
      const logKey = await keys.logKey();
      assert.notEqual(logKey.kid, (await keys.activeKey('EdDSA')).kid);
      assert.ok(!(await keys.publicJwks()).keys.some((k) => k.kid === logKey.kid), 'never published for tokens');
      assert.ok(!(await keys.privateJwks()).keys.some((k) => k.kid === logKey.kid), 'never handed to the OpenID provider');
      const signedBy = async (key: { sign(data: Uint8Array): Promise<Uint8Array> }) => Buffer.from(await key.sign(new TextEncoder().encode('checkpoint'))).toString('base64url');
      assert.equal(await signedBy(logKey), await signedBy((await node.services.keys.logKey())), 'Ed25519 signatures are deterministic: the same key');
      await keys.rotate('EdDSA');
      assert.equal(await keys.retire(logKey.kid), false, 'the log key cannot be retired');
      // A restarted node reads the same log key from the database.
      const restarted = new DatabaseKeyStore({ db: node.services.database.db, sealer: node.services.sealer });
      await restarted.ensureKeys();
      assert.equal((await restarted.logKey()).kid, logKey.kid);
      assert.equal(await signedBy(await restarted.logKey()), await signedBy(logKey));
      assert.notEqual((await restarted.activeKey('EdDSA')).kid, logKey.kid);
    });
  });
}
