/**
 * Sign in with netid, end to end over HTTP in one process, one sequential client:
 * - complete sign-ins/s: authorize (PKCE S256) → netid's passkey page → passkey options →
 *   assertion from a software authenticator → consent step → code → token (client_secret_basic),
 *   a fresh browser (no session) each time, on PGlite and on PostgreSQL;
 * - refresh-token grants/s (rotation on: each grant returns the next refresh token and an ID token).
 * Baseline, same run: bare `oidc-provider` (same version) with its default in-memory adapter,
 * development interactions and one static client, driven the same way: authorize → dev login form
 * POST → dev consent form POST → code → token; and its refresh grants.
 * Anchors (cited, not measured): Keycloak's sizing guide, 15 password logins/s and 120 refresh
 * grants/s per vCPU; bare oidc-provider measured earlier at about 500 full flows/s on 2 cores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode } from '../test/oidc/support.ts';
import type { SoftwareAuthenticator } from '../test/support/software-authenticator.ts';
import type { Measurement } from './measure.ts';
import { createDatabaseOn } from '../test/support/databases.ts';

/** Wall-clock budget of one figure, warm-up excluded. */
const SECONDS = 6;

interface Rate {
  /** Operations per wall-clock second. */
  readonly perSecond: number;
  /** Operations per second of this process's CPU time (user + system). */
  readonly perCpuSecond: number;
  readonly n: number;
}

async function measure(op: () => Promise<void>, warmup = 5): Promise<Rate> {
  for (let i = 0; i < warmup; i++) await op();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < SECONDS * 1000) {
    await op();
    n++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: n / elapsed, perCpuSecond: n / ((used.user + used.system) / 1e6), n };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(issuer: string, path: string, clientId: string, redirectUri: string, challenge: string, extra: Record<string, string> = {}): string {
  const url = new URL(path, issuer);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'), ...extra };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

interface TokenClient {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

async function tokenRequest(client: TokenClient, body: Record<string, string>): Promise<Record<string, string>> {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const response = await fetch(client.tokenEndpoint, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
  const json = (await response.json()) as Record<string, string>;
  if (!response.ok || !json.id_token) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function codeFrom(url: string): string {
  const back = new URL(url);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${url}`);
  return code;
}

/** A flow factory: one complete sign-in (with `extra` authorization parameters), answering the token response. */
type SignInFlow = (extra?: Record<string, string>) => Promise<Record<string, string>>;

/** Refresh grants/s with rotation: each grant uses the refresh token the previous one returned. */
async function refreshRate(flow: SignInFlow, client: TokenClient): Promise<Rate> {
  let refreshToken = (await flow({ scope: 'openid offline_access', prompt: 'consent' })).refresh_token;
  if (!refreshToken) throw new Error('no refresh token issued');
  return measure(async () => {
    refreshToken = (await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken! })).refresh_token;
  });
}

// ---- netid

const freshDatabase = (base: string) => createDatabaseOn(base, 'bench_oidc');

async function benchNetid(databaseUrl: string | undefined): Promise<{ signIns: Rate; refreshes: Rate }> {
  const t: OidcTestNode = await startOidcNode({ DATABASE_URL: databaseUrl });
  try {
    const person = await enrolPerson(t);
    const app = await registerApp(t, { token_endpoint_auth_method: 'client_secret_basic', sector_identifier: 'bench.example' });
    const client: TokenClient = { tokenEndpoint: `${t.issuer}/oidc/token`, clientId: app.clientId, clientSecret: app.clientSecret!, redirectUri: app.redirectUri };
    const flow = netidFlow(t, client, person.authenticator);
    const signIns = await measure(async () => void (await flow()));
    const refreshes = await refreshRate(flow, client);
    return { signIns, refreshes };
  } finally {
    await t.close();
  }
}

function netidFlow(t: OidcTestNode, client: TokenClient, authenticator: SoftwareAuthenticator): SignInFlow {
  return async (extra = {}) => {
    const { verifier, challenge } = pkce();
    // A fresh browser: no netid session, so every sign-in asks for the passkey.
    const outcome = await signIn(new Browser(t.issuer), authorizationUrl(t.issuer, '/oidc/auth', client.clientId, client.redirectUri, challenge, extra), authenticator);
    return tokenRequest(client, { grant_type: 'authorization_code', code: codeFrom(outcome.url), redirect_uri: client.redirectUri, code_verifier: verifier });
  };
}

// ---- bare oidc-provider (baseline)

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function formAction(html: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no form on the dev interaction page');
  return action.replaceAll('&amp;', '&');
}

async function benchBareProvider(): Promise<{ signIns: Rate; refreshes: Rate }> {
  // Bind first, so the issuer carries the real port.
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const client: TokenClient = { tokenEndpoint: `${issuer}/token`, clientId: 'bench', clientSecret: 'bench-secret-0123456789abcdef', redirectUri: 'https://rp.example/cb' };
  const provider = new Provider(issuer, {
    clients: [{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: [client.redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    features: { devInteractions: { enabled: true } },
    // The same refresh-token rotation netid runs, so the two refresh figures do the same work.
    rotateRefreshToken: true,
  });
  server.on('request', provider.callback());
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const flow: SignInFlow = async (extra = {}) => {
    const { verifier, challenge } = pkce();
    const browser = new Browser(issuer);
    let { url, response } = await browser.follow(authorizationUrl(issuer, '/auth', client.clientId, client.redirectUri, challenge, extra));
    ({ url, response } = await browser.follow(formAction(await response.text()), { method: 'POST', headers: form, body: new URLSearchParams({ prompt: 'login', login: 'person-1', password: 'any' }) }));
    ({ url, response } = await browser.follow(formAction(await response.text()), { method: 'POST', headers: form, body: new URLSearchParams({ prompt: 'consent' }) }));
    return tokenRequest(client, { grant_type: 'authorization_code', code: codeFrom(url), redirect_uri: client.redirectUri, code_verifier: verifier });
  };
  try {
    const signIns = await measure(async () => void (await flow()));
    const refreshes = await refreshRate(flow, client);
    return { signIns, refreshes };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function benchOidc(databaseUrl?: string): Promise<Measurement[]> {
  const serverUrl = databaseUrl ?? process.env.NETID_TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('benchOidc needs a PostgreSQL URL (npm run bench provides one)');
  // oidc-provider warns once about its development keys and interactions: expected in the baseline.
  const warn = console.warn;
  const info = console.info;
  console.warn = () => {};
  console.info = () => {};
  let bare: Awaited<ReturnType<typeof benchBareProvider>>;
  try {
    bare = await benchBareProvider();
  } finally {
    console.warn = warn;
    console.info = info;
  }
  const bareSignIn = { name: 'bare oidc-provider, dev interactions, in-memory adapter', value: bare.signIns.perSecond, unit: 'sign-ins/s' };
  const bareRefresh = { name: 'bare oidc-provider, in-memory adapter', value: bare.refreshes.perSecond, unit: 'refresh grants/s' };

  const results: Measurement[] = [];
  const netid: Record<string, { signIns: Rate; refreshes: Rate }> = {};
  for (const kind of ['pglite', 'postgres'] as const) {
    netid[kind] = await benchNetid(kind === 'postgres' ? await freshDatabase(serverUrl) : undefined);
    results.push({ name: `complete sign-ins, passkey, PKCE, code → token (${kind})`, value: netid[kind].signIns.perSecond, unit: 'sign-ins/s', baseline: bareSignIn, note: `${netid[kind].signIns.n} sign-ins, one sequential client, fresh browser each` });
    results.push({ name: `refresh-token grants with rotation (${kind})`, value: netid[kind].refreshes.perSecond, unit: 'refresh grants/s', baseline: bareRefresh, note: `${netid[kind].refreshes.n} grants` });
  }
  const anchors = 'anchors, cited not measured: Keycloak sizing guide 15 password logins/s and 120 refresh grants/s per vCPU; bare oidc-provider ~500 full flows/s on 2 cores';
  const cpuNote = 'PGlite: database, server and client all in this process, so every CPU-second of the work is counted';
  results.push({ name: 'sign-ins per CPU-second (pglite)', value: netid.pglite!.signIns.perCpuSecond, unit: 'sign-ins/CPU-s', baseline: { name: 'bare oidc-provider', value: bare.signIns.perCpuSecond, unit: 'sign-ins/CPU-s' }, note: `${cpuNote}; ${anchors}` });
  results.push({ name: 'refresh grants per CPU-second (pglite)', value: netid.pglite!.refreshes.perCpuSecond, unit: 'refresh grants/CPU-s', baseline: { name: 'bare oidc-provider', value: bare.refreshes.perCpuSecond, unit: 'refresh grants/CPU-s' }, note: anchors });
  return results;
}
