/**
 * The admin listener's one authorization decision: taken on the route the router matched, deny
 * by default, whatever spelling of the path a caller sends; only loopback Host names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { dataPaths } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { routesOf } from '../../src/http/server.ts';
import { nonCanonical } from '../../src/http/request-guard.ts';
import { testEnv } from '../support/databases.ts';
import { databaseWatch, errorCodeOf, LOGGING_TABLES, rawRequest } from '../support/fuzz.ts';

/** Concrete paths for a route pattern: parameters filled with values of the right shape. */
const fill = (pattern: string) => pattern.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' ? '6f1c1f0e-8a41-4b8e-9d5e-0c1d2e3f4a5b' : 'x')).replace(/\*$/, 'x.js');

/** Every other spelling of a path that a router decoding percent-encoding might take for the same route. */
function spellings(path: string): string[] {
  const segments = path.split('/');
  const encodeLetter = (segment: string, at: number) => segment.slice(0, at) + `%${segment.charCodeAt(at).toString(16)}` + segment.slice(at + 1);
  const out = new Set<string>();
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const letter = segment.search(/[A-Za-z0-9]/);
    if (letter >= 0) out.add([...segments.slice(0, i), encodeLetter(segment, letter), ...segments.slice(i + 1)].join('/'));
    if (letter >= 0) out.add([...segments.slice(0, i), encodeLetter(segment, letter).toUpperCase().replace(/%([0-9A-F]{2})/, (_m, h: string) => `%${h.toLowerCase()}`), ...segments.slice(i + 1)].join('/'));
  }
  out.add(path.replace('/', '//'));
  out.add(path.replace(/\/([^/]+)$/, '//$1'));
  out.add(path.replace(/\/([^/]+)$/, '/./$1'));
  out.add(path.replace(/^\/([^/]+)/, '/$1/../$1'));
  out.add(path.replace(/^\/([^/]+)/, '/$1/%2e%2e/$1'));
  out.add(path.toUpperCase());
  out.add(path.replace(/^\/(\w)/, (_m, c: string) => `/${c.toUpperCase()}`));
  out.add(`${path}/`);
  out.add(path.replace(/\/v1\//, '%2Fv1%2F'));
  out.delete(path);
  return [...out];
}

describe('admin listener authorization', () => {
  let node: RunningNode;
  let token: string;
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'netid-admin-access-'));
    node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir })), { inMemory: true, skipLock: true, backgroundJobs: false });
    token = readFileSync(dataPaths(dataDir).adminToken, 'utf8').trim();
  });
  after(() => node.close());

  it('every admin route asks for the bearer token unless it is open (health, metrics, OpenAPI, the console)', async () => {
    const routes = routesOf(node.adminServer).filter((r) => r.method !== 'HEAD');
    assert.ok(routes.length > 30, 'the admin listener lists its routes');
    const open: string[] = [];
    for (const route of routes) {
      const answer = await rawRequest(node.adminUrl, route.method, fill(route.url), route.method === 'POST' ? { 'content-type': 'application/json' } : {}, route.method === 'POST' ? '{}' : undefined);
      if (route.url.startsWith('/admin/')) {
        assert.equal(answer.status, 401, `${route.method} ${route.url} without the token`);
        assert.equal(errorCodeOf(answer), 'request.unauthenticated');
      } else if (answer.status !== 401) {
        open.push(route.url);
      }
    }
    assert.ok(open.every((url) => ['/healthz', '/readyz', '/metrics', '/api/openapi.json', '/lang', '/'].includes(url) || url === '/console' || url.startsWith('/console/') || url.startsWith('/static/')), `open routes: ${[...new Set(open)].join(' ')}`);
  });

  it('no other spelling of any admin path reaches a route without the token: encoded letters, double slashes, dot segments, case', async () => {
    const watch = databaseWatch(node.services.database.db, LOGGING_TABLES);
    const before = await watch.snapshot();
    const routes = routesOf(node.adminServer).filter((r) => r.url.startsWith('/admin/') && r.method !== 'HEAD');
    let tried = 0;
    for (const route of routes) {
      for (const path of spellings(fill(route.url))) {
        const answer = await rawRequest(node.adminUrl, route.method, path, { 'content-type': 'application/json' }, route.method === 'GET' ? undefined : '{"name":"Mallory","role":"operator","alg":"ES256","path":"/etc/passwd"}');
        tried++;
        assert.ok([400, 401, 404].includes(answer.status), `${route.method} ${path}: ${answer.status}`);
        assert.ok(errorCodeOf(answer), `${route.method} ${path} answers with a code`);
      }
    }
    assert.ok(tried > routes.length * 10);
    assert.deepEqual(await watch.snapshot(), before, 'nothing stored changed');
  });

  it('POST /%61dmin/v1/operators is refused and creates no operator (issue 11, item 1)', async () => {
    const answer = await rawRequest(node.adminUrl, 'POST', '/%61dmin/v1/operators', { 'content-type': 'application/json' }, JSON.stringify({ name: 'Mallory', role: 'operator' }));
    assert.equal(answer.status, 400);
    assert.equal(errorCodeOf(answer), 'request.path_not_canonical');
    const listed = await fetch(`${node.adminUrl}/admin/v1/operators`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(!JSON.stringify(await listed.json()).includes('Mallory'));
  });

  it('GET /%61dmin/v1/keys and /admin/%761/keys are refused, with or without the token', async () => {
    for (const path of ['/%61dmin/v1/keys', '/admin/%761/keys']) {
      for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
        const answer = await rawRequest(node.adminUrl, 'GET', path, headers);
        assert.equal(answer.status, 400, path);
        assert.equal(errorCodeOf(answer), 'request.path_not_canonical');
      }
    }
    assert.equal((await rawRequest(node.adminUrl, 'GET', '/admin/v1/keys', { authorization: `Bearer ${token}` })).status, 200);
  });

  it('an encoded reserved character in a parameter is not ambiguous and still needs the token', async () => {
    const answer = await rawRequest(node.adminUrl, 'GET', '/admin/v1/relying-parties/a%2Fb');
    assert.equal(answer.status, 401);
    assert.equal(nonCanonical('/admin/v1/relying-parties/a%2Fb'), undefined);
  });

  it('answers only Host names that are loopback with its own port (no DNS rebinding)', async () => {
    const port = new URL(node.adminUrl).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      assert.equal((await rawRequest(node.adminUrl, 'GET', '/healthz', { host })).status, 200, host);
    }
    for (const host of ['evil.example', `evil.example:${port}`, 'localhost', `localhost:${Number(port) + 1}`, `127.0.0.1.evil.example:${port}`]) {
      const answer = await rawRequest(node.adminUrl, 'GET', '/admin/v1/keys', { host, authorization: `Bearer ${token}` });
      assert.equal(answer.status, 421, host);
      assert.equal(errorCodeOf(answer), 'request.host_not_allowed');
    }
    // The console too: a rebinding page cannot drive an operator's signed-in browser.
    assert.equal((await rawRequest(node.adminUrl, 'GET', '/console/signin', { host: `evil.example:${port}` })).status, 421);
  });

  it('serves /metrics on the admin listener only', async () => {
    assert.equal((await fetch(`${node.adminUrl}/metrics`)).status, 200);
    const publicMetrics = await rawRequest(node.publicUrl, 'GET', '/metrics');
    assert.equal(publicMetrics.status, 404);
    assert.equal(errorCodeOf(publicMetrics), 'request.not_found');
  });
});
