/**
 * App metadata that cannot spoof: what the consent screen and the console show (name,
 * organisation, legal basis, a suspension reason) refuses control, bidi and other invisible
 * characters and is kept in NFC; a sector identifier is a real DNS host name; URIs and keys hold no
 * control characters (PostgreSQL refuses a NUL). Every refusal has its code and stores nothing, on
 * both databases. And `netid rp create --file` never prints what the file holds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { NetidError } from '../../src/domain/errors.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import type { Registration, RelyingPartyRegistry } from '../../src/relying-parties/registry.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const app: Registration = { name: 'Tax office', organisation: 'Example tax bureau', category: 'public_service', redirect_uris: ['https://tax.example/cb'], sector_identifier: 'tax.example', token_endpoint_auth_method: 'client_secret_basic', claims: [{ claim: 'name', legal_basis: 'Tax Collection Administration Law art. 15' }] };

/** Characters that must never reach a consent screen. */
const SPOOFING: ReadonlyArray<[string, string]> = [
  ['right-to-left override U+202E', '\u202e'],
  ['left-to-right embedding U+202A', '\u202a'],
  ['first-strong isolate U+2068', '\u2068'],
  ['right-to-left mark U+200F', '\u200f'],
  ['zero-width space U+200B', '\u200b'],
  ['NUL', '\u0000'],
  ['bell', '\u0007'],
  ['C1 control U+0085', '\u0085'],
  ['line separator U+2028', '\u2028'],
];

async function refusedCode(action: Promise<unknown>): Promise<string> {
  try {
    await action;
  } catch (error) {
    assert.ok(error instanceof NetidError, String(error));
    return error.code;
  }
  assert.fail('accepted');
}

for (const database of testDatabases) {
  describe(`relying-party metadata on ${database.kind}`, () => {
    let node: NetidNode;
    let registry: RelyingPartyRegistry;
    let n = 0;
    const fresh = () => `app-${database.kind}-${++n}`;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url })), { inMemory: !url, skipLock: true });
      registry = relyingPartyRegistryOf(node.services);
    });
    after(() => node.close());

    for (const [what, character] of SPOOFING) {
      it(`refuses a ${what} in the name, the organisation or a legal basis with relying_party.text_not_displayable, storing nothing`, async () => {
        const before = (await registry.list()).length;
        const cases: Array<[string, Registration]> = [
          ['name', { ...app, name: `Tax${character}office` }],
          ['organisation', { ...app, organisation: `Example${character}bureau` }],
          ['claims.0.legal_basis', { ...app, claims: [{ claim: 'name', legal_basis: `Tax Collection Law${character} art. 15` }] }],
        ];
        for (const [field, registration] of cases) {
          try {
            await registry.register({ ...registration, client_id: fresh() }, 'test');
            assert.fail(`${field} accepted`);
          } catch (error) {
            assert.ok(error instanceof NetidError, String(error));
            assert.equal(error.code, 'relying_party.text_not_displayable');
            assert.equal(error.detail?.field, field);
          }
        }
        assert.equal((await registry.list()).length, before);
      });
    }

    it('keeps names in NFC: a decomposed é is stored composed', async () => {
      const { relyingParty } = await registry.register({ ...app, client_id: fresh(), name: 'Cafe\u0301 des impôts', organisation: ' Trésor public ' }, 'test');
      assert.equal(relyingParty.name, 'Caf\u00e9 des impôts');
      assert.equal(relyingParty.organisation, 'Trésor public');
    });

    for (const sector of ['0000-00-00', '1.2.3.4', 'localhost', 'Tax.Example', 'tax.example.', 'tax_office.example', '-tax.example', 'tax..example', '税务.example', 'tax.example/path', '']) {
      it(`refuses the sector identifier ${JSON.stringify(sector)} with relying_party.sector_identifier_invalid`, async () => {
        assert.equal(await refusedCode(registry.register({ ...app, client_id: fresh(), sector_identifier: sector }, 'test')), 'relying_party.sector_identifier_invalid');
      });
    }

    it('accepts DNS host names as sector identifiers, internationalised ones as A-labels', async () => {
      for (const sector of ['tax.example.gov.cn', 'xn--fiqs8s.example', 'demo-app.netid.localhost', 'a1.b2.example']) {
        const { relyingParty } = await registry.register({ ...app, client_id: fresh(), sector_identifier: sector }, 'test');
        assert.equal(relyingParty.sectorIdentifier, sector);
      }
    });

    it('refuses URIs and keys holding control characters (a NUL would be a 500 on PostgreSQL)', async () => {
      const before = (await registry.list()).length;
      assert.equal(await refusedCode(registry.register({ ...app, client_id: fresh(), redirect_uris: ['https://tax.example/cb\u0000'] }, 'test')), 'relying_party.invalid');
      assert.equal(await refusedCode(registry.register({ ...app, client_id: fresh(), redirect_uris: ['https://tax.example/c b'] }, 'test')), 'relying_party.invalid');
      assert.equal(await refusedCode(registry.register({ ...app, client_id: fresh(), backchannel_logout_uri: 'https://tax.example/\u202elogout' }, 'test')), 'relying_party.invalid');
      const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x\u0000', y: 'y', kid: 'k1' }] };
      assert.equal(await refusedCode(registry.register({ ...app, client_id: fresh(), token_endpoint_auth_method: 'private_key_jwt', jwks }, 'test')), 'relying_party.invalid');
      assert.equal((await registry.list()).length, before);
    });

    it('a suspension reason may span lines but refuses bidi and control characters', async () => {
      const id = fresh();
      await registry.register({ ...app, client_id: id }, 'test');
      assert.equal(await refusedCode(registry.transition(id, 'suspend', 'test', 'complaint \u202eyrtnuoc')), 'relying_party.text_not_displayable');
      assert.equal(await refusedCode(registry.transition(id, 'suspend', 'test', 'complaint\u0000')), 'relying_party.text_not_displayable');
      assert.equal((await registry.find(id))?.state, 'pending', 'the refused suspension changed nothing');
      assert.equal((await registry.transition(id, 'suspend', 'test', 'complaint 2026-17\nsee the file')).state, 'suspended');
    });
  });
}

describe('netid rp create --file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netid-rp-file-'));
  const netid = (...args: string[]) => spawnSync(process.execPath, [resolve('src/main.ts'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NETID_DATA_DIR: dir, NETID_DEMO_DATA: 'false', NETID_LOG_LEVEL: 'warn', DATABASE_URL: '' } });

  it('a file that is not a JSON app description is refused with relying_party.not_json, and nothing of it is printed', () => {
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'root:TOP-SECRET:0:0\n');
    const list = join(dir, 'list.json');
    writeFileSync(list, '["TOP-SECRET"]');
    for (const file of ['/etc/passwd', secret, list]) {
      const result = netid('rp', 'create', '--file', file);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /relying_party\.not_json/);
      assert.ok(!/root|TOP-SECRET/.test(result.stdout + result.stderr), result.stderr);
    }
  });

  it('a named pipe, a directory or a missing file is refused as unreadable at once', () => {
    const pipe = join(dir, 'app.json');
    assert.equal(spawnSync('mkfifo', [pipe]).status, 0);
    for (const [file, problem] of [[pipe, 'not_regular_file'], [dir, 'not_regular_file'], [join(dir, 'missing.json'), 'missing']] as const) {
      const result = netid('rp', 'create', '--file', file);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`relying_party\\.file_unreadable.*"problem":"${problem}"`));
    }
  });
});
