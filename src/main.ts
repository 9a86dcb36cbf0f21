/**
 * The `netid` command. Parses argv and calls the composition root; while the service runs with
 * the embedded database, commands go through its admin API (PGlite allows one process).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { NetidNode } from './app/app.ts';
import { adminToken, readLock } from './app/data-dir.ts';
import type { Services } from './app/services.ts';
import { loadConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { NetidError } from './domain/errors.ts';
import { importRegistryFile } from './registry/registry-import.ts';

/**
 * The service's modules (the provider, the face engine wiring, every capability) load only for
 * commands that use them, so `netid verify` and `netid holder` start in a fraction of the time.
 */
async function serviceModules() {
  const [app, relyingParties] = await Promise.all([import('./app/app.ts'), import('./relying-parties/admin-routes.ts')]);
  return { ...app, ...relyingParties };
}

type ServiceModules = Awaited<ReturnType<typeof serviceModules>>;

const USAGE = `netid — national network identity authentication service

Usage:
  netid serve                      run the service (public and admin listeners)
  netid migrate                    apply database migrations
  netid keys list                  list signing keys
  netid keys rotate --alg ES256    add a new active signing key (ES256 or EdDSA)
  netid keys retire KID            stop publishing a verify-only key
  netid registry import FILE       import registry records (JSON Lines); all or nothing
  netid registry stats             count registry records by type and status
  netid log verify --url URL [--vkey KEY] [--state FILE] [--audit] [--index N]…
                                   verify a transparency log: signature, rollback, fork, inclusion, full audit
  netid rp create --file APP.json  register a relying party (pending until approved; docs/integration.md)
  netid rp list                    list relying parties
  netid rp approve CLIENT_ID       approve (or reinstate) a relying party
  netid rp suspend CLIENT_ID       suspend a relying party (its sign-ins and tokens stop)
  netid operator create --name NAME --role operator|auditor
                                   create a console operator; prints a one-time enrolment link (24 h)
  netid operator list              list console operators and auditors (status, last sign-in)
  netid operator disable ID        disable a console operator or auditor (their sessions end at once)
  netid verify FILE [--nonce N --audience A] (--issuer URL | --jwks FILE [--status-list FILE])
                                   verify a web certificate presentation (no database needed)
  netid holder keys|present …      command-line web certificate holder (netid holder --help)

Configuration comes from environment variables (docs/configuration.md).`;

class UsageError extends Error {}

async function adminCall(adminUrl: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'accept-language': 'en' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    const detail = json.detail ? ` ${JSON.stringify(json.detail)}` : '';
    throw new Error(`${String(json.error)}: ${String(json.message)}${detail}`);
  }
  return json;
}

/** Runs through the running service's admin API when there is one, else opens the database. */
async function viaServiceOrDirect<T>(config: Config, admin: { method: string; path: string; body?: unknown }, direct: (services: Services, modules: ServiceModules) => Promise<T>): Promise<unknown> {
  const lock = config.DATABASE_URL ? null : readLock(config.NETID_DATA_DIR);
  if (lock) {
    if (!lock.adminUrl) throw new Error(`netid process ${lock.pid} is starting and holds the embedded database; try again in a moment`);
    return adminCall(lock.adminUrl, adminToken(config.NETID_DATA_DIR), admin.method, admin.path, admin.body);
  }
  const modules = await serviceModules();
  const node = await modules.createNode(config, { logger: quietLogger(config) });
  try {
    return await direct(node.services, modules);
  } finally {
    await node.close();
  }
}

/** CLI commands log only warnings: their output is the answer on stdout. */
function quietLogger(config: Config) {
  return pino({ level: config.NETID_LOG_LEVEL === 'info' ? 'warn' : config.NETID_LOG_LEVEL });
}

function printFirstRun(node: NetidNode & { publicUrl: string; adminUrl: string }, config: Config, demoRegistryFile: string): void {
  const { firstRun } = node;
  const lines = ['', `netid is running (${config.DATABASE_URL ? 'PostgreSQL server' : `embedded PostgreSQL in ${resolve(config.NETID_DATA_DIR)}`})`];
  if (firstRun.migrationsApplied.length) lines.push(`  database initialised: ${firstRun.migrationsApplied.length} migrations applied`);
  if (firstRun.keysCreated.length) lines.push(`  signing keys created: ${firstRun.keysCreated.length} (ES256 and EdDSA for tokens, EdDSA for the transparency log), sealed under the master key`);
  if (firstRun.demoRecordsImported) lines.push(`  demo registry imported: ${firstRun.demoRecordsImported} identities from ${demoRegistryFile}, portraits cut into ${resolve(config.NETID_DATA_DIR, 'demo-registry')} (docs/registry-format.md)`);
  lines.push(
    '',
    `  netid app:   ${config.NETID_ISSUER}/   (get a web number at ${config.NETID_ISSUER}/enrol; listening on ${node.publicUrl})`,
    ...(config.NETID_DEMO_DATA ? [`  demo app:    ${config.NETID_ISSUER}/demo-app   (sign in to it with netid)`] : []),
    `  OpenID:      ${config.NETID_ISSUER}/.well-known/openid-configuration`,
    `  log:         ${config.NETID_ISSUER}/log/v1/checkpoint   (verify with: npx netid log verify --url ${config.NETID_ISSUER})`,
    `  health:      ${node.publicUrl}/healthz`,
    `  API:         ${node.publicUrl}/api/openapi.json`,
    `  admin API:   ${node.adminUrl}   (loopback only; token in ${resolve(config.NETID_DATA_DIR, 'admin-token')})`,
    `  console:     http://localhost:${new URL(node.adminUrl).port}/console   (first operator: npx netid operator create --name NAME --role operator)`,
    '',
    '  Stop with Ctrl-C. Other netid commands work while it runs.',
    '',
  );
  process.stdout.write(lines.join('\n'));
}

async function serve(config: Config): Promise<void> {
  const { startNode, DEMO_REGISTRY_FILE } = await serviceModules();
  const node = await startNode(config);
  printFirstRun(node, config, DEMO_REGISTRY_FILE);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    node.services.logger.info({ signal }, 'shutting down');
    await node.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

export async function main(argv: string[]): Promise<number> {
  // Web certificate commands parse their own options and never open the database.
  const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
  if (argv[0] === 'verify') return (await import('./credentials/service/verify-command.ts')).verifyCommand(argv.slice(1), io);
  if (argv[0] === 'holder') return (await import('./credentials/holder/cli-holder.ts')).holderCommand(argv.slice(1), io);
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { alg: { type: 'string' }, file: { type: 'string' }, reason: { type: 'string' }, url: { type: 'string' }, state: { type: 'string' }, audit: { type: 'boolean' }, index: { type: 'string', multiple: true }, vkey: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'serve':
      await serve(config);
      return -1;
    case 'migrate': {
      if (readLock(config.NETID_DATA_DIR) && !config.DATABASE_URL) throw new Error('the service is running and has already applied migrations at start');
      const node = await (await serviceModules()).createNode(config, { logger: quietLogger(config) });
      print({ applied: node.firstRun.migrationsApplied });
      await node.close();
      return 0;
    }
    case 'keys list':
      print(await viaServiceOrDirect(config, { method: 'GET', path: '/admin/v1/keys' }, async (s) => ({ keys: await s.keys.list() })));
      return 0;
    case 'keys rotate': {
      const alg = values.alg ?? 'ES256';
      if (alg !== 'ES256' && alg !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
      print(await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/keys/rotate', body: { alg } }, async (s) => ({ kid: await s.keys.rotate(alg) })));
      return 0;
    }
    case 'keys retire': {
      if (!arg) throw new UsageError('netid keys retire KID');
      print(await viaServiceOrDirect(config, { method: 'POST', path: `/admin/v1/keys/${encodeURIComponent(arg)}/retire` }, async (s) => ({ retired: await s.keys.retire(arg) })));
      return 0;
    }
    case 'registry import': {
      if (!arg) throw new UsageError('netid registry import FILE');
      const path = resolve(arg);
      print(await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/registry/import', body: { path } }, async (s) => importRegistryFile({ registry: s.embeddedRegistry!, faceEngine: s.faceEngine, now: s.now }, { path, channel: 'cli' })));
      return 0;
    }
    case 'rp create': {
      if (!values.file) throw new UsageError('netid rp create --file APP.json');
      const registration = await (await import('./relying-parties/app-description.ts')).readAppDescription(resolve(values.file));
      print(await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/relying-parties', body: registration }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => {
        const { relyingParty, clientSecret } = await relyingPartyRegistryOf(s).register(registration, 'cli');
        return { ...describeRelyingParty(relyingParty), ...(clientSecret ? { client_secret: clientSecret } : {}) };
      }));
      return 0;
    }
    case 'rp list':
      print(await viaServiceOrDirect(config, { method: 'GET', path: '/admin/v1/relying-parties' }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => ({ relying_parties: (await relyingPartyRegistryOf(s).list()).map(describeRelyingParty) })));
      return 0;
    case 'rp approve':
    case 'rp suspend': {
      if (!arg) throw new UsageError(`netid rp ${sub} CLIENT_ID`);
      const transition = sub as 'approve' | 'suspend';
      const body = values.reason ? { reason: values.reason } : {};
      print(await viaServiceOrDirect(config, { method: 'POST', path: `/admin/v1/relying-parties/${encodeURIComponent(arg)}/${transition}`, body }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => describeRelyingParty(await relyingPartyRegistryOf(s).transition(arg, transition, 'cli', values.reason))));
      return 0;
    }
    case 'operator create': {
      if (!values.name || (values.role !== 'operator' && values.role !== 'auditor')) throw new UsageError('netid operator create --name NAME --role operator|auditor');
      const input = { name: values.name, role: values.role };
      print(await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/operators', body: input }, async (s) => (await import('./console/wiring.ts')).createOperator(s, input, config.NETID_ADMIN_PORT)));
      return 0;
    }
    case 'operator list':
      print(await viaServiceOrDirect(config, { method: 'GET', path: '/admin/v1/operators' }, async (s) => (await import('./console/wiring.ts')).listOperators(s)));
      return 0;
    case 'operator disable': {
      if (!arg) throw new UsageError('netid operator disable ID');
      print(await viaServiceOrDirect(config, { method: 'POST', path: `/admin/v1/operators/${encodeURIComponent(arg)}/disable` }, async (s) => (await import('./console/wiring.ts')).disableOperator(s, arg)));
      return 0;
    }
    case 'registry stats':
      print(await viaServiceOrDirect(config, { method: 'GET', path: '/admin/v1/registry/stats' }, async (s) => s.embeddedRegistry!.stats()));
      return 0;
    case 'log verify': {
      if (!values.url) throw new UsageError('netid log verify --url URL [--vkey KEY] [--state FILE] [--audit] [--index N]');
      const { verifyLogCommand } = await import('./transparency/service/verify-command.ts');
      const { report, output } = await verifyLogCommand({ url: values.url, vkey: values.vkey, state: values.state, audit: values.audit ?? false, indexes: values.index ?? [] });
      process.stdout.write(output.stdout);
      if (output.stderr) process.stderr.write(output.stderr);
      return report.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`netid: ${error.message}\n\n${USAGE}\n`);
        process.exit(2);
      }
      if (error instanceof NetidError) {
        process.stderr.write(`netid: ${error.code}: ${error.message}${error.detail ? ` ${JSON.stringify(error.detail)}` : ''}\n`);
        process.exit(1);
      }
      process.stderr.write(`netid: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
