/**
 * The `netid` command: finds the command named by the first words of argv, parses the rest with
 * that command's options (src/cli/args.ts) and calls the composition root; while the service runs
 * with the embedded database, commands go through its admin API (src/cli/service-call.ts). Every
 * command and group answers `--help` with its own usage (src/cli/help.ts).
 */
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { NetidNode } from './app/app.ts';
import { readLock } from './app/data-dir.ts';
import { HELP_OPTION, parseCommandArgs, UsageError } from './cli/args.ts';
import { commandHelp, commandList, groupHelp, synopsis, type CommandHelp } from './cli/help.ts';
import type { Services } from './app/services.ts';
import type { ServiceModules } from './cli/service-call.ts';
import type { Config } from './config/schema.ts';
import { NetidError } from './domain/errors.ts';

// Configuration, the database and the service's modules load only when a command runs, so that
// `--help` and usage errors answer at once.
const serviceModules = async () => (await import('./cli/service-call.ts')).serviceModules();
const quietLogger = async (config: Config) => (await import('./cli/service-call.ts')).quietLogger(config);
async function viaServiceOrDirect<T>(config: Config, admin: { method: string; path: string; body?: unknown }, direct: (services: Services, modules: ServiceModules) => Promise<T>): Promise<unknown> {
  return (await import('./cli/service-call.ts')).viaServiceOrDirect(config, admin, direct);
}
const importRegistryFile = async (...args: Parameters<typeof import('./registry/registry-import.ts').importRegistryFile>) => (await import('./registry/registry-import.ts')).importRegistryFile(...args);

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
    `  admin API:   ${node.adminUrl}   (loopback only; token in ${resolve(config.NETID_DATA_DIR, 'admin-token')}; described by ${node.adminUrl}/api/openapi.json)`,
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

/** A command of the table below: its help, the options it takes, and what it does. */
interface Command extends CommandHelp {
  readonly options: ParseArgsOptionsConfig;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], config: () => Config): Promise<number>;
}

/** A command whose options are typed from its option table. */
function command<const O extends ParseArgsOptionsConfig>(
  help: CommandHelp & { readonly options?: O },
  run: (values: ReturnType<typeof parseCommandArgs<O & typeof HELP_OPTION>>['values'], positionals: string[], config: () => Config) => Promise<number>,
): Command {
  return { ...help, options: help.options ?? {}, run: run as Command['run'] };
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** The one positional argument a command takes, or a usage error naming it. */
function oneArgument(positionals: string[], name: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument: ${positionals.slice(1).join(' ')}` : `${name} is required`);
  return positionals[0]!;
}

function noArguments(positionals: string[]): void {
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals.join(' ')}`);
}

const ADMIN_API_NOTE = 'While `netid serve` holds the embedded database, this goes through its admin API; otherwise it opens the database (NETID_DATA_DIR or DATABASE_URL) itself.';

const COMMANDS: readonly Command[] = [
  command({ name: 'serve', summary: 'run the service (public and admin listeners)', details: 'Applies migrations, creates signing keys and imports the demo registry on first start (NETID_DEMO_DATA), then serves until SIGINT or SIGTERM. Configuration: environment variables (docs/configuration.md).' }, async (_values, positionals, config) => {
    noArguments(positionals);
    await serve(config());
    return -1;
  }),
  command({ name: 'migrate', summary: 'apply database migrations', details: 'Prints the migrations applied. `netid serve` applies them at start too.' }, async (_values, positionals, loadedConfig) => {
    noArguments(positionals);
    const config = loadedConfig();
    if (!config.DATABASE_URL && readLock(config.NETID_DATA_DIR)) throw new Error('the service is running and has already applied migrations at start');
    const node = await (await serviceModules()).createNode(config, { logger: await quietLogger(config) });
    print({ applied: node.firstRun.migrationsApplied });
    await node.close();
    return 0;
  }),
  command({ name: 'keys list', summary: 'list signing keys', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    noArguments(positionals);
    print(await viaServiceOrDirect(config(), { method: 'GET', path: '/admin/v1/keys' }, async (s) => ({ keys: await s.keys.list() })));
    return 0;
  }),
  command({ name: 'keys rotate', args: '[--alg ES256|EdDSA]', summary: 'add a new active signing key (ES256 or EdDSA)', details: `The old key stays published for verification.\n\nOptions:\n  --alg ES256|EdDSA   the new key's algorithm (default ES256)\n\n${ADMIN_API_NOTE}`, options: { alg: { type: 'string' } } }, async (values, positionals, config) => {
    noArguments(positionals);
    const alg = values.alg ?? 'ES256';
    if (alg !== 'ES256' && alg !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
    print(await viaServiceOrDirect(config(), { method: 'POST', path: '/admin/v1/keys/rotate', body: { alg } }, async (s) => ({ kid: await s.keys.rotate(alg) })));
    return 0;
  }),
  command({ name: 'keys retire', args: 'KID', summary: 'stop publishing a verify-only key', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    const kid = oneArgument(positionals, 'KID');
    print(await viaServiceOrDirect(config(), { method: 'POST', path: `/admin/v1/keys/${encodeURIComponent(kid)}/retire` }, async (s) => ({ retired: await s.keys.retire(kid) })));
    return 0;
  }),
  command({ name: 'registry import', args: 'FILE', summary: 'import registry records (JSON Lines); all or nothing', details: `FILE and its portraits: docs/registry-format.md. Every portrait must show exactly one usable face; the first bad line stops the import and nothing is imported.\n\n${ADMIN_API_NOTE}` }, async (_values, positionals, config) => {
    const path = resolve(oneArgument(positionals, 'FILE'));
    print(await viaServiceOrDirect(config(), { method: 'POST', path: '/admin/v1/registry/import', body: { path } }, async (s) => importRegistryFile({ registry: s.embeddedRegistry!, faceEngine: s.faceEngine, now: s.now }, { path, channel: 'cli' })));
    return 0;
  }),
  command(
    {
      name: 'registry add',
      args: '--portrait PHOTO [--name NAME] [--sex M|F]',
      summary: 'add a fictional identity with your own face (development only)',
      details: [
        'For trying the enrolment with a real camera: makes a fictional 居民身份证 (cn_resident_id) holder, an adult',
        'with a generated document number, whose registry portrait is PHOTO; imports it like any registry file (PHOTO',
        'must show exactly one usable face) and prints the details to type into the enrolment form.',
        '',
        'Options:',
        '  --portrait PHOTO   a JPEG or PNG photograph of one face (yours), at most 30 MiB',
        '  --name NAME        the name on the fictional document (default 演示用户)',
        '  --sex M|F          (default: either)',
        '',
        `Refused when NODE_ENV is production (registry.add_refused_in_production). ${ADMIN_API_NOTE}`,
      ].join('\n'),
      options: { portrait: { type: 'string' }, name: { type: 'string' }, sex: { type: 'string' } },
    },
    async (values, positionals, loadedConfig) => {
      noArguments(positionals);
      if (!values.portrait) throw new UsageError('--portrait PHOTO is required');
      if (values.sex !== undefined && values.sex !== 'M' && values.sex !== 'F') throw new UsageError('--sex must be M or F');
      const config = loadedConfig();
      const { FictionalIdentityError, fictionalIdentity, writeFictionalIdentity } = await import('./registry/fictional-identity.ts');
      if (config.NODE_ENV === 'production') throw FictionalIdentityError('registry.add_refused_in_production');
      const identity = fictionalIdentity({ name: values.name, sex: values.sex }, { now: () => new Date() });
      const path = await writeFictionalIdentity(identity, resolve(values.portrait), resolve(config.NETID_DATA_DIR));
      try {
        await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/registry/import', body: { path } }, async (s) => importRegistryFile({ registry: s.embeddedRegistry!, faceEngine: s.faceEngine, now: s.now }, { path, channel: 'cli' }));
      } catch (error) {
        // A refused photograph is not kept in the data directory.
        await rm(dirname(path), { recursive: true, force: true });
        throw error;
      }
      print({ ...identity, registry_file: path, enrol_at: `${config.NETID_ISSUER}/enrol`, next: 'Type document_type, document_number, name and birth_date into the enrolment form; the face step compares your camera with PHOTO.' });
      return 0;
    },
  ),
  command({ name: 'registry stats', summary: 'count registry records by type and status', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    noArguments(positionals);
    print(await viaServiceOrDirect(config(), { method: 'GET', path: '/admin/v1/registry/stats' }, async (s) => s.embeddedRegistry!.stats()));
    return 0;
  }),
  command(
    {
      name: 'log verify',
      args: '--url URL [--vkey KEY] [--state FILE] [--audit] [--index N]…',
      summary: 'verify a transparency log: signature, rollback, fork, inclusion, full audit',
      details: [
        'Uses only the log\'s public routes (docs/accountability.md). Exit 0 when every check passes, 1 when one fails (stderr names it).',
        '',
        'Options:',
        '  --url URL      the netid service (its issuer URL)',
        '  --vkey KEY     the log\'s verifier key to trust (without it, the key is fetched from the log itself: trust on first use)',
        '  --state FILE   keep the last verified checkpoint here; a later run proves the log only grew (consistency)',
        '  --audit        fetch every entry and recompute the tree',
        '  --index N      prove that entry N is included (repeatable)',
      ].join('\n'),
      options: { url: { type: 'string' }, vkey: { type: 'string' }, state: { type: 'string' }, audit: { type: 'boolean' }, index: { type: 'string', multiple: true } },
    },
    async (values, positionals) => {
      noArguments(positionals);
      if (!values.url) throw new UsageError('--url URL is required');
      const { verifyLogCommand } = await import('./transparency/service/verify-command.ts');
      const { report, output } = await verifyLogCommand({ url: values.url, vkey: values.vkey, state: values.state, audit: values.audit ?? false, indexes: values.index ?? [] });
      process.stdout.write(output.stdout);
      if (output.stderr) process.stderr.write(output.stderr);
      return report.ok ? 0 : 1;
    },
  ),
  command({ name: 'rp create', args: '--file APP.json', summary: 'register a relying party (pending until approved; docs/integration.md)', details: `APP.json describes the app (docs/integration.md). Prints the registration, and the client secret once for a confidential client.\n\n${ADMIN_API_NOTE}`, options: { file: { type: 'string' } } }, async (values, positionals, config) => {
    noArguments(positionals);
    if (!values.file) throw new UsageError('--file APP.json is required');
    const registration = await (await import('./relying-parties/app-description.ts')).readAppDescription(resolve(values.file));
    print(await viaServiceOrDirect(config(), { method: 'POST', path: '/admin/v1/relying-parties', body: registration }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => {
      const { relyingParty, clientSecret } = await relyingPartyRegistryOf(s).register(registration, 'cli');
      return { ...describeRelyingParty(relyingParty), ...(clientSecret ? { client_secret: clientSecret } : {}) };
    }));
    return 0;
  }),
  command({ name: 'rp list', summary: 'list relying parties', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    noArguments(positionals);
    print(await viaServiceOrDirect(config(), { method: 'GET', path: '/admin/v1/relying-parties' }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => ({ relying_parties: (await relyingPartyRegistryOf(s).list()).map(describeRelyingParty) })));
    return 0;
  }),
  ...(['approve', 'suspend'] as const).map((transition) =>
    command(
      {
        name: `rp ${transition}`,
        args: 'CLIENT_ID [--reason TEXT]',
        summary: transition === 'approve' ? 'approve (or reinstate) a relying party' : 'suspend a relying party (its sign-ins and tokens stop)',
        details: `Options:\n  --reason TEXT   why, kept with the decision\n\n${ADMIN_API_NOTE}`,
        options: { reason: { type: 'string' } },
      },
      async (values, positionals, config) => {
        const clientId = oneArgument(positionals, 'CLIENT_ID');
        const body = values.reason ? { reason: values.reason } : {};
        print(await viaServiceOrDirect(config(), { method: 'POST', path: `/admin/v1/relying-parties/${encodeURIComponent(clientId)}/${transition}`, body }, async (s, { relyingPartyRegistryOf, describeRelyingParty }) => describeRelyingParty(await relyingPartyRegistryOf(s).transition(clientId, transition, 'cli', values.reason))));
        return 0;
      },
    ),
  ),
  command({ name: 'operator create', args: '--name NAME --role operator|auditor', summary: 'create a console operator; prints a one-time enrolment link (24 h)', details: `The link lets the operator register their passkey in the console (docs/console.md).\n\n${ADMIN_API_NOTE}`, options: { name: { type: 'string' }, role: { type: 'string' } } }, async (values, positionals, loadedConfig) => {
    noArguments(positionals);
    if (!values.name || (values.role !== 'operator' && values.role !== 'auditor')) throw new UsageError('--name NAME and --role operator|auditor are required');
    const config = loadedConfig();
    const input = { name: values.name, role: values.role };
    print(await viaServiceOrDirect(config, { method: 'POST', path: '/admin/v1/operators', body: input }, async (s) => (await import('./console/wiring.ts')).createOperator(s, input, config.NETID_ADMIN_PORT)));
    return 0;
  }),
  command({ name: 'operator list', summary: 'list console operators and auditors (status, last sign-in)', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    noArguments(positionals);
    print(await viaServiceOrDirect(config(), { method: 'GET', path: '/admin/v1/operators' }, async (s) => (await import('./console/wiring.ts')).listOperators(s)));
    return 0;
  }),
  command({ name: 'operator disable', args: 'ID', summary: 'disable a console operator or auditor (their sessions end at once)', details: ADMIN_API_NOTE }, async (_values, positionals, config) => {
    const id = oneArgument(positionals, 'ID');
    print(await viaServiceOrDirect(config(), { method: 'POST', path: `/admin/v1/operators/${encodeURIComponent(id)}/disable` }, async (s) => (await import('./console/wiring.ts')).disableOperator(s, id)));
    return 0;
  }),
];

/** Web certificate commands: they parse their own options, answer their own --help and never open the database. */
const STANDALONE: readonly CommandHelp[] = [
  { name: 'verify', args: 'FILE [--nonce N --audience A] (--issuer URL | --jwks FILE [--status-list FILE])', summary: 'verify a web certificate presentation (no database needed)' },
  { name: 'holder keys', args: '--out DIR [--count N]', summary: 'make device keys for the command-line web certificate holder' },
  { name: 'holder present', args: '--credentials FILE --key FILE (--claims a,b --nonce N --audience A | --request FILE)', summary: 'present a web certificate' },
];

const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = Object.fromEntries(COMMANDS.map((c) => [c.name, c]));
const GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!));

const USAGE = `netid — national network identity authentication service

Usage:
${commandList([...COMMANDS, ...STANDALONE])}

netid COMMAND --help describes a command. Configuration comes from environment variables (docs/configuration.md).`;

/** The usage to print with a usage error: the command's, the group's, or the list of all. */
function usageFor(words: readonly string[]): string {
  const found = COMMAND_HELP[words.slice(0, 2).join(' ')] ?? COMMAND_HELP[words[0] ?? ''];
  if (found) return commandHelp(found);
  if (words[0] && GROUPS.has(words[0])) return groupHelp(words[0], COMMANDS);
  return USAGE;
}

export async function main(argv: string[]): Promise<number> {
  const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
  const [first, second] = argv;
  if (first === 'verify') return (await import('./credentials/service/verify-command.ts')).verifyCommand(argv.slice(1), io);
  if (first === 'holder') return (await import('./credentials/holder/cli-holder.ts')).holderCommand(argv.slice(1), io);
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? argv.slice(1) : [];
    process.stdout.write(`${topic.length ? usageFor(topic) : USAGE}\n`);
    return first === undefined ? 2 : 0;
  }
  const found = (second !== undefined && COMMAND_HELP[`${first} ${second}`]) || COMMAND_HELP[first];
  if (!found) {
    if (GROUPS.has(first)) {
      if (second === '--help' || second === '-h') {
        process.stdout.write(`${groupHelp(first, COMMANDS)}\n`);
        return 0;
      }
      throw new UsageError(second === undefined ? `netid ${first} needs a command` : `unknown command: netid ${first} ${second}`);
    }
    throw new UsageError(`unknown command: ${first}`);
  }
  const cmd = COMMANDS.find((c) => c.name === found.name)!;
  const { values, positionals } = parseCommandArgs(argv.slice(cmd.name.split(' ').length), { ...cmd.options, ...HELP_OPTION });
  if (values.help) {
    process.stdout.write(`${commandHelp(cmd)}\n`);
    return 0;
  }
  const { loadConfig } = await import('./config/load.ts');
  let config: Config | undefined;
  return cmd.run(values, positionals, () => (config ??= loadConfig()));
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  main(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`netid: ${error.message}\n\n${usageFor(argv)}\n`);
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
