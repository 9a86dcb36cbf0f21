import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { dataPaths } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';

describe('HTTP basics', () => {
  let node: RunningNode;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'netid-http-'));
    node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir })), { inMemory: true, skipLock: true });
  });
  after(() => node.close());

  it('answers /healthz and /readyz', async () => {
    assert.deepEqual(await (await fetch(`${node.publicUrl}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${node.publicUrl}/readyz`)).json(), { status: 'ready' });
  });

  it('exposes Prometheus metrics', async () => {
    await fetch(`${node.publicUrl}/healthz`);
    const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
    assert.match(text, /netid_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\}/);
    assert.match(text, /process_cpu_user_seconds_total/);
  });

  it('publishes an OpenAPI document generated from route schemas', async () => {
    const doc = (await (await fetch(`${node.publicUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/jwks.json']);
  });

  it('answers errors as {error, message} in the caller\'s language', async () => {
    const zh = await fetch(`${node.publicUrl}/no/such/page`, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    assert.equal(zh.status, 404);
    assert.deepEqual(await zh.json(), { error: 'request.not_found', message: '此地址没有内容。', message_en: 'There is nothing at this address.' });
    const en = await fetch(`${node.publicUrl}/no/such/page`, { headers: { 'accept-language': 'en-GB' } });
    assert.deepEqual(await en.json(), { error: 'request.not_found', message: 'There is nothing at this address.' });
  });

  it('sets security headers', async () => {
    const response = await fetch(`${node.publicUrl}/healthz`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  });

  it('the admin API needs the admin token; bad bodies get request.invalid and change nothing', async () => {
    const denied = await fetch(`${node.adminUrl}/admin/v1/keys`);
    assert.equal(denied.status, 401);
    assert.equal(((await denied.json()) as { error: string }).error, 'request.unauthenticated');
    const token = readFileSync(dataPaths(dataDir).adminToken, 'utf8');
    const keysBefore = await (await fetch(`${node.adminUrl}/admin/v1/keys`, { headers: { authorization: `Bearer ${token}` } })).json();
    const bad = await fetch(`${node.adminUrl}/admin/v1/keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ alg: 'RS256' }) });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'request.invalid');
    const notJson = await fetch(`${node.adminUrl}/admin/v1/keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"alg":' });
    assert.equal(((await notJson.json()) as { error: string }).error, 'request.invalid');
    assert.deepEqual(await (await fetch(`${node.adminUrl}/admin/v1/keys`, { headers: { authorization: `Bearer ${token}` } })).json(), keysBefore);
  });
});

describe('npm start', () => {
  it('answers /healthz on a fresh data directory (demo portraits cut, registry imported), prints where to go next, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'netid-start-'));
    const port = await freePort();
    const adminPort = await freePort();
    const child = spawn('npm', ['start'], { env: { ...process.env, NETID_DATA_DIR: dataDir, NETID_PORT: String(port), NETID_ADMIN_PORT: String(adminPort), NETID_LOG_LEVEL: 'warn', NODE_ENV: 'development', DATABASE_URL: '' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    let healthy = false;
    // A bound for a start that hangs, not a speed figure (the first start cuts the demo portraits
    // with the face engine; on a loaded machine that alone has taken 40 s).
    while (Date.now() - started < 120_000 && !healthy) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    try {
      assert.ok(healthy, `no answer within 120 s:\n${output}`);
      assert.match(output, /demo registry imported: \d+ identities/);
      assert.match(output, /health: +http:\/\/127\.0\.0\.1:\d+\/healthz/);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
    await exited;
    // npm may exit before the service it started has finished its graceful shutdown.
    let state = 'up';
    for (const deadline = Date.now() + 10_000; state === 'up' && Date.now() < deadline; ) {
      state = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'up', () => 'down');
      if (state === 'up') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(state, 'down', 'the service stops on SIGTERM');
  });
});
