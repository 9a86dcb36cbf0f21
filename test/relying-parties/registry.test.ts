/** The relying-party registry: validation, legal bases, approval and suspension with history, through the admin API and the CLI. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminToken } from '../../src/app/data-dir.ts';
import { main } from '../../src/main.ts';
import { startOidcNode, type OidcTestNode } from '../oidc/support.ts';

const app = { name: 'Tax office', organisation: 'Example tax bureau', category: 'public_service', redirect_uris: ['https://tax.example/cb'], sector_identifier: 'tax.example', token_endpoint_auth_method: 'client_secret_basic', claims: [{ claim: 'name', legal_basis: 'Tax Collection Administration Law art. 15' }] };

describe('relying-party registry', () => {
  let t: OidcTestNode;
  let call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;
  before(async () => {
    t = await startOidcNode();
    const token = adminToken(t.node.services.config.NETID_DATA_DIR);
    call = async (method, path, body) => {
      const response = await fetch(`${t.node.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : null });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
  });
  after(async () => t?.close());

  it('refuses plaintext claims without a legal basis and unknown claims', async () => {
    assert.equal((await call('POST', '/admin/v1/relying-parties', { ...app, claims: [{ claim: 'document_number', legal_basis: '' }] })).json.error, 'relying_party.legal_basis_required');
    assert.equal((await call('POST', '/admin/v1/relying-parties', { ...app, claims: [{ claim: 'document_number', legal_basis: '   ' }] })).json.error, 'relying_party.legal_basis_required');
    const tooShort = await call('POST', '/admin/v1/relying-parties', { ...app, claims: [{ claim: 'name', legal_basis: ' 法 ' }] });
    assert.deepEqual([tooShort.status, tooShort.json.error, (tooShort.json.detail as { claim: string }).claim], [400, 'relying_party.legal_basis_too_short', 'name']);
    assert.equal((await call('POST', '/admin/v1/relying-parties', { ...app, claims: [{ claim: 'religion', legal_basis: 'none at all here' }] })).json.error, 'relying_party.invalid');
    assert.equal((await call('GET', '/admin/v1/relying-parties')).status, 200);
    const unauthenticated = await fetch(`${t.node.adminUrl}/admin/v1/relying-parties`);
    assert.equal(unauthenticated.status, 401);
  });

  it('accepts a real citation as the legal basis: 《档案法》第十条', async () => {
    const created = await call('POST', '/admin/v1/relying-parties', { ...app, client_id: 'archives-app', claims: [{ claim: 'name', legal_basis: '《档案法》第十条' }, { claim: 'document_number', legal_basis: '刑法' }] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual((created.json.claims as Array<{ legal_basis: string }>).map((c) => c.legal_basis), ['《档案法》第十条', '刑法']);
  });

  it('registers pending, approves, suspends, and records every change', async () => {
    const created = await call('POST', '/admin/v1/relying-parties', app);
    assert.equal(created.status, 201);
    assert.equal(created.json.state, 'pending');
    assert.equal(typeof created.json.client_secret, 'string');
    const id = String(created.json.client_id);
    assert.equal((await call('POST', `/admin/v1/relying-parties/${id}/approve`, {})).json.state, 'approved');
    assert.equal((await call('POST', `/admin/v1/relying-parties/${id}/suspend`, { reason: 'complaint' })).json.state, 'suspended');
    assert.equal((await call('POST', `/admin/v1/relying-parties/${id}/suspend`, {})).json.error, 'relying_party.wrong_state');
    const shown = await call('GET', `/admin/v1/relying-parties/${id}`);
    assert.deepEqual((shown.json.history as { action: string }[]).map((h) => h.action), ['register', 'approve', 'suspend']);
    assert.equal(JSON.stringify(shown.json).includes(String(created.json.client_secret)), false, 'the secret is shown once only');
  });

  it('nothing in a request body names who acts: an actor field is refused, and the history records the admin API', async () => {
    const created = await call('POST', '/admin/v1/relying-parties', { ...app, client_id: 'actor-app' });
    assert.equal(created.status, 201);
    const impersonated = await call('POST', '/admin/v1/relying-parties/actor-app/approve', { actor: 'operator-x' });
    assert.equal(impersonated.status, 400);
    assert.equal(impersonated.json.error, 'request.invalid');
    assert.equal((await call('POST', '/admin/v1/relying-parties/actor-app/approve', {})).json.state, 'approved');
    const history = (await call('GET', '/admin/v1/relying-parties/actor-app')).json.history as { action: string; actor: string }[];
    assert.deepEqual(history.map((h) => [h.action, h.actor]), [['register', 'admin-api'], ['approve', 'admin-api']]);
  });

  it('every registration, approval and suspension is an entry in the transparency log', async () => {
    const created = await call('POST', '/admin/v1/relying-parties', { ...app, client_id: 'logged-app' });
    await call('POST', '/admin/v1/relying-parties/logged-app/approve', {});
    await call('POST', '/admin/v1/relying-parties/logged-app/suspend', { reason: 'complaint' });
    assert.equal(created.status, 201);
    const { transparency } = t.node.services;
    await transparency.flush();
    const checkpoint = await transparency.checkpoint();
    const size = checkpoint.treeSize;
    const response = await fetch(`${t.node.publicUrl}/log/v1/entries?start=0&end=${size}`);
    const entries = ((await response.json()) as string[]).map((e) => JSON.parse(Buffer.from(e, 'base64').toString('utf8')) as { type: string; relying_party?: string; reason?: string });
    const mine = entries.filter((e) => e.relying_party === 'logged-app');
    assert.deepEqual(mine.map((e) => e.type), ['relying_party.registered', 'relying_party.approved', 'relying_party.suspended']);
    assert.equal(mine[2]!.reason, 'complaint');
  });

  it('netid rp create goes through the running service', async () => {
    const file = join(t.node.services.config.NETID_DATA_DIR, 'app.json');
    writeFileSync(file, JSON.stringify({ ...app, client_id: 'cli-app' }));
    const lock = join(t.node.services.config.NETID_DATA_DIR, 'netid.lock');
    // The lock names a live process other than this one (the test runner) as the running service.
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, adminUrl: t.node.adminUrl }));
    const saved = { ...process.env };
    Object.assign(process.env, { NETID_DATA_DIR: t.node.services.config.NETID_DATA_DIR, NETID_LOG_LEVEL: 'silent', NETID_DEMO_DATA: 'false' });
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (typeof chunk === 'string' ? (written.push(chunk), true) : (write as (...a: unknown[]) => boolean)(chunk, ...rest))) as typeof process.stdout.write;
    try {
      assert.equal(await main(['rp', 'create', '--file', file]), 0);
    } finally {
      process.stdout.write = write;
      process.env = saved;
    }
    assert.equal(JSON.parse(written.join('')).client_id, 'cli-app');
    assert.equal((await call('GET', '/admin/v1/relying-parties/cli-app')).json.state, 'pending');
  });
});
