/**
 * Every answer of both listeners to bad input is a coded 4xx, never a 500, and changes nothing
 * stored; oidc-provider's own answers carry the same security headers as the rest of netid.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { dataPaths } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testDatabases, testEnv } from '../support/databases.ts';
import { databaseWatch, errorCodeOf, LOGGING_TABLES, rawRequest } from '../support/fuzz.ts';

for (const database of testDatabases) {
  describe(`bad input answers a coded 4xx and changes nothing (${database.kind})`, () => {
    let node: RunningNode;
    let token: string;
    before(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'netid-errors-'));
      const url = await database.url();
      node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir, DATABASE_URL: url })), { inMemory: !url, skipLock: true, backgroundJobs: false });
      token = readFileSync(dataPaths(dataDir).adminToken, 'utf8').trim();
    });
    after(() => node.close());

    const refused = async (base: string, method: string, path: string, expected: { status: number; code: string }, headers: Record<string, string> = {}, body?: string) => {
      const watch = databaseWatch(node.services.database.db, LOGGING_TABLES);
      const before = await watch.snapshot();
      const answer = await rawRequest(base, method, path, headers, body);
      assert.equal(answer.status, expected.status, `${method} ${path}: ${answer.body.slice(0, 200)}`);
      assert.equal(errorCodeOf(answer), expected.code);
      assert.deepEqual(await watch.snapshot(), before, `${method} ${path} changed nothing stored`);
      return answer;
    };
    const json = { 'content-type': 'application/json' };

    it('a U+0000 in an app name or a registry import path is request.invalid, not a 500', async () => {
      const admin = { ...json, authorization: `Bearer ${token}` };
      await refused(node.adminUrl, 'POST', '/admin/v1/relying-parties', { status: 400, code: 'request.invalid' }, admin, JSON.stringify({ name: 'Tax\u0000 office', organisation: 'Org', category: 'government', redirect_uris: ['https://tax.example/cb'], sector_identifier: 'tax.example', token_endpoint_auth_method: 'client_secret_basic' }));
      await refused(node.adminUrl, 'POST', '/admin/v1/registry/import', { status: 400, code: 'request.invalid' }, admin, JSON.stringify({ path: '/tmp/registry\u0000.jsonl' }));
      // Nested, and as a key.
      await refused(node.publicUrl, 'POST', '/api/v1/enrolments', { status: 400, code: 'request.invalid' }, json, JSON.stringify({ document_type: 'resident_id', document_number: 'x', name: 'a', birth_date: '2000-01-01', extra: [{ 'k\u0000': 1 }] }));
    });

    it('a U+0000 in the path or query is request.invalid before any route: /oidc/auth?client_id=%00, /oidc/par', async () => {
      await refused(node.publicUrl, 'GET', '/oidc/auth?client_id=%00', { status: 400, code: 'request.invalid' });
      await refused(node.publicUrl, 'GET', '/api/v1/enrolments/%00', { status: 400, code: 'request.invalid' });
      await refused(node.publicUrl, 'GET', '/healthz?lang=%00', { status: 400, code: 'request.invalid' });
    });

    it('POST /oidc/par with client_id=%00 in its form body is refused by the provider with an OAuth code', async () => {
      await refused(node.publicUrl, 'POST', '/oidc/par', { status: 401, code: 'invalid_client' }, { 'content-type': 'application/x-www-form-urlencoded' }, 'client_id=%00&response_type=code');
    });

    it('a JSON body that is not an object (null, a number, an array) is request.invalid, not a 500: POST /settings/language null', async () => {
      await refused(node.publicUrl, 'POST', '/settings/language', { status: 400, code: 'request.invalid' }, json, 'null');
      for (const body of ['1', '[]', '"x"', 'null']) await refused(node.publicUrl, 'POST', '/api/v1/enrolments', { status: 400, code: 'request.invalid' }, json, body);
      await refused(node.adminUrl, 'POST', '/admin/v1/relying-parties', { status: 400, code: 'request.invalid' }, { ...json, authorization: `Bearer ${token}` }, '[{"name":"x"}]');
    });

    it('a JSON body with a __proto__ or constructor.prototype key is request.invalid', async () => {
      await refused(node.publicUrl, 'POST', '/api/v1/enrolments', { status: 400, code: 'request.invalid' }, json, '{"__proto__":{"polluted":1},"document_type":"x"}');
      await refused(node.publicUrl, 'POST', '/api/v1/enrolments', { status: 400, code: 'request.invalid' }, json, '{"constructor":{"prototype":{"polluted":1}}}');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('a malformed id is request.invalid: DELETE /api/v1/enrolments/x', async () => {
      await refused(node.publicUrl, 'DELETE', '/api/v1/enrolments/x', { status: 400, code: 'request.invalid' });
      await refused(node.publicUrl, 'GET', `/api/v1/enrolments/${randomUUID()}x`, { status: 400, code: 'request.invalid' });
    });

    it('a path that does not decode is request.bad_encoding and the answer never echoes it', async () => {
      const answer = await refused(node.publicUrl, 'GET', '/%E0%A4%A<marker>', { status: 400, code: 'request.bad_encoding' });
      assert.ok(!answer.body.includes('marker') && !answer.body.includes('FST_'), answer.body);
      await refused(node.publicUrl, 'GET', '/api/v1/enrolments/%C3%28', { status: 400, code: 'request.bad_encoding' });
      await refused(node.adminUrl, 'GET', '/admin/v1/keys/%FF/retire', { status: 400, code: 'request.bad_encoding' });
    });

    it('a request Node\'s HTTP parser refuses (a malformed request line, oversized headers) still gets a coded answer', async () => {
      const exchange = (text: string) => new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(node.publicUrl).port), '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
        socket.end(text);
      });
      const malformed = await exchange('NOT A REQUEST\r\n\r\n');
      assert.match(malformed, /^HTTP\/1\.1 400 /);
      assert.match(malformed, /"error":"request\.invalid"/);
      const oversized = await exchange(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(oversized, /^HTTP\/1\.1 431 /);
      assert.match(oversized, /"error":"request\.headers_too_large"/);
      assert.match(oversized, /content-security-policy: /i);
    });

    it('an over-long path parameter is request.uri_too_long', async () => {
      await refused(node.publicUrl, 'GET', `/api/v1/enrolments/${'a'.repeat(500)}`, { status: 414, code: 'request.uri_too_long' });
    });

    it('static files that do not exist, or lie outside their folder, are the coded 404', async () => {
      for (const path of ['/static/nope.css', '/static/%2e%2e/package.json', '/static/client/..%2F..%2Fpackage.json', '/static/netid.txt']) {
        const answer = await rawRequest(node.publicUrl, 'GET', path);
        assert.ok([400, 404].includes(answer.status), path);
        assert.ok(errorCodeOf(answer), `${path} answers with a code`);
      }
      assert.equal(errorCodeOf(await rawRequest(node.publicUrl, 'GET', '/static/nope.css')), 'request.not_found');
    });

    it('an unknown OIDC interaction is an error page naming oidc.interaction_expired', async () => {
      const answer = await refused(node.publicUrl, 'GET', '/oidc/interaction/unknown-uid', { status: 400, code: 'oidc.interaction_expired' });
      assert.match(answer.contentType, /text\/html/);
      const post = await refused(node.publicUrl, 'POST', '/oidc/interaction/unknown-uid/passkey/options', { status: 400, code: 'oidc.interaction_expired' }, json, '{}');
      assert.match(post.contentType, /json/);
    });

    it('a path or method oidc-provider does not serve is the coded 404', async () => {
      await refused(node.publicUrl, 'GET', '/oidc/nope', { status: 404, code: 'request.not_found' });
      await refused(node.publicUrl, 'PUT', '/.well-known/openid-configuration', { status: 404, code: 'request.not_found' });
    });

    it('oidc-provider errors carry their OAuth code: in the page for browsers, in JSON for apps', async () => {
      const page = await refused(node.publicUrl, 'GET', '/oidc/auth?client_id=nobody&response_type=code&scope=openid', { status: 400, code: 'invalid_client' });
      assert.match(page.contentType, /text\/html/);
      await refused(node.publicUrl, 'POST', '/oidc/token', { status: 400, code: 'invalid_request' }, { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=authorization_code');
    });

    it('a resumed authorization with an unknown interaction is an error page, not a 500', async () => {
      const registry = (await import('../../src/relying-parties/admin-routes.ts')).relyingPartyRegistryOf(node.services);
      const { relyingParty } = await registry.register({ name: 'Resume app', organisation: 'Org', category: 'commercial', redirect_uris: ['https://resume.example/cb'], sector_identifier: 'resume.example', token_endpoint_auth_method: 'client_secret_basic', required_acr: 'substantial' }, 'test');
      await registry.transition(relyingParty.clientId, 'approve', 'test');
      const answer = await rawRequest(node.publicUrl, 'GET', `/oidc/auth/x?client_id=${relyingParty.clientId}&response_type=code`);
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status}`);
      assert.ok(errorCodeOf(answer));
    });

    it('a transparency-log row removed behind netid\'s back is log.entry_missing (409), not an outage', async () => {
      await node.services.transparency.recordAccountableEvent({ type: 'disclosure.claims', actor: 'person', personId: randomUUID(), relyingParty: 'rp_test', claims: ['name'] });
      await node.services.transparency.recordAccountableEvent({ type: 'disclosure.claims', actor: 'person', personId: randomUUID(), relyingParty: 'rp_test', claims: ['name'] });
      const checkpoint = await node.services.transparency.checkpoint();
      assert.ok(checkpoint.treeSize >= 2);
      const entries = await fetch(`${node.publicUrl}/log/v1/entries?start=0&end=${checkpoint.treeSize}`);
      assert.equal(entries.status, 200);
      await sql`DELETE FROM log_entries WHERE idx = 1`.execute(node.services.database.db);
      const answer = await rawRequest(node.publicUrl, 'GET', `/log/v1/entries?start=0&end=${checkpoint.treeSize}`);
      assert.equal(answer.status, 409);
      assert.equal(errorCodeOf(answer), 'log.entry_missing');
      assert.equal((await rawRequest(node.publicUrl, 'GET', '/log/v1/entries?start=0&end=1')).status, 200, 'the rows still there are served');
    });
  });
}

describe('security headers on the answers oidc-provider writes itself', () => {
  let node: RunningNode;
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'netid-headers-'));
    node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dataDir, NETID_ISSUER: 'https://netid.test' })), { inMemory: true, skipLock: true, backgroundJobs: false });
  });
  after(() => node.close());

  it('discovery (JSON) carries CSP with frame-ancestors and, on https, HSTS', async () => {
    const answer = await rawRequest(node.publicUrl, 'GET', '/.well-known/openid-configuration');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(answer.headers['strict-transport-security']), /max-age=31536000/);
    assert.equal(answer.headers['x-frame-options'], 'DENY');
  });

  it('the session-end page is never framed, and its one inline script is allowed by its hash', async () => {
    const answer = await rawRequest(node.publicUrl, 'GET', '/oidc/session/end');
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /text\/html/);
    const csp = String(answer.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(answer.body)?.[1];
    assert.ok(script, 'the page posts its form with an inline script');
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`), csp);
    assert.ok(!csp.includes('unsafe-inline'));
  });

  it('oidc-provider\'s error pages carry CSP, HSTS and their code', async () => {
    const answer = await rawRequest(node.publicUrl, 'GET', '/oidc/auth?client_id=nobody');
    assert.equal(answer.status, 400);
    assert.equal(errorCodeOf(answer), 'invalid_client');
    assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
  });

  it('netid\'s own answers on https carry HSTS too', async () => {
    const answer = await rawRequest(node.publicUrl, 'GET', '/no/such/page');
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
    assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
  });
});
