/**
 * Starts Apache httpd from Debian's `apache2` package with `libapache2-mod-auth-openidc`
 * protecting /protected on 127.0.0.1, for the interop test. A real server, never a stand-in: when
 * the binary or the module is missing the caller fails with the command that installs them.
 *
 * The config is minimal and self-contained (no /etc/apache2, no APACHE_* variables): prefork MPM,
 * mod_cgi for a shell script that prints the claims mod_auth_openidc passed it
 * (`OIDCPassClaimsAs environment` → OIDC_CLAIM_*), and the mod_auth_openidc directives the
 * integration guide shows (docs/integration.md §5) — `openidcDirectives()` is that block.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
/** Debian's module file names (/etc/apache2/mods-available/*.load). */
const LOAD = [
  ['mpm_prefork_module', 'mod_mpm_prefork.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['alias_module', 'mod_alias.so'],
  ['cgi_module', 'mod_cgi.so'],
  ['auth_openidc_module', 'mod_auth_openidc.so'],
] as const;

const INSTALL = 'apt-get install -y apache2 libapache2-mod-auth-openidc';

/** How Apache authenticates at netid's token endpoint: a secret, or an RSA key (private_key_jwt, RS256). */
export type OpenidcClientAuth =
  | { readonly method: 'client_secret_basic'; readonly clientSecret: string }
  | { readonly method: 'private_key_jwt'; readonly kid: string; readonly privateKeyPem: string; readonly publicKeyPem: string };

export interface OpenidcClient {
  /** netid's issuer; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly auth: OpenidcClientAuth;
  readonly scope: string;
}

export interface ApacheServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The page mod_auth_openidc protects; it answers the claims it received, one `name=value` a line. */
  readonly protectedUrl: string;
  /** The registered redirect URI (a "vanity" URL inside the protected path, handled by the module). */
  readonly redirectUri: string;
  /** Apache's error log so far (mod_auth_openidc writes why a flow failed there). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Fails with the install command when Apache or mod_auth_openidc is missing (never skips). */
export function assertApacheInstalled(): void {
  for (const path of [APACHE, ...LOAD.map(([, file]) => join(MODULES, file))]) {
    if (!existsSync(path)) throw new Error(`${path} not found: run \`${INSTALL}\``);
  }
}

/** The redirect URI Apache will use on a given port (register it with netid before starting). */
export function redirectUriFor(port: number): string {
  return `http://127.0.0.1:${port}/protected/redirect_uri`;
}

/** The mod_auth_openidc block: the same directives the integration guide shows an app developer. */
export function openidcDirectives(client: OpenidcClient, redirectUri: string, passphrase: string, keyDir: string): string {
  const auth = client.auth.method === 'client_secret_basic'
    ? `OIDCClientSecret ${client.auth.clientSecret}\nOIDCProviderTokenEndpointAuth client_secret_basic`
    : `OIDCPrivateKeyFiles ${client.auth.kid}#${join(keyDir, 'client-key.pem')}\nOIDCPublicKeyFiles ${client.auth.kid}#${join(keyDir, 'client-pub.pem')}\nOIDCProviderTokenEndpointAuth private_key_jwt`;
  return `OIDCProviderMetadataURL ${client.issuer}/.well-known/openid-configuration
OIDCClientID ${client.clientId}
${auth}
OIDCRedirectURI ${redirectUri}
OIDCCryptoPassphrase ${passphrase}
OIDCScope "${client.scope}"
OIDCResponseType code
OIDCPKCEMethod S256
OIDCPassClaimsAs environment
# netid's issuer is plain http on 127.0.0.1 in this test; production issuers are https.
OIDCSSLValidateServer Off
<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
`;
}

const CLAIMS_SCRIPT = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf 'sub=%s\\n' "$OIDC_CLAIM_sub"
printf 'acr=%s\\n' "$OIDC_CLAIM_acr"
printf 'amr=%s\\n' "$OIDC_CLAIM_amr"
printf 'verified=%s\\n' "$OIDC_CLAIM_verified"
printf 'age_over_18=%s\\n' "$OIDC_CLAIM_age_over_18"
printf 'web_number=%s\\n' "$OIDC_CLAIM_web_number"
printf 'remote_user=%s\\n' "$REMOTE_USER"
`;

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`apache2 exited with ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`apache2 did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${log()}`);
}

/** Writes the config into a temp dir, starts `apache2 -f conf -DFOREGROUND` and waits for the port. */
export async function startApache(options: { port: number; client: OpenidcClient; passphrase?: string }): Promise<ApacheServer> {
  assertApacheInstalled();
  const { port, client } = options;
  const dir = mkdtempSync(join(tmpdir(), 'netid-apache-'));
  // Children drop to www-data when started as root: the CGI script must be readable and runnable.
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const script = join(dir, 'claims.sh');
  writeFileSync(script, CLAIMS_SCRIPT, { mode: 0o755 });
  if (client.auth.method === 'private_key_jwt') {
    writeFileSync(join(dir, 'client-key.pem'), client.auth.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'client-pub.pem'), client.auth.publicKeyPem, { mode: 0o644 });
  }
  const errorLog = join(dir, 'error.log');
  const redirectUri = redirectUriFor(port);
  const conf = `ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${join(dir, 'httpd.pid')}
DefaultRuntimeDir ${dir}
ErrorLog ${errorLog}
LogLevel warn auth_openidc:info
${LOAD.map(([name, file]) => `LoadModule ${name} ${join(MODULES, file)}`).join('\n')}
${asRoot ? 'User www-data\nGroup www-data\n' : ''}StartServers 2
MaxRequestWorkers 10
DocumentRoot ${dir}
<Directory />
  Require all denied
</Directory>
ScriptAlias /protected/claims ${script}
<Directory ${dir}>
  Require all granted
</Directory>
${openidcDirectives(client, redirectUri, options.passphrase ?? 'netid-test-passphrase-0123456789abcdef', dir)}`;
  const confFile = join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  let startup = '';
  const log = () => startup + (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  // Config errors are printed before ErrorLog opens: keep them for the failure message.
  const child = spawn(APACHE, ['-f', confFile, '-DFOREGROUND'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (startup += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (startup += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, log);
  } catch (error) {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    protectedUrl: `http://127.0.0.1:${port}/protected/claims`,
    redirectUri,
    errorLog: log,
    async stop() {
      if (child.exitCode === null) {
        // The process group: the parent and its prefork children.
        process.kill(-child.pid!, 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PageResponse {
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
}

/**
 * A browser's top-level navigations to Apache, with a cookie jar. mod_auth_openidc answers 401
 * (not a redirect to the provider) to requests that do not look like a navigation — fetch() always
 * sends `Sec-Fetch-Mode: cors` — so these go through node:http with the headers a browser sends
 * when the person opens the page.
 */
export class NavigatingBrowser {
  readonly #cookies = new Map<string, string>();
  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }

  navigate(url: string): Promise<PageResponse> {
    const target = new URL(url, this.origin);
    if (target.origin !== this.origin) throw new TypeError(`${target.origin} is not ${this.origin}`);
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      'sec-fetch-site': 'none',
      'user-agent': 'netid-test-browser/1',
    };
    if (this.#cookies.size) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = request(target, { method: 'GET', headers }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const at = pair!.indexOf('=');
          const name = pair!.slice(0, at);
          const value = pair!.slice(at + 1);
          if (/expires=Thu, 01[- ]Jan[- ]1970/i.test(line) || /max-age=0/i.test(line) || value === '') this.#cookies.delete(name);
          else this.#cookies.set(name, value);
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location ?? null, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
}
