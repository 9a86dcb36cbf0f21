/**
 * The log service and the independent verifier together, through the public routes. Each attack
 * a monitor must catch is staged for real: a second log signed with the same key (fork), an old
 * checkpoint replayed (rollback), a stored entry altered behind the tree (audit), a wrong key.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import type { SigningKey } from '../../src/keys/key-store.ts';
import { derivePersonLogKey, subjectFields } from '../../src/transparency/commitment.ts';
import { logRoutes } from '../../src/transparency/http-routes.ts';
import { TransparencyLog } from '../../src/transparency/log.ts';
import { MemoryLogStore } from '../../src/transparency/memory-log-store.ts';
import { merkleTreeHash } from '../../src/transparency/merkle-tree-hash.ts';
import { httpTransport } from '../../src/transparency/verifier/http-transport.ts';
import { runLogVerify } from '../../src/transparency/verifier/run-log-verify.ts';
import type { LogTransport } from '../../src/transparency/verifier/transport.ts';

const ORIGIN = 'netid.example/log/test';
const clock = () => new Date('2025-07-15T08:00:00.000Z');
const text = (s: string) => new TextEncoder().encode(s);

async function newLog(key: SigningKey, store = new MemoryLogStore()): Promise<TransparencyLog> {
  return new TransparencyLog({ origin: ORIGIN, store, signingKey: key, clock });
}

/** A fetch that dispatches to the route handlers in process (no sockets). */
function routedFetch(log: TransparencyLog): typeof fetch {
  const routes = logRoutes(log);
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const route = routes.find((r) => r.url === url.pathname);
    if (!route) return new Response('not found', { status: 404 });
    const res = await route.handler(Object.fromEntries(url.searchParams));
    return new Response(res.body, { status: res.status, headers: { 'content-type': res.contentType } });
  }) as typeof fetch;
}

function transportFor(log: TransparencyLog): LogTransport {
  return httpTransport('http://log.invalid', routedFetch(log));
}

async function statePath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'netid-log-')), 'state.json');
}

describe('transparency log service', () => {
  it('sequences concurrent appends into batches with contiguous indexes', async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 7 }, (_, i) => text(`b${b} e${i}`)));
    const results = await Promise.all(batches.map((batch) => log.append(batch)));
    const all = results.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 140 }, (_, i) => i));
    const inOrder: Uint8Array[] = [];
    results.forEach((indexes, b) => indexes.forEach((index, i) => (inOrder[index] = batches[b]![i]!)));
    assert.deepEqual(await log.rootAt(140), merkleTreeHash(inOrder));
  });

  it('answers bad route parameters with a 400 JSON error', async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    await log.append([text('a')]);
    const routes = logRoutes(log);
    const inclusion = routes.find((r) => r.url === '/log/v1/proof/inclusion')!;
    const res = await inclusion.handler({ index: '5', tree_size: '1' });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).error, 'log.bad_request');
    assert.equal((await inclusion.handler({ index: '01', tree_size: '1' })).status, 400);
    assert.equal((await routes.find((r) => r.url === '/log/v1/checkpoint')!.handler({})).status, 404);
  });
});

describe('independent log verifier', () => {
  it('verifies over real loopback HTTP, remembers the checkpoint, then checks consistency', async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    await log.append(Array.from({ length: 1000 }, (_, i) => text(`entry ${i}`)));
    await log.checkpoint();
    const routes = logRoutes(log);
    const server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      const route = routes.find((r) => r.url === url.pathname);
      if (!route) return res.writeHead(404).end();
      const out = await route.handler(Object.fromEntries(url.searchParams));
      res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const transport = httpTransport(`http://127.0.0.1:${address.port}/`);
      const path = await statePath();
      const first = await runLogVerify({ transport, verifierKey: log.verifierKey(), statePath: path, audit: true, entries: [{ index: 999, entry: text('entry 999') }] });
      assert.equal(first.ok, true, JSON.stringify(first.problems));
      assert.equal(first.stateUpdated, true);
      assert.deepEqual(first.checks.map((c) => c.check), ['signature', 'inclusion', 'audit']);

      await log.append(Array.from({ length: 333 }, (_, i) => text(`later ${i}`)));
      await log.checkpoint();
      const second = await runLogVerify({ transport, verifierKey: log.verifierKey(), statePath: path });
      assert.equal(second.ok, true, JSON.stringify(second.problems));
      assert.deepEqual(second.checks.find((c) => c.check === 'consistency'), { check: 'consistency', ok: true, detail: '1000 → 1333' });
      assert.equal(JSON.parse(await readFile(path, 'utf8')).logs[ORIGIN].tree_size, 1333);
    } finally {
      server.close();
    }
  });

  it('reports a checkpoint signed by another key as log.signature_invalid', async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    await log.append([text('a')]);
    await log.checkpoint();
    const other = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    const report = await runLogVerify({ transport: transportFor(log), verifierKey: other.verifierKey() });
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.map((p) => p.code), ['log.signature_invalid']);
  });

  it('reports a smaller signed tree than the one verified before as log.rollback', async () => {
    const key = await new EphemeralKeyStore().activeKey('EdDSA');
    const entries = Array.from({ length: 10 }, (_, i) => text(`e${i}`));
    const log = await newLog(key);
    await log.append(entries);
    await log.checkpoint();
    const path = await statePath();
    assert.equal((await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), statePath: path })).ok, true);

    const old = await newLog(key);
    await old.append(entries.slice(0, 5));
    const replayed = (await old.checkpoint()).note;
    const transport = { ...transportFor(log), fetchCheckpoint: async () => replayed };
    const report = await runLogVerify({ transport, verifierKey: log.verifierKey(), statePath: path });
    assert.deepEqual(report.problems.map((p) => p.code), ['log.rollback']);
    assert.equal(report.stateUpdated, false);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).logs[ORIGIN].tree_size, 10);
  });

  /**
   * A verifier that has seen an honest 10-entry log is then shown a log of `size` entries signed
   * with the same key, built from entries where `entryAt(i)` differs from the honest ones.
   */
  async function verifyAfterFork(size: number, entryAt: (i: number) => string) {
    const key = await new EphemeralKeyStore().activeKey('EdDSA');
    const honest = await newLog(key);
    await honest.append(Array.from({ length: 10 }, (_, i) => text(`e${i}`)));
    await honest.checkpoint();
    const path = await statePath();
    await runLogVerify({ transport: transportFor(honest), verifierKey: honest.verifierKey(), statePath: path });

    const forked = await newLog(key);
    await forked.append(Array.from({ length: size }, (_, i) => text(entryAt(i))));
    await forked.checkpoint();
    return runLogVerify({ transport: transportFor(forked), verifierKey: honest.verifierKey(), statePath: path });
  }

  it('reports a same-size tree with another root as log.fork, with both notes as evidence', async () => {
    const report = await verifyAfterFork(10, (i) => (i === 3 ? 'rewritten' : `e${i}`));
    assert.deepEqual(report.problems.map((p) => p.code), ['log.fork']);
    assert.match(String(report.problems[0]!.detail.verified_note), /^netid\.example\/log\/test\n10\n/);
    assert.match(String(report.problems[0]!.detail.presented_note), /^netid\.example\/log\/test\n10\n/);
  });

  it('reports a larger tree that does not extend the verified one as log.fork', async () => {
    const report = await verifyAfterFork(12, (i) => (i === 0 ? 'erased' : `e${i}`));
    assert.deepEqual(report.problems.map((p) => p.code), ['log.fork']);
    assert.equal(report.stateUpdated, false);
  });

  it('detects a stored entry altered behind the tree: full audit gives log.entry_altered', async () => {
    const store = new MemoryLogStore();
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'), store);
    await log.append(Array.from({ length: 2500 }, (_, i) => text(`entry ${i}`)));
    await log.checkpoint();
    assert.equal((await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), audit: true })).ok, true);

    // An insider edits row 1234 in the entries table; the hashes and checkpoint stay as they were.
    const getEntries = store.getEntries.bind(store);
    store.getEntries = async (start, end) => (await getEntries(start, end)).map((e, i) => (start + i === 1234 ? text('entry 1234 (edited)') : e));
    const report = await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), audit: true });
    assert.deepEqual(report.problems.map((p) => p.code), ['log.entry_altered']);

    const receipt = await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), entries: [{ index: 1234, entry: text('entry 1234') }] });
    assert.deepEqual(receipt.problems.map((p) => p.code), ['log.entry_altered']);
    assert.equal(receipt.checks.find((c) => c.check === 'inclusion')?.ok, true, 'the held receipt is still proven included');

    const served = await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), entries: [{ index: 1234 }] });
    assert.deepEqual(served.problems.map((p) => p.code), ['log.inclusion_failed']);
  });

  it("lets a person find their own entries in an audited log, and only theirs", async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    const master = randomBytes(32);
    const a = derivePersonLogKey(master, 'person-a');
    const b = derivePersonLogKey(master, 'person-b');
    const owners = ['a', 'b', 'b', 'a', 'x', 'a'];
    await log.appendEvents(owners.map((o, i) => ({
      type: 'disclosure.claims',
      time: `2025-07-15T08:00:0${i}.000Z`,
      ...(o === 'x' ? {} : subjectFields(o === 'a' ? a : b, randomBytes)),
      relying_party: 'rp-1',
      claims: ['age_over_18'],
    })));
    await log.checkpoint();
    const forA = await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), audit: true, personKey: a });
    assert.deepEqual(forA.ownEntries, [0, 3, 5]);
    const forB = await runLogVerify({ transport: transportFor(log), verifierKey: log.verifierKey(), audit: true, personKey: b });
    assert.deepEqual(forB.ownEntries, [1, 2]);
  });

  it('reports an unreachable log as log.unreachable without touching the state', async () => {
    const log = await newLog(await new EphemeralKeyStore().activeKey('EdDSA'));
    const failing = httpTransport('http://127.0.0.1:9', (async () => {
      throw new Error('ECONNREFUSED');
    }) as typeof fetch);
    const report = await runLogVerify({ transport: failing, verifierKey: log.verifierKey() });
    assert.deepEqual(report.problems.map((p) => p.code), ['log.unreachable']);
  });
});
