/**
 * Test support for account recovery: a node on the enrolment tests' registry of real photographs
 * whose issuer matches its port (so apps can sign people in through OpenID Connect), enrolment
 * and recovery driven through the public API with a software passkey, app sign-ins, web
 * certificates and their status bits, and a server that collects back-channel logout tokens.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateDeviceKeys } from '../../src/credentials/holder/index.ts';
import { decodeStatusListBytes, statusAt } from '../../src/credentials/status/index.ts';
import { parseRegistryFile } from '../../src/registry/registry-file.ts';
import { testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { b64, Client, documentData, prepareRegistry, type Identity, type Reply, type TestRegistry } from '../enrolment/support.ts';
import { Browser, registerApp, signIn, type OidcTestNode, type TestApp } from '../oidc/support.ts';

export interface RecoveryWorld {
  readonly node: RunningNode;
  readonly issuer: string;
  readonly registry: TestRegistry;
  /** For the OIDC test helpers. */
  readonly oidcNode: OidcTestNode;
  close(): Promise<void>;
}

export async function startRecoveryWorld(databaseUrl: string | undefined): Promise<RecoveryWorld> {
  const registry = await prepareRegistry();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // The test's apps listen on 127.0.0.1 for back-channel logout, which a production node refuses to call.
  const config = loadConfig(testEnv({ DATABASE_URL: databaseUrl, NETID_ISSUER: issuer, NETID_PORT: String(port), NETID_LIVENESS_MODE: 'passive', NETID_DATA_DIR: registry.dir, NETID_OUTBOUND_ALLOW_LOOPBACK: 'true' }));
  const node = await startNode(config, { inMemory: !databaseUrl, skipLock: true });
  await node.services.embeddedRegistry!.importRecords((await parseRegistryFile(registry.file, { faceEngine: node.services.faceEngine, now: new Date() })).records);
  const close = async () => {
    await node.close();
    registry.cleanup();
  };
  return { node, issuer, registry, oidcNode: { node, issuer, dir: registry.dir, close }, close };
}

/** A client of the public API that keeps the session token it is given. */
export function apiClient(world: RecoveryWorld, token: string | null = null): Client {
  const client = new Client(world.issuer);
  client.token = token;
  return client;
}

/** Enrolment through the API: document → face → passkey. */
export async function enrol(world: RecoveryWorld, identity: Identity, selfie: Uint8Array): Promise<{ webNumber: string; token: string; authenticator: SoftwareAuthenticator }> {
  const client = apiClient(world);
  const authenticator = new SoftwareAuthenticator(world.issuer);
  const started = await client.post('/api/v1/enrolments', documentData(identity));
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const face = await client.post(`/api/v1/enrolments/${started.body.id}/face`, { frames: [b64(selfie)] });
  assert.equal(face.status, 200, JSON.stringify(face.body));
  const options = await client.post(`/api/v1/enrolments/${started.body.id}/passkey/options`);
  const issued = await client.post(`/api/v1/enrolments/${started.body.id}/passkey`, authenticator.create(options.body as never));
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  return { webNumber: issued.body.web_number, token: issued.body.session.token, authenticator };
}

/** Recovery through the API up to the new passkey: document → face. */
export async function startRecovery(world: RecoveryWorld, identity: Identity, selfie: Uint8Array): Promise<{ id: string; face: Reply }> {
  const client = apiClient(world);
  const started = await client.post('/api/v1/recoveries', documentData(identity));
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const face = await client.post(`/api/v1/recoveries/${started.body.id}/face`, { frames: [b64(selfie)] });
  return { id: started.body.id, face };
}

/** The new passkey: options, then the registration; the recovering reply. */
export async function finishRecovery(world: RecoveryWorld, id: string, authenticator: SoftwareAuthenticator): Promise<Reply> {
  const client = apiClient(world);
  const options = await client.post(`/api/v1/recoveries/${id}/passkey/options`);
  assert.equal(options.status, 200, JSON.stringify(options.body));
  return client.post(`/api/v1/recoveries/${id}/passkey`, authenticator.create(options.body as never));
}

/** Passkey sign-in to the netid app: the reply (a session token when it worked). */
export async function signInToNetid(world: RecoveryWorld, authenticator: SoftwareAuthenticator): Promise<Reply> {
  const client = apiClient(world);
  const options = await client.post('/api/v1/session/options');
  return client.post('/api/v1/session', authenticator.get(options.body as never));
}

/** Drives an OpenID Connect sign-in to an app in `browser` (a cookie jar: netid's sign-in session is kept in it). */
export async function appSignIn(world: RecoveryWorld, app: TestApp, authenticator: SoftwareAuthenticator, browser = new Browser(world.issuer)) {
  const config = await oidc.discovery(new URL(world.issuer), app.clientId, undefined, oidc.PrivateKeyJwt(app.privateKey!), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid age_over_18', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  return { config, verifier, outcome: await signIn(browser, url.href, authenticator, { consent: 'agree' }) };
}

/** Signs in to an app through OpenID Connect with a passkey; the ID token's claims. */
export async function signInToApp(world: RecoveryWorld, app: TestApp, authenticator: SoftwareAuthenticator, browser = new Browser(world.issuer)): Promise<oidc.IDToken> {
  const { config, verifier, outcome } = await appSignIn(world, app, authenticator, browser);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(outcome.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
  return tokens.claims()!;
}

/** Logout tokens an app's back-channel logout URI received, by app path. */
export interface LogoutReceiver {
  readonly base: string;
  readonly received: Map<string, string[]>;
  close(): void;
}

export async function logoutReceiver(): Promise<LogoutReceiver> {
  const received = new Map<string, string[]>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const list = received.get(request.url ?? '') ?? [];
      list.push(new URLSearchParams(body).get('logout_token') ?? '');
      received.set(request.url ?? '', list);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() };
}

export async function appWithLogout(world: RecoveryWorld, receiver: LogoutReceiver, name: string): Promise<TestApp> {
  return registerApp(world.oidcNode, { sector_identifier: `${name}.example`, backchannel_logout_uri: `${receiver.base}/${name}`, claims: [{ claim: 'age_over_18', legal_basis: '' }] });
}

/** A batch of two web certificates for the session's device: where each one's status bit is. */
export async function issueCertificates(world: RecoveryWorld, token: string): Promise<Array<{ uri: string; idx: number }>> {
  const reply = await apiClient(world, token).post('/api/v1/me/web-certificates', { holder_keys: generateDeviceKeys(2).map((k) => k.publicJwk) });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return (reply.body.credentials as string[]).map((sdJwt) => {
    const payload = JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString()) as { status: { status_list: { uri: string; idx: number } } };
    return payload.status.status_list;
  });
}

/** The status a published status list says for one certificate (0 valid, 1 invalid). */
export async function publishedStatus(at: { uri: string; idx: number }): Promise<number> {
  const token = await (await fetch(at.uri)).text();
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { status_list: { bits: 1 | 2 | 4 | 8; lst: string } };
  return statusAt(decodeStatusListBytes(payload.status_list.lst), payload.status_list.bits, at.idx);
}

/** What is stored about a person, to show a refused request changed nothing. */
export async function snapshot(world: RecoveryWorld, personId: string): Promise<string> {
  const db = world.node.services.database.db;
  const rows = await Promise.all([
    db.selectFrom('persons').selectAll().where('person_id', '=', personId).execute(),
    db.selectFrom('devices').selectAll().where('person_id', '=', personId).execute(),
    db.selectFrom('activity').selectAll().where('person_id', '=', personId).execute(),
    db.selectFrom('person_sessions').select(['session_id', 'device_id', 'expires_at']).where('person_id', '=', personId).execute(),
    db.selectFrom('status_entries').selectAll().where('person_id', '=', personId).execute(),
    db.selectFrom('recovery_notices').selectAll().where('person_id', '=', personId).execute(),
  ]);
  return JSON.stringify(rows);
}
