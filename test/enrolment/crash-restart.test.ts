/**
 * The server killed with SIGKILL mid-enrolment and restarted: the enrolment continues from the
 * state it had stored, or (when the kill lands during issuance) is either fully issued or not
 * issued at all — never a person without a web number, device or finished enrolment.
 *
 * Runs `node src/main.ts serve` as a child process on the embedded database in a temp data dir.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { b64, Client, documentData, ISSUER, people, prepareRegistry, type TestRegistry } from './support.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function env(registry: TestRegistry): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'test', NETID_DATA_DIR: registry.dir, NETID_PORT: '0', NETID_ADMIN_PORT: '0', NETID_DEMO_DATA: 'false', NETID_ISSUER: ISSUER, NETID_LIVENESS_MODE: 'passive', NETID_LOG_LEVEL: 'warn', DATABASE_URL: '' };
}

async function serve(registry: TestRegistry): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve'], { env: env(registry), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /listening on (http:\/\/[^)\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (chunk) => (out += String(chunk)));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, url };
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('SIGKILL mid-enrolment and restart', () => {
  let registry: TestRegistry;
  let current: ChildProcess | undefined;
  before(async () => {
    registry = await prepareRegistry();
    const imported = spawnSync(process.execPath, [MAIN, 'registry', 'import', registry.file], { env: env(registry), encoding: 'utf8' });
    assert.equal(imported.status, 0, imported.stderr + imported.stdout);
  });
  after(async () => {
    if (current) await kill9(current);
    registry?.cleanup();
  });

  it('continues from the stored state after a kill between steps', async () => {
    let server = await serve(registry);
    current = server.child;
    let client = new Client(server.url);
    const started = await client.post('/api/v1/enrolments', documentData(people.lina));
    const id = started.body.id as string;
    assert.equal((await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] })).body.state, 'face_verified');
    const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
    await kill9(server.child);

    server = await serve(registry);
    current = server.child;
    client = new Client(server.url);
    const view = await client.get(`/api/v1/enrolments/${id}`);
    assert.equal(view.body.state, 'face_verified');
    assert.equal(view.body.next_step, 'passkey');
    // The challenge issued before the kill is still the one the server expects.
    const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, new SoftwareAuthenticator(ISSUER).create(options.body as never));
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(issued.body.state, 'issued');
    await kill9(server.child);
  });

  it('a kill during issuance leaves the enrolment issued or not issued, never half-issued', async () => {
    let server = await serve(registry);
    current = server.child;
    let client = new Client(server.url);
    const started = await client.post('/api/v1/enrolments', documentData(people.zhangwei));
    const id = started.body.id as string;
    assert.equal((await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.zhangweiSelfie)] })).body.state, 'face_verified');
    const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
    const authenticator = new SoftwareAuthenticator(ISSUER);
    const registration = authenticator.create(options.body as never);
    // Send the passkey and kill the server while it verifies, binds and issues.
    const inFlight = client.post(`/api/v1/enrolments/${id}/passkey`, registration).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 15));
    await kill9(server.child);
    const answered = await inFlight;

    server = await serve(registry);
    current = server.child;
    client = new Client(server.url);
    const view = await client.get(`/api/v1/enrolments/${id}`);
    assert.ok(['face_verified', 'device_bound', 'issued'].includes(view.body.state), view.body.state);
    if (answered?.status === 200) assert.equal(view.body.state, 'issued', 'an answered issuance survived the kill');
    if (view.body.state === 'face_verified') {
      // Nothing of the person exists yet: the same document may start again, and this one continues.
      assert.equal((await client.post(`/api/v1/enrolments/${id}/passkey`, registration)).body.state, 'issued');
    } else if (view.body.state === 'device_bound') {
      assert.equal((await client.post(`/api/v1/enrolments/${id}/issue`)).body.state, 'issued');
    }
    const final = await client.get(`/api/v1/enrolments/${id}`);
    assert.equal(final.body.state, 'issued');
    assert.match(final.body.web_number, /^[0-9A-Z]{10}$/);
    // The person is whole: signing in with the bound passkey finds them and their web number.
    const signInOptions = await client.post('/api/v1/session/options');
    const session = await client.post('/api/v1/session', authenticator.get(signInOptions.body as never));
    assert.equal(session.status, 200, JSON.stringify(session.body));
    assert.equal(session.body.web_number, final.body.web_number);
    // And only once: a second enrolment of the same document is refused once its face matched
    // (the start itself says nothing about who is enrolled).
    const again = await client.post('/api/v1/enrolments', documentData(people.zhangwei));
    assert.equal(again.status, 201, JSON.stringify(again.body));
    const secondFace = await client.post(`/api/v1/enrolments/${again.body.id as string}/face`, { frames: [b64(registry.photos.zhangweiSelfie)] });
    assert.equal(secondFace.body.error, 'person.already_enrolled', JSON.stringify(secondFace.body));
    await kill9(server.child);
  });
});
