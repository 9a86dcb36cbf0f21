/**
 * A bounded, seeded HTTP fuzzer for netid's two listeners. It sends requests to every route of
 * both OpenAPI documents and to the hidden routes (pages, OIDC, static files, console) that the
 * running servers list, each with something wrong: values of the wrong type, huge or deeply nested
 * values, U+0000 and invalid UTF-8, prototype keys (`__proto__`, `constructor`), missing fields,
 * other encodings of the path, broken bodies and headers. Some requests are left valid, so the
 * state the others meet grows (an interaction, an enrolment) and their ids are fed back in.
 *
 * Each answer is checked against three rules (docs/integration.md, "Errors"):
 *   1. never a 5xx;
 *   2. every error (4xx) carries a stable code: the `error` field of a JSON answer, or the
 *      `id="error-code"` element of an HTML page;
 *   3. a refused request (4xx) changes nothing stored: every table (except the ones the caller
 *      names, which legitimately record refusals) has the same rows before and after.
 *
 * The same seed and count send the same requests. `test/http/fuzz.test.ts` runs a short round in
 * `npm test`; `npm run fuzz -- --requests N [--postgres]` (scripts/fuzz.ts) a long one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { dataPaths } from '../../src/app/data-dir.ts';
import { loadConfig } from '../../src/config/load.ts';
import { routesOf } from '../../src/http/server.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import { ConsoleUser } from '../console/console-user.ts';
import { enrolPerson } from '../oidc/support.ts';
import { testEnv } from './databases.ts';
import { freePort } from './free-port.ts';

/** A route to fuzz: a path template (`{name}` parameters, a trailing `*` wildcard) and what it takes. */
export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly ParameterSpec[];
  readonly pathParams: readonly ParameterSpec[];
  /** JSON body schema, when the route declares one. */
  readonly body?: JsonSchema;
  /** A page or OIDC route: its POST body is a form. */
  readonly form: boolean;
}

export interface ParameterSpec {
  readonly name: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

export interface FuzzTarget {
  readonly name: string;
  /** http://host:port of the listener. */
  readonly base: string;
  /** Sent with every request unless a mutation drops or replaces it (the admin bearer token). */
  readonly headers: Readonly<Record<string, string>>;
  readonly operations: readonly Operation[];
}

/** Notices changes to stored data; `marker` is cheap and changes whenever anything may have been written. */
export interface StoreWatch {
  marker(): Promise<string>;
  snapshot(): Promise<ReadonlyMap<string, string>>;
}

export interface Finding {
  readonly kind: 'server_error' | 'no_code' | 'refused_changed_data' | 'transport';
  readonly request: string;
  readonly status: number;
  readonly detail: string;
}

export interface FuzzReport {
  readonly requests: number;
  readonly serverErrors: number;
  readonly withoutCode: number;
  readonly refusedChanges: number;
  readonly transportErrors: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Answers per target: accepted (< 400) and refused, to see each side was reached. */
  readonly byTarget: Readonly<Record<string, { accepted: number; refused: number }>>;
  /** The first findings of each kind, for the log. */
  readonly findings: readonly Finding[];
}

export interface FuzzOptions {
  readonly seed: number;
  readonly requests: number;
  readonly targets: readonly FuzzTarget[];
  readonly store: StoreWatch;
  /** Called every `every` requests with the running counts (long runs print progress). */
  readonly progress?: { every: number; report(partial: FuzzReport): void };
  /** Findings kept per kind (the counts are always complete). */
  readonly keepFindings?: number;
  /** Ids that exist (a registered app's client id and redirect URI): sent sometimes, so requests get past lookups. */
  readonly knownValues?: readonly string[];
}

/** Stable codes: netid's dotted codes and the OAuth/OpenID codes oidc-provider answers with. */
const CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

// ---------------------------------------------------------------------------------------------
// Operations from the OpenAPI documents and the servers' route lists

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

/** Every operation of an OpenAPI document, plus the listed routes it leaves out (hidden ones). */
export function operationsOf(doc: OpenApiDocument, routes: readonly { method: string; url: string }[]): Operation[] {
  const operations: Operation[] = [];
  const seen = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? [];
      const spec = (p: (typeof parameters)[number]): ParameterSpec => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? { type: 'string' } });
      operations.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((p) => p.in === 'query').map(spec),
        pathParams: parameters.filter((p) => p.in === 'path').map(spec),
        body: op.requestBody?.content?.['application/json']?.schema,
        form: false,
      });
      seen.add(`${method.toUpperCase()} ${path}`);
    }
  }
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    if (seen.has(`${route.method} ${path}`) || !['GET', 'POST', 'DELETE', 'PUT'].includes(route.method)) continue;
    seen.add(`${route.method} ${path}`);
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    operations.push({ method: route.method, path, query: [], pathParams: names.map((name) => ({ name, required: true, schema: { type: 'string' } })), form: true });
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

export type Random = () => number;

/** mulberry32: small, fast and good enough to spread requests; the same seed gives the same run. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Random, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const chance = (rng: Random, p: number) => rng() < p;

function uuid(rng: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Values

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Strings that have broken services before: NUL, bidi controls, lone surrogates, paths, markup, numbers as text. */
const EVIL_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\u202eevil', '\ud800', '💥'.repeat(50), 'é', '\u00a0', '\r\n', '../../../../etc/passwd', '/etc/passwd', '/dev/zero',
  '%00', '%', '%ZZ', '<script>alert(1)</script>', "' OR '1'='1", '__proto__', 'constructor', 'prototype', 'null', 'true', '0', '-1', '1e309',
  '9'.repeat(400), '0000-00-00', '2024-02-30', '1900-01-01', '9999-12-31', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-AFFF-FFFFFFFFFFFF',
  'a'.repeat(70), 'a'.repeat(5000), 'x'.repeat(300_000), 'http://169.254.169.254/', 'javascript:alert(1)', 'data:text/html,x',
];

function evilJson(rng: Random): unknown {
  switch (Math.floor(rng() * 12)) {
    case 0: return null;
    case 1: return pick(rng, [true, false]);
    case 2: return pick(rng, [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308]);
    case 3: return [];
    case 4: return {};
    case 5: return Array.from({ length: pick(rng, [1, 100, 10_000]) }, () => 'a');
    case 6: return { __evil: pick(rng, EVIL_STRINGS) };
    case 7: return [pick(rng, EVIL_STRINGS)];
    default: return pick(rng, EVIL_STRINGS);
  }
}

/** A plausible valid value for a schema, so that a request fails on the one thing the fuzzer broke. */
function validValue(schema: JsonSchema | undefined, rng: Random, pool: readonly string[], depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(rng, schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return validValue(pick(rng, variants), rng, pool, depth + 1);
  const type = Array.isArray(schema.type) ? pick(rng, schema.type.filter((t) => t !== 'null')) : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case 'boolean':
      return chance(rng, 0.5);
    case 'array': {
      const length = schema.minItems ?? 1;
      return Array.from({ length }, () => validValue(schema.items, rng, pool, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) || chance(rng, 0.5)) out[name] = validValue(child, rng, pool, depth + 1);
      }
      return out;
    }
    default: {
      if (schema.format === 'uuid') return pool.length && chance(rng, 0.5) ? pick(rng, pool) : uuid(rng);
      if (schema.format === 'date') return '1990-05-17';
      if (schema.format === 'date-time') return '2025-01-01T00:00:00Z';
      if (schema.format === 'uri') return 'https://app.example/callback';
      if (schema.pattern === '^(0|[1-9][0-9]{0,8})$') return '0';
      const base = pool.length && chance(rng, 0.2) ? pick(rng, pool) : 'abc';
      return base.padEnd(schema.minLength ?? 0, 'a').slice(0, schema.maxLength ?? Infinity);
    }
  }
}

/** Breaks one thing in a valid body: a field's type or value, a missing required field, or the whole shape. */
function mutateBody(valid: unknown, schema: JsonSchema | undefined, rng: Random): unknown {
  if (!valid || typeof valid !== 'object' || Array.isArray(valid)) return evilJson(rng);
  const body = { ...(valid as Record<string, unknown>) };
  const names = Object.keys({ ...(schema?.properties ?? {}), ...body });
  switch (Math.floor(rng() * 5)) {
    case 0: {
      const required = schema?.required ?? [];
      if (required.length) delete body[pick(rng, required)];
      return body;
    }
    case 1:
      body[pick(rng, ['extra', '__proto__x', 'constructor', 'toString', 'hasOwnProperty'])] = evilJson(rng);
      return body;
    default:
      if (names.length) body[pick(rng, names)] = evilJson(rng);
      return body;
  }
}

// ---------------------------------------------------------------------------------------------
// Paths, queries, bodies and headers

const PATH_PARAM_VALUES = ['x', '0', '-1', '1.5', '..', '.', '%2e%2e', '%2F', 'a%2Fb', '%00', '%FF', '%C3%28', '%E0%A4%A', '%', '%ZZ', '__proto__', 'constructor', 'a'.repeat(150), 'a'.repeat(5000), '%E2%80%AE', '%F0%9F%92%A5', 'A%20B', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-AFFF-FFFFFFFFFFFF'];

/** Where the wildcard routes lead: oidc-provider's endpoints, static files, and ways out of their folders. */
const WILDCARD_SUFFIXES: Record<string, readonly string[]> = {
  '/oidc/': ['auth', 'token', 'par', 'userinfo', 'jwks', 'token/introspection', 'token/revocation', 'session/end', 'session/end/confirm', 'session/end/success', 'reg', 'device', 'device/auth', 'backchannel', 'request', 'nope', 'auth/x', 'interaction/x/login', '.well-known/openid-configuration'],
  default: ['netid.css', 'icon.svg', 'client/api.js', 'nope.js', 'x.css', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json', 'a/b/c.svg', 'index.mjs', 'esm/index.js', '.hidden.js', 'netid.css%00.js', 'a'.repeat(300) + '.css', '%C3%28.css'],
};

const OAUTH_PARAMS: Record<string, readonly string[]> = {
  client_id: ['demo', 'x', '%00', ''],
  redirect_uri: ['https://app.example/callback', 'http://127.0.0.1/cb', 'javascript:alert(1)', '%00', 'x'],
  response_type: ['code', 'token', 'id_token', 'code id_token', 'x'],
  response_mode: ['query', 'form_post', 'fragment', 'web_message', 'jwt', 'x'],
  scope: ['openid', 'openid name birth_date', 'openid x', 'x', ''],
  state: ['s', 'a'.repeat(5000)],
  nonce: ['n'],
  code_challenge: ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'x'],
  code_challenge_method: ['S256', 'plain', 'x'],
  request_uri: ['urn:ietf:params:oauth:request_uri:x', 'http://169.254.169.254/', 'x'],
  request: ['eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.', 'x.y.z', 'x'],
  claims: ['{"id_token":{"name":null}}', '{', '[]', '{"userinfo":{"__proto__":{"x":1}}}', '{"id_token":' + '{"a":'.repeat(200) + '1' + '}'.repeat(201)],
  prompt: ['login', 'consent', 'none', 'x'],
  max_age: ['0', '-1', 'x'],
  acr_values: ['high', 'basic substantial', 'x'],
  ui_locales: ['en', 'zh-CN', '%00'],
  id_token_hint: ['x.y.z', 'x'],
  post_logout_redirect_uri: ['https://app.example/', 'x'],
  grant_type: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'x'],
  code: ['x', 'a'.repeat(100)],
  code_verifier: ['x', 'a'.repeat(43)],
  refresh_token: ['x'],
  token: ['x', 'a'.repeat(5000)],
  token_type_hint: ['access_token', 'refresh_token', 'x'],
  client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'x'],
  client_assertion: ['x.y.z', 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.'],
  client_secret: ['x'],
  logout: ['yes', 'no'],
  xsrf: ['x'],
};

const FORM_FIELDS = ['decision', 'remember', 'reason', 'lang', 'back', 'client_id', 'clientId', 'person_id', 'reference', 'name', 'role', 'answer', 'outcome', 'csrf', 'document_number', 'birth_date', 'selfie', 'to', '__proto__', 'constructor[prototype][x]', 'a[b][c]'];

/** Percent-encodes a string's UTF-8 bytes but for unreserved characters (a lone surrogate becomes U+FFFD). */
const enc = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** A value for the URL: encoded, or one of the raw sequences (broken escapes) that only a URL can carry. */
function urlValue(rng: Random, valid: string, pool: readonly string[]): string {
  const r = rng();
  if (r < 0.35) return enc(valid);
  if (r < 0.5 && pool.length) return enc(pick(rng, pool));
  if (r < 0.75) return pick(rng, PATH_PARAM_VALUES);
  return enc(pick(rng, EVIL_STRINGS).slice(0, 3000));
}

/** The other spellings of a path the router might take for the same route. */
function pathVariant(path: string, rng: Random): string {
  const letters = [...path.matchAll(/[A-Za-z]/g)].map((m) => m.index!);
  switch (Math.floor(rng() * 9)) {
    case 0: {
      if (!letters.length) return `${path}/`;
      const at = pick(rng, letters);
      return `${path.slice(0, at)}%${path.charCodeAt(at).toString(16)}${path.slice(at + 1)}`;
    }
    case 1: return path.replace('/', '//');
    case 2: return path.replace(/\/([^/]+)$/, '/./$1');
    case 3: return path.replace(/^\/([^/]+)/, '/x/../$1');
    case 4: return path.toUpperCase();
    case 5: return path.replace(/^\/(\w)/, (_m, c: string) => `/${c.toUpperCase()}`);
    case 6: return `${path}/`;
    case 7: return path.replace(/\//g, '%2F').replace(/^%2F/, '/');
    default: return `${path};x=1`;
  }
}

interface FuzzRequest {
  readonly target: FuzzTarget;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

function buildRequest(target: FuzzTarget, op: Operation, rng: Random, pool: readonly string[]): FuzzRequest {
  const headers: Record<string, string> = { ...target.headers };
  // Path: parameters filled (validly or not), the wildcard given somewhere to go.
  let path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const spec = op.pathParams.find((p) => p.name === name);
    return urlValue(rng, String(validValue(spec?.schema, rng, pool)), pool);
  });
  if (path.endsWith('*')) {
    const prefix = path.slice(0, -1);
    path = prefix + pick(rng, Object.hasOwn(WILDCARD_SUFFIXES, prefix) ? WILDCARD_SUFFIXES[prefix]! : WILDCARD_SUFFIXES.default!);
  }
  if (chance(rng, 0.12)) path = pathVariant(path, rng);

  // Query: the declared parameters, OAuth's on the OIDC routes, and extras.
  const query: string[] = [];
  for (const spec of op.query) {
    if (spec.required || chance(rng, 0.6)) query.push(`${enc(spec.name)}=${urlValue(rng, String(validValue(spec.schema, rng, pool)), pool)}`);
  }
  const oidc = path.startsWith('/oidc/') || path.startsWith('/.well-known/');
  if (oidc && op.method === 'GET') {
    for (const [name, values] of Object.entries(OAUTH_PARAMS)) if (chance(rng, 0.35)) query.push(`${name}=${chance(rng, 0.8) ? enc(pick(rng, [...values, ...pool])) : pick(rng, PATH_PARAM_VALUES)}`);
  }
  if (chance(rng, 0.25)) {
    const name = pick(rng, ['lang', 'lang', 'x', '__proto__', 'constructor', 'constructor[prototype][x]', 'a[]', '%00', '%FF', 'back', 'to', 'start', 'end', 'index']);
    query.push(`${name}=${urlValue(rng, 'en', pool)}`);
    if (chance(rng, 0.3)) query.push(`${name}=${urlValue(rng, 'zh-CN', pool)}`);
  }
  if (chance(rng, 0.03)) query.push('%');
  if (query.length) path += `?${query.join('&')}`;

  // Body.
  let body: Buffer | undefined;
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    const r = rng();
    if (op.body || (!op.form && r < 0.5) || (op.form && r < 0.2)) {
      headers['content-type'] = 'application/json';
      const valid = validValue(op.body, rng, pool);
      const value = chance(rng, 0.25) ? valid : mutateBody(valid, op.body, rng);
      let text = JSON.stringify(value) ?? 'null';
      const chaos = rng();
      if (chaos < 0.06) text = text.replace(/^\{/, '{"__proto__":{"polluted":1},');
      else if (chaos < 0.1) text = text.replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},');
      else if (chaos < 0.13) text = nested(pick(rng, [64, 2000, 100_000]), pick(rng, ['array', 'object'] as const));
      else if (chaos < 0.16) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      else if (chaos < 0.18) text = '';
      body = Buffer.from(text);
      if (chaos >= 0.18 && chaos < 0.22) body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
      if (chaos >= 0.22 && chaos < 0.26) headers['content-type'] = pick(rng, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/jsonx', '']);
      if (chaos >= 0.26 && chaos < 0.265) body = Buffer.alloc(13 * 1024 * 1024, 0x61);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const fields: string[] = [];
      const names = oidc ? Object.keys(OAUTH_PARAMS) : FORM_FIELDS;
      for (const name of names) {
        if (!chance(rng, oidc ? 0.3 : 0.25)) continue;
        const values = Object.hasOwn(OAUTH_PARAMS, name) ? OAUTH_PARAMS[name]! : ['yes', 'agree', 'decline', 'en', '/', 'x'];
        fields.push(`${enc(name)}=${chance(rng, 0.7) ? enc(pick(rng, [...values, ...pool])) : pick(rng, PATH_PARAM_VALUES)}`);
      }
      body = Buffer.from(fields.join('&'));
      if (chance(rng, 0.05)) body = Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x26, 0x25]);
    }
  }

  // Headers: the listener's own (the admin token) sometimes dropped or wrong; odd languages,
  // origins and cookies; on the admin listener sometimes another Host.
  if (chance(rng, 0.06)) delete headers.authorization;
  if (chance(rng, 0.03) && headers.authorization) headers.authorization = `${headers.authorization}x`;
  if (chance(rng, 0.2)) headers['accept-language'] = pick(rng, ['en', 'zh-CN', 'fr', '*', 'en;q=x', '']);
  if (chance(rng, 0.1)) headers.accept = pick(rng, ['text/html', 'application/json', '*/*', 'image/png']);
  if (chance(rng, 0.08)) headers.origin = pick(rng, ['http://evil.example', 'null', target.base]);
  if (chance(rng, 0.05)) headers['sec-fetch-site'] = pick(rng, ['cross-site', 'same-origin', 'none']);
  if (chance(rng, 0.08)) headers.cookie = pick(rng, ['netid_session=x', 'netid_session=v1.e30.x', 'netid_console=%00', 'netid_lang=%FF', '_session=x; _session.sig=y', 'a=' + 'b'.repeat(3000)]);
  if (chance(rng, 0.02)) headers.host = pick(rng, ['evil.example', 'localhost', '127.0.0.1:1', `LOCALHOST:${new URL(target.base).port}`]);
  // Sometimes a method the route does not take (HEAD is left out: its answers have no body to judge).
  const method = chance(rng, 0.03) ? pick(rng, ['PATCH', 'PUT', 'OPTIONS', 'DELETE', 'POST', 'GET', 'TRACE']) : op.method;
  if (method === 'GET' || method === 'TRACE') body = undefined;
  return { target, method, path, headers, body };
}

// ---------------------------------------------------------------------------------------------
// Sending and judging

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly location: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request with the path exactly as given (fetch would normalise it), over a fresh connection. */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return send({ target: { name: '', base, headers: {}, operations: [] }, method, path, headers, body: typeof body === 'string' ? Buffer.from(body) : body });
}

function send(req: FuzzRequest): Promise<Answer> {
  const url = new URL(req.target.base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 256 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), location: res.headers.location, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** The stable code an error answer carries, or undefined. */
export function errorCodeOf(answer: { contentType: string; body: string }): string | undefined {
  if (/json/.test(answer.contentType)) {
    try {
      const error = (JSON.parse(answer.body) as { error?: unknown }).error;
      return typeof error === 'string' && CODE.test(error) ? error : undefined;
    } catch {
      return undefined;
    }
  }
  if (/html/.test(answer.contentType)) {
    const code = /id="error-code"[^>]*>([^<]*)</.exec(answer.body)?.[1];
    return code && CODE.test(code) ? code : undefined;
  }
  return undefined;
}

/** Ids in an answer worth sending back: uuids, and path segments of where it redirects. The first `keep` values of the pool stay. */
function harvest(answer: Answer, pool: string[], keep: number): void {
  const found = [...answer.body.slice(0, 20_000).matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].map((m) => m[0]);
  if (answer.location) {
    try {
      const location = new URL(answer.location, 'http://x');
      found.push(...location.pathname.split('/').filter((s) => s.length >= 8), ...[...location.searchParams.values()].filter((v) => v.length >= 8 && v.length < 200));
    } catch {
      // not a URL: nothing to learn
    }
  }
  for (const value of found) if (!pool.includes(value)) pool.push(value);
  if (pool.length > 200) pool.splice(keep, pool.length - 200);
}

const describe = (req: FuzzRequest) => `${req.target.name} ${req.method} ${req.path.slice(0, 200)}${req.body ? ` body=${JSON.stringify(req.body.subarray(0, 160).toString('utf8'))}` : ''}`;

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rng = seededRandom(options.seed);
  const keep = options.keepFindings ?? 5;
  const pool: string[] = [...(options.knownValues ?? [])];
  const findings: Finding[] = [];
  const byStatus: Record<string, number> = {};
  const byTarget: Record<string, { accepted: number; refused: number }> = Object.fromEntries(options.targets.map((t) => [t.name, { accepted: 0, refused: 0 }]));
  const counts = { serverErrors: 0, withoutCode: 0, refusedChanges: 0, transportErrors: 0 };
  const note = (finding: Finding) => {
    if (findings.filter((f) => f.kind === finding.kind).length < keep) findings.push(finding);
  };
  const operations = options.targets.flatMap((target) => target.operations.map((op) => ({ target, op })));
  if (!operations.length) throw new TypeError('no operations to fuzz');
  const report = (requests: number): FuzzReport => ({ requests, ...counts, byStatus: { ...byStatus }, byTarget: structuredClone(byTarget), findings: [...findings] });

  let known = { marker: await options.store.marker(), snapshot: await options.store.snapshot() };
  // After a refused request the marker was just read; after an accepted one it is read again.
  let fresh = true;
  for (let i = 0; i < options.requests; i++) {
    if (!fresh) {
      const before = await options.store.marker();
      // The request accepted before this one wrote: that is the state this one meets.
      if (before !== known.marker) known = { marker: before, snapshot: await options.store.snapshot() };
    }
    fresh = false;
    const { target, op } = pick(rng, operations);
    const req = buildRequest(target, op, rng, pool);
    let answer: Answer;
    try {
      answer = await send(req);
    } catch (error) {
      counts.transportErrors++;
      note({ kind: 'transport', request: describe(req), status: 0, detail: String(error) });
      continue;
    }
    byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    byTarget[target.name]![answer.status < 400 ? 'accepted' : 'refused']++;
    if (answer.status >= 500) {
      counts.serverErrors++;
      note({ kind: 'server_error', request: describe(req), status: answer.status, detail: answer.body.slice(0, 300) });
    } else if (answer.status >= 400 && !errorCodeOf(answer)) {
      counts.withoutCode++;
      note({ kind: 'no_code', request: describe(req), status: answer.status, detail: `${answer.contentType} ${answer.body.slice(0, 300)}` });
    }
    if (answer.status >= 400) {
      const after = await options.store.marker();
      if (after !== known.marker) {
        const snapshot = await options.store.snapshot();
        const changed = [...new Set([...known.snapshot.keys(), ...snapshot.keys()])].filter((table) => known.snapshot.get(table) !== snapshot.get(table));
        if (changed.length) {
          counts.refusedChanges++;
          note({ kind: 'refused_changed_data', request: describe(req), status: answer.status, detail: `tables changed: ${changed.join(', ')}` });
        }
        known = { marker: after, snapshot };
      }
      fresh = true;
    } else {
      harvest(answer, pool, options.knownValues?.length ?? 0);
    }
    if (options.progress && (i + 1) % options.progress.every === 0) options.progress.report(report(i + 1));
  }
  return report(options.requests);
}

// ---------------------------------------------------------------------------------------------
// Watching the database

/**
 * Watches every table of the current schema. The marker is the next transaction id PostgreSQL
 * will assign (`pg_snapshot_xmax`): reads never take one, every write does, so while it stays the
 * same nothing was written and the snapshot (row count and a hash of every row, per table) need not
 * be taken again. `exclude` names tables that record refusals by design.
 */
export function databaseWatch(db: Kysely<any>, exclude: readonly string[] = []): StoreWatch {
  let tables: string[] | undefined;
  return {
    async marker() {
      const { rows } = await sql<{ x: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`.execute(db);
      return rows[0]!.x;
    },
    async snapshot() {
      tables ??= (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db)).rows.map((r) => r.name).filter((name) => !exclude.includes(name));
      // One statement for all tables: one round trip, one consistent view.
      const perTable = tables.map((table) => sql`SELECT ${table}::text AS name, count(*)::text AS n, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) AS h FROM ${sql.table(table)} t`);
      const { rows } = await sql<{ name: string; n: string; h: string | null }>`${sql.join(perTable, sql` UNION ALL `)}`.execute(db);
      return new Map(rows.map((r) => [r.name, `${r.n}:${r.h ?? ''}`]));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A node to fuzz, with someone signed in on each side

/**
 * Tables that change on refused requests by design: the rate-limit counters count every request,
 * refused or not (a refusal that cost nothing would make the limit free to probe); the registry
 * import status keeps every import, refused ones with their error code and line, for the console.
 */
export const LOGGING_TABLES: readonly string[] = ['rate_limit_counters', 'registry_imports'];

/** Routes that would end the signed-in person's or operator's session for the rest of the run; fuzzed anonymously only. */
const ENDS_SESSION = new Set(['DELETE /api/v1/session', 'POST /api/v1/me/deactivate', 'POST /settings/deactivate', 'POST /signout', 'POST /console/signout']);

export interface FuzzNode {
  readonly node: RunningNode;
  readonly targets: readonly FuzzTarget[];
  /** Ids that exist: the app's client id and redirect URI, the person's and the operator's ids. */
  readonly knownValues: readonly string[];
  readonly store: StoreWatch;
  close(): Promise<void>;
}

/**
 * A fresh node (PGlite, or the PostgreSQL database at `databaseUrl`) whose clock stands still and
 * whose background jobs do not run — so nothing is written (a checkpoint, a sweep of expired
 * records) while a refused request is judged but by the request itself — with an approved app,
 * a person signed in to the netid app and an operator signed in to the console. Its targets: both
 * listeners anonymously (the admin one with the bearer token), the person by bearer token and by
 * cookie from netid's own pages, and the operator's console session.
 */
export async function startFuzzNode(options: { databaseUrl?: string } = {}): Promise<FuzzNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'netid-fuzz-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const start = new Date();
  // Counters in memory: a counted request then writes nothing, and the snapshot need not be taken again.
  const env = testEnv({ NETID_DATA_DIR: dataDir, NETID_PORT: String(port), NETID_ISSUER: issuer, DATABASE_URL: options.databaseUrl, NETID_RATE_LIMIT_STORE: 'memory' });
  const node = await startNode(loadConfig(env), { inMemory: !options.databaseUrl, skipLock: true, now: () => new Date(start), backgroundJobs: false });
  try {
    const token = readFileSync(dataPaths(dataDir).adminToken, 'utf8').trim();
    const registry = relyingPartyRegistryOf(node.services);
    const { relyingParty } = await registry.register({ name: 'Fuzz app', organisation: 'Fuzz org', category: 'commercial', redirect_uris: ['https://fuzz-app.example/cb'], sector_identifier: 'fuzz.example', token_endpoint_auth_method: 'client_secret_basic', required_acr: 'substantial' }, 'fuzz');
    await registry.transition(relyingParty.clientId, 'approve', 'fuzz');

    const person = await enrolPerson({ node, issuer });
    const options_ = await (await fetch(`${issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
    const signedIn = await fetch(`${issuer}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(person.authenticator.get(options_ as never)) });
    if (signedIn.status !== 200) throw new Error(`the fuzz person could not sign in: ${await signedIn.text()}`);
    const session = ((await signedIn.json()) as { session: { token: string } }).session.token;

    const adminPort = Number(new URL(node.adminUrl).port);
    const consoleOrigin = `http://localhost:${adminPort}`;
    const operator = await new ConsoleUser(consoleOrigin).enrolAndSignIn('Fuzz operator', 'operator', node, adminPort);

    const listed = async (name: string, base: string, server: RunningNode['publicServer'], headers: Record<string, string>, keep: (op: Operation) => boolean = () => true): Promise<FuzzTarget> => {
      const response = await fetch(`${base}/api/openapi.json`, { headers });
      if (!response.ok) throw new Error(`${name}: OpenAPI document ${response.status}`);
      return { name, base, headers, operations: operationsOf((await response.json()) as OpenApiDocument, routesOf(server)).filter(keep) };
    };
    const stays = (op: Operation) => !ENDS_SESSION.has(`${op.method} ${op.path}`);
    const ownPages = { origin: issuer, 'sec-fetch-site': 'same-origin' };
    const targets = [
      await listed('public', node.publicUrl, node.publicServer, {}),
      await listed('person', node.publicUrl, node.publicServer, { authorization: `Bearer ${session}` }, (op) => stays(op) && !op.path.startsWith('/oidc/')),
      await listed('person-page', node.publicUrl, node.publicServer, { cookie: `netid_session=${session}`, ...ownPages }, stays),
      await listed('admin', node.adminUrl, node.adminServer, { authorization: `Bearer ${token}` }, (op) => !op.path.startsWith('/console')),
      await listed('console', node.adminUrl, node.adminServer, { host: `localhost:${adminPort}`, origin: consoleOrigin, cookie: operator.cookie }, (op) => stays(op) && (op.path === '/' || op.path.startsWith('/console') || op.path.startsWith('/static/'))),
    ];
    return {
      node,
      targets,
      knownValues: [relyingParty.clientId, 'https://fuzz-app.example/cb', person.personId, person.webNumber, operator.id],
      store: databaseWatch(node.services.database.db, LOGGING_TABLES),
      async close() {
        await node.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await node.close();
    throw error;
  }
}
