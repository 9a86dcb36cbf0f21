/**
 * The one configuration schema (STYLE.md §9). Every key has a description; docs/configuration.md
 * is generated from this file (`npm run docs:config`). Values come from environment variables and,
 * optionally, a JSON file named by NETID_CONFIG_FILE (environment wins).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const port = z.coerce.number().int().min(0).max(65535);

/** An IP address, or an address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** The development master key: fine on a laptop, refused when NODE_ENV=production. */
export const DEVELOPMENT_MASTER_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTMyYiE';

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development').describe('Run mode. `production` refuses unsafe defaults (development master key, http issuer, demo data).'),
  NETID_HOST: z.string().min(1).default('127.0.0.1').describe('Address the public listener binds to.'),
  NETID_PORT: port.default(8080).describe('Port of the public listener (the netid app, OpenID Connect, status lists, transparency log). 0 picks a free port.'),
  NETID_ADMIN_PORT: port.default(8081).describe('Port of the admin listener (operator console and admin API). It always binds to 127.0.0.1. 0 picks a free port.'),
  NETID_DATA_DIR: z.string().min(1).default('./.netid').describe('Directory for the embedded database, the admin token and the process lock.'),
  NETID_ISSUER: z.url().optional().describe('Public base URL of this service: the OpenID Connect issuer, the web certificate issuer and the passkey relying-party origin. Must be https in production. Unset: `http://localhost:<NETID_PORT>` (`http://localhost:8080` by default), so a changed port needs no second setting; with NETID_PORT=0 set it, since the port is only known once listening. localhost, not 127.0.0.1, because WebAuthn refuses IP addresses as relying-party ids.'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional().describe('PostgreSQL server to use instead of the embedded database (PGlite), e.g. postgres://netid@db/netid.'),
  NETID_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional().describe('Redis server for short-lived protocol state (OIDC sessions, unfinished sign-ins, codes, tokens, spent passkey challenges, scan-to-login) and, with NETID_RATE_LIMIT_STORE=auto, rate-limit counters, e.g. redis://:password@redis:6379/0. Every node of a fleet points at the same Redis. A request that needs Redis while it is unreachable answers 503 `storage.unavailable` (docs/adr/0006-redis-ephemeral-store.md).'),
  NETID_EPHEMERAL_STORE: z.enum(['auto', 'database', 'memory', 'redis']).default('auto').describe('Where short-lived protocol state is kept. `redis`: NETID_REDIS_URL, shared by every node. `database`: the ephemeral_state table (embedded or DATABASE_URL). `memory`: in this process — fastest, for one embedded node only (refused with DATABASE_URL); saved to the embedded database at a clean stop and taken back at the next start, lost on a crash. `auto`: `redis` when NETID_REDIS_URL is set, else `database` (durable: a crash loses nothing acknowledged).'),
  NETID_MASTER_KEY: z.string().default(DEVELOPMENT_MASTER_KEY).describe('Key-encryption key (32 bytes, base64url) for signing keys and identity attributes at rest. Generate one with `openssl rand -base64 32`.'),
  NETID_PREVIOUS_MASTER_KEYS: z.string().default('').describe('Comma-separated older master keys, still accepted for decryption while records are re-wrapped.'),
  NETID_DEMO_DATA: bool.default(true).describe('Import the bundled demo registry on first start. Refused in production.'),
  NETID_OUTBOUND_ALLOW_LOOPBACK: bool.default(false).describe('Let the OpenID provider call apps on loopback and private addresses (back-channel logout to an app on this machine, in development and tests). Off, those calls are refused as server-side request forgery. Refused in production.'),
  NETID_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level of the JSON logs (personal data is always redacted).'),
  NETID_LIVENESS_MODE: z.enum(['active', 'passive']).default('active').describe('Liveness check used at enrolment: `active` (the person follows random head-movement prompts) or `passive` (a presentation-attack model score on one frame).'),
  NETID_ENROLMENT_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15).describe('How long an enrolment may stay unfinished before it expires.'),
  NETID_ENROLMENT_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(10).describe('Enrolments one client address may start per minute, counted across all nodes. The document step answers whether a name matches a document number, so it must not be usable as a lookup oracle; more answer 429 `request.rate_limited` with Retry-After (docs/integration.md, Limits).'),
  NETID_RECOVERY_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(10).describe('Account recoveries one client address may start per minute, counted across all nodes. The document step answers as the enrolment start does (whether a name matches a document number), so it is limited the same way; more answer 429 `request.rate_limited` with Retry-After (docs/recovery.md).'),
  NETID_ENROLMENT_STEPS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(60).describe('Requests one client address may make per minute to the later steps of unfinished enrolments and recoveries (new face challenge, face frames, cancel, finish issuance), all of them together. Face frames cost a model run each.'),
  NETID_PASSKEY_OPTIONS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(60).describe('Passkey options (WebAuthn challenges) one client address may ask for per minute, over every endpoint that gives them: netid app sign-in, app sign-in (OIDC), scan-to-login approval, adding a device, enrolment, the console.'),
  NETID_PASSKEY_VERIFICATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(60).describe('Passkey responses (sign-in assertions, approvals, registrations) one client address may submit per minute, over every endpoint that takes them.'),
  NETID_PASSKEY_VERIFICATIONS_PER_CREDENTIAL_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(10).describe('Passkey assertions naming one credential that may be submitted per minute, from any number of addresses: a brake on attempts against one person\'s passkey.'),
  NETID_SIGN_IN_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(120).describe('Sign-ins one client address may start per minute: OpenID Connect authorization and logout requests (each stores an interaction), views of the sign-in page (each makes a scan-to-login code) and cancellations. Back-channel calls from apps (token, userinfo, PAR, JWKS) are not counted.'),
  NETID_SCAN_POLLS_PER_MINUTE: z.coerce.number().int().min(1).max(1000000).default(300).describe('Scan-to-login polls one client address may make per minute (a sign-in page showing a QR code polls every 2 seconds, 30 a minute).'),
  NETID_RATE_LIMIT_STORE: z.enum(['auto', 'memory', 'database']).default('auto').describe('Where rate-limit counters are kept. `memory`: in this process, no I/O, right for a single node. `database`: the rate_limit_counters table, shared by every node on the same PostgreSQL database (one upsert per counted request). `auto`: Redis (NETID_REDIS_URL, one INCR script per counted request, shared by every node) when NETID_REDIS_URL is set, else `database` when DATABASE_URL is set, else `memory`.'),
  NETID_TRUSTED_PROXIES: z.string().default('').refine((v) => v.split(',').map((p) => p.trim()).filter(Boolean).every(isAddressOrRange), 'must be comma-separated IP addresses or CIDR ranges').describe('Comma-separated addresses or CIDR ranges of the reverse proxies in front of the public listener (e.g. `10.0.0.0/8,127.0.0.1`). Only when the connection comes from one of them is the client address taken from X-Forwarded-For (the right-most address not itself a trusted proxy). Empty: X-Forwarded-For is ignored and limits count the connecting address.'),
  NETID_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30).describe('A netid app session ends after this many minutes without a request; each request slides the window forward.'),
  NETID_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12).describe('A netid app session ends this many hours after sign-in, however it is used; the person signs in again with their passkey.'),
  NETID_FACE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5).describe('Face-match attempts allowed per enrolment.'),
  NETID_CREDENTIAL_VALIDITY_DAYS: z.coerce.number().int().min(1).max(90).default(7).describe('Validity of each web certificate in a batch.'),
  NETID_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180).describe('How long sign-in and disclosure records are kept before the retention job deletes them.'),
  NETID_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86400).default(60).describe('How often each node moves queued accountable events into the transparency log and signs a checkpoint (a checkpoint is also signed on demand).'),
  NETID_AUTHORITY_DEFERRAL_MAX_DAYS: z.coerce.number().int().min(1).max(365).default(90).describe('Longest an authority request may defer its notice to the person.'),
});

/** The configuration as loadConfig returns it: NETID_ISSUER is always filled in (from NETID_PORT when unset). */
export type Config = Omit<z.infer<typeof configSchema>, 'NETID_ISSUER'> & { NETID_ISSUER: string };
export type ConfigInput = z.input<typeof configSchema>;
