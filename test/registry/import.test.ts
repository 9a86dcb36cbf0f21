import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNode, DEMO_REGISTRY_FILE, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { parseRegistryFile } from '../../src/registry/registry-file.ts';
import { importRegistryFile } from '../../src/registry/registry-import.ts';
import { NetidError } from '../../src/domain/errors.ts';
import { mod11_2CheckCharacter } from '../../src/domain/documents/gb11643.ts';

const withCheck = (body17: string) => body17 + mod11_2CheckCharacter(body17);
import { testDatabases, testEnv } from '../support/databases.ts';

const NODE = process.execPath;
const MAIN = resolve('src/main.ts');
const demoLines = readFileSync(DEMO_REGISTRY_FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const demoDir = resolve(DEMO_REGISTRY_FILE, '..');

/** A registry file in a temp dir; portraits made absolute so the file can live anywhere. */
function writeRegistry(lines: Array<Record<string, unknown> | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netid-registry-'));
  const file = join(dir, 'registry.jsonl');
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify({ ...l, portrait: resolve(demoDir, String(l.portrait)) }))).join('\n'));
  return file;
}

const validFile = writeRegistry(demoLines);
const resident = demoLines.find((l) => l.document_type === 'cn_resident_id')!;
const badLines: Array<[string, Record<string, unknown> | string, string]> = [
  ['wrong check character', { ...resident, document_number: String(resident.document_number).slice(0, 17) + (String(resident.document_number).endsWith('1') ? '2' : '1') }, 'document.check_character'],
  ['impossible date', { ...resident, document_number: withCheck('11010519900230013') }, 'document.birth_date'],
  ['unknown type', { ...resident, document_type: 'library_card' }, 'document.unknown_type'],
  ['not JSON', '{"document_type": ', 'registry.not_json'],
  ['unknown field', { ...resident, favourite_colour: 'red' }, 'registry.unknown_field'],
  ['missing portrait', { ...resident, portrait: 'nope.jpg' }, 'registry.portrait_unreadable'],
];

describe('registry file', () => {
  it('a file of valid records of all seven document types parses', () => {
    const { records } = parseRegistryFile(validFile, new Date());
    assert.deepEqual(new Set(records.map((r) => r.documentType)), new Set(['cn_resident_id', 'hk_mo_residence_permit', 'tw_residence_permit', 'hk_mo_travel_permit', 'tw_travel_permit', 'foreign_permanent_resident_id', 'cn_passport']));
  });

  for (const [what, line, code] of badLines) {
    it(`a bad line (${what}) is refused, naming its line number and reason`, () => {
      const file = writeRegistry([...demoLines.slice(1, 4), line, ...demoLines.slice(4)]);
      assert.throws(() => parseRegistryFile(file, new Date()), (error: unknown) => {
        const e = error as { code: string; detail: { line: number; reason: string } };
        return e.code === 'registry.line_invalid' && e.detail.line === 4 && e.detail.reason.startsWith(code);
      });
    });
  }

  it('a document listed twice is refused', () => {
    const file = writeRegistry([resident, resident]);
    assert.throws(() => parseRegistryFile(file, new Date()), (e: unknown) => (e as { detail: { line: number; reason: string } }).detail.line === 2 && (e as { detail: { reason: string } }).detail.reason === 'registry.duplicate_document');
  });
});

for (const database of testDatabases) {
  describe(`embedded registry on ${database.kind}`, () => {
    let node: NetidNode;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url })), { inMemory: !url, skipLock: true });
    });
    after(() => node.close());

    it('imports all records, finds them by document, and re-importing updates', async () => {
      const registry = node.services.embeddedRegistry!;
      const { records } = parseRegistryFile(validFile, new Date());
      assert.deepEqual(await registry.importRecords(records), { inserted: records.length, updated: 0 });
      const found = await registry.lookup(String(resident.document_type), String(resident.document_number));
      assert.equal(found?.name, resident.name);
      assert.ok(found && found.portrait.length > 1000);
      assert.equal(await registry.lookup('cn_resident_id', '11010519491231002X'), null);
      const changed = records.map((r) => (r.documentNumber === resident.document_number ? { ...r, status: 'lost' as const } : r));
      assert.deepEqual(await registry.importRecords(changed), { inserted: 0, updated: records.length });
      assert.equal((await registry.lookup(String(resident.document_type), String(resident.document_number)))?.status, 'lost');
    });

    it('keeps each import for the console: the file name, the channel, the counts, or the refusal with its line', async () => {
      const registry = node.services.embeddedRegistry!;
      const countRecords = async () => (await registry.stats()).records;
      const result = await importRegistryFile(registry, { path: validFile, channel: 'admin_api' }, new Date());
      const [imported] = await registry.imports(1);
      assert.deepEqual({ ...imported, finishedAt: undefined }, { source: basename(validFile), channel: 'admin_api', outcome: 'imported', inserted: result.inserted, updated: result.updated, errorCode: null, errorLine: null, finishedAt: undefined });
      assert.ok(!imported!.source.includes('/'), 'the file name only, never the path');

      const before = await countRecords();
      const bad = writeRegistry([...demoLines.slice(0, 3), badLines[0]![1]]);
      await assert.rejects(importRegistryFile(registry, { path: bad, channel: 'cli' }, new Date()), (error: unknown) => error instanceof NetidError && error.code === 'registry.line_invalid');
      const [refused] = await registry.imports(1);
      assert.equal(refused?.outcome, 'refused');
      assert.equal(refused?.errorCode, 'registry.line_invalid');
      assert.equal(refused?.errorLine, 4);
      assert.equal(refused?.channel, 'cli');
      assert.equal(refused?.inserted, 0);
      assert.equal(await countRecords(), before, 'nothing imported');
    });
  });
}

function netid(dataDir: string, ...args: string[]) {
  return spawnSync(NODE, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, NETID_DATA_DIR: dataDir, NETID_DEMO_DATA: 'false', NETID_LOG_LEVEL: 'warn', DATABASE_URL: '' } });
}

/** Every byte of every file under dir. */
function allBytes(dir: string): Buffer {
  const chunks: Buffer[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else chunks.push(readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(chunks);
}

describe('netid registry import (command line, embedded database on disk)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-cli-'));

  it('imports a valid file of all seven types', () => {
    const result = netid(dataDir, 'registry', 'import', validFile);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).inserted, demoLines.length);
  });

  it('a file with one bad line exits non-zero, names the line, and leaves the registry exactly as it was', async () => {
    const before = allBytesOfRegistry(dataDir);
    const file = writeRegistry([...demoLines.slice(1, 6).map((l) => ({ ...l, status: 'revoked' })), badLines[0]![1]]);
    const result = netid(dataDir, 'registry', 'import', file);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /line 6: document\.check_character/);
    assert.deepEqual(allBytesOfRegistry(dataDir), before);
  });

  it('a scan of the database files after importing finds no plaintext document number or name', () => {
    const bytes = allBytes(dataDir);
    for (const line of demoLines) {
      assert.equal(bytes.indexOf(Buffer.from(String(line.document_number))), -1, `document number of ${line.document_type} found in clear`);
      assert.equal(bytes.indexOf(Buffer.from(String(line.name))), -1, 'a name found in clear');
    }
  });

  function allBytesOfRegistry(dir: string): string {
    const result = netid(dir, 'registry', 'stats');
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  }
});
