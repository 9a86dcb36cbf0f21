import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { NetidError } from '../../src/domain/errors.ts';

describe('configuration', () => {
  it('starts with documented defaults on an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.NETID_PORT, 8080);
    assert.equal(config.NETID_ADMIN_PORT, 8081);
    assert.equal(config.NETID_HOST, '127.0.0.1');
    assert.equal(config.NETID_ISSUER, 'http://localhost:8080');
    assert.equal(config.NETID_DATA_DIR, './.netid');
  });

  it('the default issuer follows NETID_PORT (NETID_PORT=9000 npm start is http://localhost:9000)', () => {
    assert.equal(loadConfig({ NETID_PORT: '9000' }).NETID_ISSUER, 'http://localhost:9000');
    assert.equal(loadConfig({ NETID_PORT: '9000', NETID_ISSUER: 'https://id.example.cn' }).NETID_ISSUER, 'https://id.example.cn', 'a set issuer wins');
  });

  it('every key has a description (docs/configuration.md is generated from them)', () => {
    for (const [key, schema] of Object.entries(configSchema.shape)) assert.ok(schema.description, `${key} has no description`);
  });

  it('a bad value stops the start, naming the key and the problem', () => {
    assert.throws(() => loadConfig({ NETID_PORT: 'eighty' }), (error: unknown) => error instanceof NetidError && error.code === 'config.invalid' && /NETID_PORT/.test(error.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL: must be a postgres:\/\/ URL/);
    assert.throws(() => loadConfig({ NETID_MASTER_KEY: 'c2hvcnQ' }), /NETID_MASTER_KEY: must be 32 bytes/);
  });

  it('production refuses the development master key, an http issuer, demo data and loopback calls', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: unknown) => error instanceof NetidError && error.code === 'config.unsafe_in_production' && /NETID_MASTER_KEY/.test(error.message) && /NETID_ISSUER/.test(error.message) && /NETID_DEMO_DATA/.test(error.message),
    );
    const safe = { NODE_ENV: 'production', NETID_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'), NETID_ISSUER: 'https://id.example.cn', NETID_DEMO_DATA: 'false' };
    const config = loadConfig(safe);
    assert.equal(config.NODE_ENV, 'production');
    assert.throws(() => loadConfig({ ...safe, NETID_OUTBOUND_ALLOW_LOOPBACK: 'true' }), /NETID_OUTBOUND_ALLOW_LOOPBACK/, 'calls to loopback addresses are refused in production');
  });

  it('reads an optional JSON file; the environment wins over it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'netid-config-')), 'netid.json');
    writeFileSync(file, JSON.stringify({ NETID_PORT: 9000, NETID_HOST: '0.0.0.0' }));
    const config = loadConfig({ NETID_CONFIG_FILE: file, NETID_HOST: '127.0.0.2' });
    assert.equal(config.NETID_PORT, 9000);
    assert.equal(config.NETID_HOST, '127.0.0.2');
    assert.throws(() => loadConfig({ NETID_CONFIG_FILE: `${file}.missing` }), (e: unknown) => e instanceof NetidError && e.code === 'config.file_unreadable');
  });
});

describe('docs/configuration.md', () => {
  it('is generated from the schema and up to date (npm run docs:config)', async () => {
    const { readFileSync } = await import('node:fs');
    const { configurationMarkdown } = await import('../../scripts/generate-config-docs.ts');
    assert.equal(readFileSync('docs/configuration.md', 'utf8'), configurationMarkdown());
  });
});
