/**
 * `netid holder` and `netid verify` as a person and an app would run them: child processes,
 * no database for verify; exit 0 for a valid presentation, 1 with the stable code otherwise,
 * 2 for a usage error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningNode } from '../../src/app/app.ts';
import { enrolPerson, startServiceNode } from './service-fixture.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** Runs the command in a child process (asynchronously: the node under test serves it from this process). */
function netid(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // An empty environment apart from PATH: verify must not need configuration or a database.
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('netid holder and netid verify', () => {
  let node: RunningNode;
  let issuer: string;
  let dir: string;
  let personId: string;

  before(async () => {
    ({ node, issuer } = await startServiceNode(undefined));
    dir = mkdtempSync(join(tmpdir(), 'netid-verify-'));
    const person = await enrolPerson(node);
    personId = person.personId;
    const keys = await netid(['holder', 'keys', '--out', join(dir, 'keys'), '--count', '3']);
    assert.equal(keys.code, 0, keys.stderr);
    const body = readFileSync(join(dir, 'keys', 'holder-keys.json'), 'utf8');
    const response = await fetch(`${issuer}/api/v1/me/web-certificates`, { method: 'POST', headers: { authorization: `Bearer ${person.token}`, 'content-type': 'application/json' }, body });
    assert.equal(response.status, 201);
    writeFileSync(join(dir, 'batch.json'), await response.text());
    writeFileSync(join(dir, 'jwks.json'), await (await fetch(`${issuer}/.well-known/jwt-vc-issuer`)).text());
    writeFileSync(join(dir, 'list-0.jwt'), await (await fetch(`${issuer}/status/v1/lists/0`)).text());
  });
  after(async () => node?.close());

  async function presentWith(key: number, nonce: string, audience = 'https://shop.example'): Promise<string> {
    const out = await netid(['holder', 'present', '--credentials', join(dir, 'batch.json'), '--key', join(dir, 'keys', `key-${key}.json`), '--claims', 'age_over_18,verified', '--nonce', nonce, '--audience', audience]);
    assert.equal(out.code, 0, out.stderr);
    const file = join(dir, `vp-${key}-${nonce}.txt`);
    writeFileSync(file, out.stdout);
    return file;
  }

  it('verifies a presentation over HTTP from the issuer (exit 0, typed result)', async () => {
    const file = await presentWith(0, 'nonce-http-0123456789ab');
    const out = await netid(['verify', file, '--nonce', 'nonce-http-0123456789ab', '--audience', 'https://shop.example', '--issuer', issuer]);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.equal(result.ok, true);
    assert.deepEqual(result.claims, { age_over_18: true, verified: true });
    assert.equal(result.issuer, issuer);
  });

  it('verifies fully offline with a JWKS file and a status-list file', async () => {
    const file = await presentWith(1, 'nonce-offline-0123456789');
    const out = await netid(['verify', file, '--nonce', 'nonce-offline-0123456789', '--audience', 'https://shop.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).ok, true);
  });

  it('exits 1 with the stable code for a wrong nonce, a wrong audience, a missing status list', async () => {
    const file = await presentWith(1, 'nonce-codes-0123456789ab');
    const wrongNonce = await netid(['verify', file, '--nonce', 'another-nonce-0123456789', '--audience', 'https://shop.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(wrongNonce.code, 1);
    assert.equal(JSON.parse(wrongNonce.stdout).error.code, 'vp.nonce_mismatch');
    assert.match(wrongNonce.stderr, /vp\.nonce_mismatch/);
    const wrongAudience = await netid(['verify', file, '--nonce', 'nonce-codes-0123456789ab', '--audience', 'https://bank.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(wrongAudience.code, 1);
    assert.equal(JSON.parse(wrongAudience.stdout).error.code, 'vp.audience_mismatch');
    const noList = await netid(['verify', file, '--nonce', 'nonce-codes-0123456789ab', '--audience', 'https://shop.example', '--jwks', join(dir, 'jwks.json')]);
    assert.equal(noList.code, 1);
    assert.equal(JSON.parse(noList.stdout).error.code, 'vp.status_unavailable');
  });

  it('without --nonce/--audience still checks everything else, and says what it did not check', async () => {
    const file = await presentWith(2, 'nonce-unchecked-01234567');
    const out = await netid(['verify', file, '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).warnings.length, 2);
  });

  it('exits 1 with vp.revoked once the person is deactivated and the list refreshed', async () => {
    const file = await presentWith(2, 'nonce-revoked-0123456789');
    await node.services.credentials.revokePersonCredentials(personId, 'fraud');
    writeFileSync(join(dir, 'list-0-new.jwt'), await (await fetch(`${issuer}/status/v1/lists/0`)).text());
    const out = await netid(['verify', file, '--nonce', 'nonce-revoked-0123456789', '--audience', 'https://shop.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0-new.jwt')]);
    assert.equal(out.code, 1);
    assert.equal(JSON.parse(out.stdout).error.code, 'vp.revoked');
    const viaIssuer = await netid(['verify', file, '--nonce', 'nonce-revoked-0123456789', '--audience', 'https://shop.example', '--issuer', issuer]);
    assert.equal(viaIssuer.code, 1);
    assert.equal(JSON.parse(viaIssuer.stdout).error.code, 'vp.revoked');
  });

  it('takes a nonce that starts with - (1 in 64 base64url nonces), written after --nonce or with =', async () => {
    const file = await presentWith(0, '-dash-nonce-0123456789ab');
    const out = await netid(['verify', file, '--nonce', '-dash-nonce-0123456789ab', '--audience', 'https://shop.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).ok, true);
    const withEquals = await netid(['verify', file, '--nonce=-dash-nonce-0123456789ab', '--audience=https://shop.example', '--jwks', join(dir, 'jwks.json'), '--status-list', join(dir, 'list-0.jwt')]);
    assert.equal(withEquals.code, 0, withEquals.stderr);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await netid(['verify'])).code, 2);
    assert.equal((await netid(['verify', 'x.txt', '--issuer', issuer, '--jwks', 'j.json'])).code, 2);
    assert.equal((await netid(['verify', join(dir, 'missing.txt'), '--issuer', issuer])).code, 2);
    assert.equal((await netid(['holder', 'present', '--credentials', join(dir, 'batch.json')])).code, 2);
    assert.equal((await netid(['holder', 'keys'])).code, 2);
  });

  it('refuses to present with a key no credential is bound to (exit 1)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'netid-otherkey-'));
    assert.equal((await netid(['holder', 'keys', '--out', other, '--count', '1'])).code, 0);
    const out = await netid(['holder', 'present', '--credentials', join(dir, 'batch.json'), '--key', join(other, 'key-0.json'), '--claims', 'verified', '--nonce', 'n', '--audience', 'a']);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /credential\.invalid_holder_key/);
  });
});
