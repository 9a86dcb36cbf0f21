/**
 * `netid log verify`, run as its own process against a started node over HTTP, catches what an
 * insider with write access to the database could do to the stored log: alter an entry, roll
 * the published checkpoint back, or rewrite history and sign a fork.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testEnv } from '../support/databases.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
let node: RunningNode;
let dir: string;

function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'log', 'verify', '--url', node.publicUrl, ...args], { env: { ...process.env, ...testEnv({ NETID_DATA_DIR: dir }) } as NodeJS.ProcessEnv }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function logEvents(count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await node.services.transparency.recordAccountableEvent({ type: 'operator.action', actor: `op-${tag}`, reason: `action ${i}` });
  }
  await node.services.transparency.checkpoint();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netid-logcli-'));
  node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dir, NETID_CHECKPOINT_INTERVAL_SECONDS: '3600' })), { inMemory: true, skipLock: true });
});
after(async () => node?.close());

describe('netid log verify (independent process, over HTTP)', () => {
  it('passes on an honest log and detects an entry altered in the database', async () => {
    await logEvents(5, 'a');
    const state = join(dir, 'honest.json');
    const ok = await verify('--state', state, '--audit', '--index', '2');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).ok, true);

    const { db } = node.services.database;
    const origin = node.services.transparency.origin;
    const original = await db.selectFrom('log_entries').select('entry').where('log_id', '=', origin).where('idx', '=', 2).executeTakeFirstOrThrow();
    const forged = new TextDecoder().decode(original.entry).replace('action', 'nothing');
    await db.updateTable('log_entries').set({ entry: new TextEncoder().encode(forged) }).where('log_id', '=', origin).where('idx', '=', 2).execute();
    const bad = await verify('--state', state, '--audit');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /VERIFICATION FAILED/);
    assert.deepEqual(JSON.parse(bad.stdout).problems.map((p: { code: string }) => p.code), ['log.entry_altered']);
    // A held receipt of entry 2 (its original bytes) would show the same; restore the row.
    await db.updateTable('log_entries').set({ entry: original.entry }).where('log_id', '=', origin).where('idx', '=', 2).execute();
    assert.equal((await verify('--state', state, '--audit')).code, 0);
  });

  it('detects a rolled-back checkpoint', async () => {
    const state = join(dir, 'rollback.json');
    await logEvents(3, 'b');
    assert.equal((await verify('--state', state)).code, 0);
    await logEvents(4, 'c');
    const seen = await verify('--state', state);
    assert.equal(seen.code, 0, seen.stderr);
    // An insider deletes the newest checkpoint, so the log serves an older, smaller one.
    const newest = (await node.services.transparency.log.latestCheckpoint())!.treeSize;
    await node.services.database.db.deleteFrom('log_checkpoints').where('log_id', '=', node.services.transparency.origin).where('size', '=', newest).execute();
    const rolledBack = await verify('--state', state);
    assert.notEqual(rolledBack.code, 0);
    assert.deepEqual(JSON.parse(rolledBack.stdout).problems.map((p: { code: string }) => p.code), ['log.rollback']);
  });

  it('detects a fork: history rewritten and re-signed with the real key', async () => {
    const state = join(dir, 'fork.json');
    await logEvents(2, 'd');
    assert.equal((await verify('--state', state)).code, 0);
    const { db } = node.services.database;
    const origin = node.services.transparency.origin;
    const size = await node.services.transparency.log.size();
    const keep = size - 3;
    // Truncate the stored tree to `keep` entries (and every node covering a later leaf)…
    await db.deleteFrom('log_entries').where('log_id', '=', origin).where('idx', '>=', keep).execute();
    await sql`DELETE FROM log_nodes WHERE log_id = ${origin} AND (idx + 1) * (2::bigint ^ level)::bigint > ${keep}`.execute(db);
    await db.updateTable('log_heads').set({ size: keep }).where('log_id', '=', origin).execute();
    await db.deleteFrom('log_checkpoints').where('log_id', '=', origin).where('size', '>', keep).execute();
    // …then write other entries and let the service sign a bigger tree.
    await logEvents(6, 'forged');
    assert.ok((await node.services.transparency.log.size()) > size);
    const forked = await verify('--state', state);
    assert.notEqual(forked.code, 0);
    const report = JSON.parse(forked.stdout);
    assert.deepEqual(report.problems.map((p: { code: string }) => p.code), ['log.fork']);
    // The report carries both signed notes: publishable evidence.
    assert.match(report.problems[0].detail.verified_note, /netid\/log\/v1/);
    assert.notEqual(report.problems[0].detail.verified_note, report.problems[0].detail.presented_note);
  });
});
