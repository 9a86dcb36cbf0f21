/**
 * Registry import files: the demo registry (portraits cut from the packaged group photographs at
 * first start), line validation, the file and portrait rules that keep an import from freezing or
 * fooling the service (regular files only, inside the file's directory, size limits, exactly one
 * usable face per portrait), all-or-nothing imports on both databases, and the command line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { mod11_2CheckCharacter } from '../../src/domain/documents/gb11643.ts';
import { NetidError } from '../../src/domain/errors.ts';
import { DEMO_REGISTRY_FILE, prepareDemoRegistry } from '../../src/registry/demo-registry.ts';
import { parseRegistryFile, REGISTRY_LIMITS } from '../../src/registry/registry-file.ts';
import { importRegistryFile } from '../../src/registry/registry-import.ts';
import { sharedEngine } from '../face/engine.ts';
import { groupPhoto, loadPhoto, noFacePhoto } from '../face/fixtures.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const withCheck = (body17: string) => body17 + mod11_2CheckCharacter(body17);

const NODE = process.execPath;
const MAIN = resolve('src/main.ts');
const faces = { faceEngine: sharedEngine };
const demoLines = readFileSync(DEMO_REGISTRY_FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

// The demo registry prepared once, as at first start: every other file of these tests is written
// beside it, so its portraits (portraits/…) are inside each file's directory.
const registryDir = mkdtempSync(join(tmpdir(), 'netid-registry-'));
const validFile = (await prepareDemoRegistry(faces, registryDir))!;
writeFileSync(join(registryDir, 'group.jpg'), await loadPhoto(groupPhoto));
writeFileSync(join(registryDir, 'no-face.jpg'), await loadPhoto(noFacePhoto));

let written = 0;
function writeRegistry(lines: Array<Record<string, unknown> | string>, dir = registryDir): string {
  const file = join(dir, `registry-${++written}.jsonl`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return file;
}

const parse = (file: string) => parseRegistryFile(file, { ...faces, now: new Date() });

/** The refusal of a parse: its code and detail (and message, to check nothing from the file is in it). */
async function refusal(file: string): Promise<{ code: string; message: string; detail: Record<string, unknown> }> {
  try {
    await parse(file);
  } catch (error) {
    assert.ok(error instanceof NetidError, String(error));
    return { code: error.code, message: error.message, detail: { ...error.detail } };
  }
  assert.fail('the file was accepted');
}

const resident = demoLines.find((l) => l.document_type === 'cn_resident_id')!;
const badLines: Array<[string, Record<string, unknown> | string, string]> = [
  ['wrong check character', { ...resident, document_number: String(resident.document_number).slice(0, 17) + (String(resident.document_number).endsWith('1') ? '2' : '1') }, 'document.check_character'],
  ['impossible date', { ...resident, document_number: withCheck('11010519900230013') }, 'document.birth_date'],
  ['unknown type', { ...resident, document_type: 'library_card' }, 'document.unknown_type'],
  ['not JSON', '{"document_type": ', 'registry.not_json'],
  ['unknown field', { ...resident, favourite_colour: 'red' }, 'registry.unknown_field'],
  ['missing portrait', { ...resident, portrait: 'nope.jpg' }, 'registry.portrait_unreadable'],
  ['a name with a right-to-left override', { ...resident, name: '张\u202e伟' }, 'registry.field_invalid'],
  ['a name with a NUL', { ...resident, name: '张\u0000伟' }, 'registry.field_invalid'],
];

describe('the demo registry', () => {
  it('keeps 13 identities of all seven document types, a child with a guardian, an expired and a lost document', async () => {
    const { records } = await parse(validFile);
    assert.equal(records.length, 13);
    assert.deepEqual(new Set(records.map((r) => r.documentType)), new Set(['cn_resident_id', 'hk_mo_residence_permit', 'tw_residence_permit', 'hk_mo_travel_permit', 'tw_travel_permit', 'foreign_permanent_resident_id', 'cn_passport']));
    const child = records.find((r) => r.birthDate.startsWith('2014'))!;
    assert.ok(records.some((r) => r.documentNumber === child.guardian?.documentNumber), "the child's guardian is a demo identity");
    assert.ok(records.some((r) => r.expiryDate < '2026-01-01'));
    assert.ok(records.some((r) => r.status === 'lost'));
  });

  it('cuts each portrait around one face of a packaged group photograph, a different person for each identity', async () => {
    const engine = await sharedEngine();
    const { records } = await parse(validFile);
    const embeddings = [];
    for (const record of records) {
      const found = await engine.detect(record.portrait);
      assert.equal(found.length, 1, `${record.documentNumber}: one face`);
      embeddings.push(await engine.embed(record.portrait, found[0]!));
    }
    for (let i = 0; i < embeddings.length; i++) {
      for (let j = i + 1; j < embeddings.length; j++) assert.ok(engine.compare(embeddings[i]!, embeddings[j]!) < 0.5, `portraits ${i} and ${j} show the same person`);
    }
  });

  it('the registry file in the repository names portraits only inside its own directory, and no image is committed beside it', () => {
    for (const line of demoLines) assert.match(String(line.portrait), /^portraits\/[a-z-]+\.jpg$/);
    assert.deepEqual(readdirSync(resolve(DEMO_REGISTRY_FILE, '..')).sort(), ['portraits.json', 'registry.jsonl']);
  });
});

describe('registry file', () => {
  for (const [what, line, code] of badLines) {
    it(`a bad line (${what}) is refused, naming its line number and reason`, async () => {
      const file = writeRegistry([...demoLines.slice(1, 4), line, ...demoLines.slice(4)]);
      const e = await refusal(file);
      assert.equal(e.code, 'registry.line_invalid');
      assert.equal(e.detail.line, 4);
      assert.ok(String(e.detail.reason).startsWith(code), String(e.detail.reason));
    });
  }

  it('a document listed twice is refused', async () => {
    const e = await refusal(writeRegistry([resident, resident]));
    assert.deepEqual([e.detail.line, e.detail.reason], [2, 'registry.duplicate_document']);
  });

  it('a group photograph as a portrait is refused at import: the line error says "more than one face"', async () => {
    const e = await refusal(writeRegistry([...demoLines.slice(0, 2), { ...resident, document_number: withCheck('11010519800101001'), birth_date: '1980-01-01', portrait: 'group.jpg' }]));
    assert.equal(e.code, 'registry.line_invalid');
    assert.deepEqual([e.detail.line, e.detail.reason, e.detail.field], [3, 'registry.portrait_several_faces', 'portrait']);
    assert.match(e.message, /^line 3: .*more than one face/);
  });

  it('a portrait without a face is refused at import: the line error says "no face"', async () => {
    const e = await refusal(writeRegistry([{ ...resident, portrait: 'no-face.jpg' }]));
    assert.deepEqual([e.detail.line, e.detail.reason], [1, 'registry.portrait_no_face']);
    assert.match(e.message, /^line 1: .*no face/);
  });

  it('a portrait that is a named pipe is refused at once, without waiting for a writer', { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(registryDir, 'fifo-'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'pipe.jpg')]).status, 0);
    // Read synchronously, the pipe blocked the whole process until a writer came: this test timed out.
    const e = await refusal(writeRegistry([{ ...resident, portrait: 'pipe.jpg' }], dir));
    assert.deepEqual([e.detail.line, e.detail.reason], [1, 'registry.portrait_not_regular_file']);
  });

  it('a registry file that is a named pipe, a device or a directory is refused as unreadable', { timeout: 15_000 }, async () => {
    const pipe = join(mkdtempSync(join(tmpdir(), 'netid-fifo-')), 'registry.jsonl');
    assert.equal(spawnSync('mkfifo', [pipe]).status, 0);
    for (const path of [pipe, '/dev/zero', registryDir]) {
      const e = await refusal(path);
      assert.deepEqual([e.code, e.detail.problem], ['registry.file_unreadable', 'not_regular_file'], path);
    }
  });

  it("a portrait path that leaves the file's directory is refused: .., an absolute path, a symbolic link out, a NUL", async () => {
    const dir = mkdtempSync(join(registryDir, 'escape-'));
    mkdirSync(join(dir, 'portraits'));
    symlinkSync(resolve(registryDir, 'portraits/li-na.jpg'), join(dir, 'portraits', 'link.jpg'));
    for (const portrait of ['../portraits/li-na.jpg', resolve(registryDir, 'portraits/li-na.jpg'), 'portraits/link.jpg', 'portraits/../../group.jpg', 'li-na.jpg\u0000.png']) {
      const e = await refusal(writeRegistry([{ ...resident, portrait }], dir));
      assert.deepEqual([e.detail.line, e.detail.reason], [1, 'registry.portrait_outside_directory'], portrait);
    }
  });

  it('a symbolic link that stays inside the directory is followed', async () => {
    const dir = mkdtempSync(join(registryDir, 'inside-'));
    writeFileSync(join(dir, 'li-na.jpg'), readFileSync(resolve(registryDir, 'portraits/li-na.jpg')));
    symlinkSync('li-na.jpg', join(dir, 'alias.jpg'));
    const { records } = await parse(writeRegistry([{ ...resident, portrait: 'alias.jpg' }], dir));
    assert.equal(records.length, 1);
  });

  it('a portrait over 5 MiB and a registry file over 16 MiB are refused before they are read', async () => {
    const dir = mkdtempSync(join(registryDir, 'large-'));
    const big = join(dir, 'big.jpg');
    writeFileSync(big, Buffer.from([0xff, 0xd8, 0xff]));
    truncateSync(big, REGISTRY_LIMITS.portraitBytes + 1);
    const e = await refusal(writeRegistry([{ ...resident, portrait: 'big.jpg' }], dir));
    assert.deepEqual([e.detail.line, e.detail.reason], [1, 'registry.portrait_too_large']);
    const huge = join(dir, 'huge.jsonl');
    writeFileSync(huge, '');
    truncateSync(huge, REGISTRY_LIMITS.fileBytes + 1);
    const tooLarge = await refusal(huge);
    assert.deepEqual([tooLarge.code, tooLarge.detail.limit], ['registry.file_too_large', 'file_bytes']);
  });

  it('an error never repeats what the file holds: a system file, a bad line, an unknown key', async () => {
    const passwd = await refusal('/etc/passwd');
    assert.deepEqual([passwd.code, passwd.detail.reason], ['registry.line_invalid', 'registry.not_json']);
    const secret = 'TOP-SECRET-VALUE';
    const errors = [passwd, await refusal(writeRegistry([{ ...resident, [secret]: secret }])), await refusal(writeRegistry([{ ...resident, nationality: secret }])), await refusal(writeRegistry([`{"name": "${secret}"`]))];
    for (const e of errors) {
      const shown = `${e.message} ${JSON.stringify(e.detail)}`;
      assert.ok(!shown.includes(secret) && !shown.includes('root:'), shown);
    }
  });

  it('a path with a NUL is refused as unreadable', async () => {
    const e = await refusal(`${validFile}\u0000.txt`);
    assert.deepEqual([e.code, e.detail.problem], ['registry.file_unreadable', 'invalid_path']);
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
    const deps = () => ({ registry: node.services.embeddedRegistry!, faceEngine: sharedEngine, now: () => new Date() });

    it('imports all records, finds them by document, and re-importing updates', async () => {
      const registry = node.services.embeddedRegistry!;
      const { records } = await parse(validFile);
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
      const result = await importRegistryFile(deps(), { path: validFile, channel: 'admin_api' });
      const [imported] = await registry.imports(1);
      assert.deepEqual({ ...imported, finishedAt: undefined }, { source: basename(validFile), channel: 'admin_api', outcome: 'imported', inserted: result.inserted, updated: result.updated, errorCode: null, errorLine: null, finishedAt: undefined });
      assert.ok(!imported!.source.includes('/'), 'the file name only, never the path');

      const before = await countRecords();
      const bad = writeRegistry([...demoLines.slice(0, 3), badLines[0]![1]]);
      await assert.rejects(importRegistryFile(deps(), { path: bad, channel: 'cli' }), (error: unknown) => error instanceof NetidError && error.code === 'registry.line_invalid');
      const [refused] = await registry.imports(1);
      assert.equal(refused?.outcome, 'refused');
      assert.equal(refused?.errorCode, 'registry.line_invalid');
      assert.equal(refused?.errorLine, 4);
      assert.equal(refused?.channel, 'cli');
      assert.equal(refused?.inserted, 0);
      assert.equal(await countRecords(), before, 'nothing imported');
    });

    it('a group photograph on the last line refuses the whole file: nothing imported, not even the good lines before it', async () => {
      const registry = node.services.embeddedRegistry!;
      const before = await registry.stats();
      const file = writeRegistry([...demoLines.map((l) => ({ ...l, status: 'revoked' })), { ...resident, document_number: withCheck('11010519800101001'), birth_date: '1980-01-01', portrait: 'group.jpg' }]);
      await assert.rejects(importRegistryFile(deps(), { path: file, channel: 'admin_api' }), (error: unknown) => error instanceof NetidError && error.detail?.reason === 'registry.portrait_several_faces');
      assert.deepEqual(await registry.stats(), before);
    });

    it('an import path with a NUL is refused with a code and kept in the import status (PostgreSQL refuses NUL in text)', async () => {
      const registry = node.services.embeddedRegistry!;
      await assert.rejects(importRegistryFile(deps(), { path: `${registryDir}/registry\u0000.jsonl`, channel: 'admin_api' }), (error: unknown) => error instanceof NetidError && error.code === 'registry.file_unreadable');
      const [refused] = await registry.imports(1);
      assert.equal(refused?.errorCode, 'registry.file_unreadable');
      assert.equal(refused?.source, 'registry\uFFFD.jsonl');
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
