/**
 * Test support for the OpenID Provider: a running node on a fixed free port (so the issuer
 * matches), an enrolled person with a passkey in a software authenticator, registered and
 * approved apps, and a cookie-jar "browser" that drives the interaction endpoints the pages'
 * script calls — the same HTTP a real browser sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { DeviceRepository, registrationOptions, relyingPartyFromIssuer, verifyPasskeyRegistration } from '../../src/accounts/devices.ts';
import { documentKey, type IdentityAttributes } from '../../src/accounts/person-repository.ts';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import type { Registration } from '../../src/relying-parties/registry.ts';
import { SoftwareAuthenticator, type AuthenticatorBehaviour } from '../support/software-authenticator.ts';
import { testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';


export interface OidcTestNode {
  readonly node: RunningNode;
  readonly issuer: string;
  /** The node's data directory (removed by close). */
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * `host`: 127.0.0.1 for HTTP-level tests, localhost where a browser runs passkeys (WebAuthn
 * refuses IP addresses); `now`: a clock the test moves.
 */
export async function startOidcNode(env: Record<string, string | undefined> = {}, options: { host?: '127.0.0.1' | 'localhost'; now?: () => Date } = {}): Promise<OidcTestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'netid-oidc-'));
  const port = await freePort();
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const node = await startNode(loadConfig(testEnv({ NETID_DATA_DIR: dir, NETID_PORT: String(port), NETID_ISSUER: issuer, ...env })), { inMemory: !env.DATABASE_URL, skipLock: true, ...(options.now ? { now: options.now } : {}) });
  return {
    node,
    issuer,
    dir,
    async close() {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ADULT: IdentityAttributes = { document_type: 'cn_resident_id', document_number: '11010519491231002X', name: '张三', birth_date: '1949-12-31', sex: 'F', nationality: 'CHN', expiry_date: '2040-01-01' };

/** Enrols a person directly (the enrolment flow is tested elsewhere) and registers a passkey. */
export async function enrolPerson(t: Pick<OidcTestNode, 'node' | 'issuer'>, attributes: IdentityAttributes = ADULT, webNumber = `W${randomUUID().slice(0, 8)}`): Promise<{ personId: string; webNumber: string; authenticator: SoftwareAuthenticator }> {
  const { services } = t.node;
  const person = await services.persons.create({ documentKey: documentKey(services.sealer, attributes.document_type, attributes.document_number), webNumber, attributes, now: services.now() });
  const rp = relyingPartyFromIssuer(t.issuer);
  const authenticator = new SoftwareAuthenticator(rp.origin);
  const options = await registrationOptions(rp, { personId: person.personId, name: webNumber, displayName: webNumber });
  const verified = await verifyPasskeyRegistration(rp, authenticator.create(options), options.challenge);
  if (!verified.ok) throw new Error(`passkey registration failed: ${JSON.stringify(verified.error)}`);
  await new DeviceRepository({ db: services.database.db }).add({ personId: person.personId, deviceId: randomUUID(), credentialId: verified.value.credentialId, publicKey: verified.value.publicKey, counter: verified.value.counter, transports: verified.value.transports, label: null, now: services.now() });
  return { personId: person.personId, webNumber, authenticator };
}

export interface TestApp {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly clientSecret: string | null;
  readonly privateKey: CryptoKey | null;
}

/** Registers and approves an app; private_key_jwt apps get a fresh ES256 key. */
export async function registerApp(t: OidcTestNode, overrides: Partial<Registration> & { approve?: boolean } = {}): Promise<TestApp> {
  const registry = relyingPartyRegistryOf(t.node.services);
  const redirectUri = overrides.redirect_uris?.[0] ?? `https://app-${randomUUID().slice(0, 6)}.example/cb`;
  let privateKey: CryptoKey | null = null;
  let jwks: Registration['jwks'];
  if ((overrides.token_endpoint_auth_method ?? 'private_key_jwt') === 'private_key_jwt') {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: randomUUID() }] };
  }
  const { approve = true, ...registration } = overrides;
  const { relyingParty, clientSecret } = await registry.register(
    { name: 'Test app', organisation: 'Test org', category: 'commercial', redirect_uris: [redirectUri], sector_identifier: 'apps.example', token_endpoint_auth_method: 'private_key_jwt', jwks, required_acr: 'substantial', ...registration },
    'test',
  );
  if (approve) await registry.transition(relyingParty.clientId, 'approve', 'test');
  return { clientId: relyingParty.clientId, redirectUri, clientSecret, privateKey };
}

/** A browser: cookie jar, manual redirects, the interaction endpoints the page script calls. */
export class Browser {
  readonly #cookies = new Map<string, string>();
  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    if (target.origin === this.origin && this.#cookies.size) headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    if (target.origin === this.origin) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        const name = pair!.slice(0, at);
        const value = pair!.slice(at + 1);
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
        else this.#cookies.set(name, value);
      }
    }
    return response;
  }

  /** Follows redirects on the service until the answer leaves it (the app's redirect URI) or is a page. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: string; response: Response }> {
    let current = new URL(url, this.origin).toString();
    let response = await this.fetch(current, init);
    for (let i = 0; i < 20 && response.status >= 300 && response.status < 400; i++) {
      current = new URL(response.headers.get('location')!, current).toString();
      if (new URL(current).origin !== this.origin) return { url: current, response };
      response = await this.fetch(current);
    }
    return { url: current, response };
  }

  async postJson(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await this.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
}

/** The netid app's own session (passkey sign-in), for the person's /api/v1/me routes. */
export async function personBrowser(t: OidcTestNode, authenticator: SoftwareAuthenticator): Promise<Browser> {
  const browser = new Browser(t.issuer);
  const options = await browser.postJson('/api/v1/session/options', {});
  const signedIn = await browser.postJson('/api/v1/session', authenticator.get(options.json as never));
  if (signedIn.status !== 200) throw new Error(`netid app sign-in failed: ${JSON.stringify(signedIn.json)}`);
  return browser;
}

export interface SignInOptions {
  readonly behaviour?: AuthenticatorBehaviour;
  /** Consent decision when the consent page appears. */
  readonly consent?: 'agree' | 'decline' | 'agree_remember';
  /** Selfie for the face step (omitted: the person cannot do face and cancels). */
  readonly selfie?: Uint8Array;
}

export interface SignInOutcome {
  /** Where the service sent the browser last: the app's redirect URI with code or error, or a page. */
  readonly url: string;
  readonly status: number;
  readonly html: string | null;
  readonly pages: string[];
}

/** Drives a sign-in from an authorization URL through the interaction pages, like the page script would. */
export async function signIn(browser: Browser, authorizationUrl: string, authenticator: SoftwareAuthenticator, options: SignInOptions = {}): Promise<SignInOutcome> {
  const pages: string[] = [];
  let { url, response } = await browser.follow(authorizationUrl);
  for (let step = 0; step < 10; step++) {
    if (new URL(url).origin !== browser.origin) return { url, status: response.status, html: null, pages };
    const html = await response.text();
    pages.push(html);
    const uid = /\/oidc\/interaction\/([^/?#"]+)/.exec(new URL(url).pathname)?.[1];
    if (!uid || response.status !== 200) return { url, status: response.status, html, pages };
    let next: string;
    if (html.includes('id="passkey"')) {
      const opts = await browser.postJson(`/oidc/interaction/${uid}/passkey/options`, {});
      const assertion = authenticator.get(opts.json as never, options.behaviour);
      const result = await browser.postJson(`/oidc/interaction/${uid}/passkey`, assertion);
      if (!result.json.redirect_to) return { url, status: result.status, html: JSON.stringify(result.json), pages };
      next = String(result.json.redirect_to);
    } else if (html.includes('id="face"')) {
      if (!options.selfie) {
        ({ url, response } = await browser.follow(`/oidc/interaction/${uid}/abort`, { method: 'POST' }));
        continue;
      }
      const result = await browser.postJson(`/oidc/interaction/${uid}/face`, { selfie: Buffer.from(options.selfie).toString('base64') });
      if (!result.json.redirect_to) return { url, status: result.status, html: JSON.stringify(result.json), pages };
      next = String(result.json.redirect_to);
    } else if (html.includes('/consent"')) {
      const decision = options.consent ?? 'decline';
      const body = new URLSearchParams({ decision: decision === 'decline' ? 'decline' : 'agree', ...(decision === 'agree_remember' ? { remember: 'yes' } : {}) });
      ({ url, response } = await browser.follow(`/oidc/interaction/${uid}/consent`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
      continue;
    } else {
      return { url, status: response.status, html, pages };
    }
    ({ url, response } = await browser.follow(next));
  }
  throw new Error('sign-in did not finish in 10 steps');
}
