/**
 * `netid verify FILE` — checks a web certificate presentation the way an app would, without the
 * database and without a netid node:
 *
 *   netid verify FILE|- [--nonce N] [--audience A] [--vct V] [--require a,b]
 *                       (--issuer URL | --jwks FILE [--status-list FILE]...)
 *
 * `--issuer` trusts that issuer and fetches its JWKS and the status lists over HTTP (through the
 * same caches an app uses; status lists only from URLs under the issuer). `--jwks` (a JWKS or
 * issuer-metadata file) and `--status-list` (status-list tokens, matched by their `sub`) verify
 * fully offline. Without --nonce/--audience the key binding is still verified but its nonce and
 * audience are taken from the presentation itself and reported in `warnings`.
 *
 * Prints the typed result as JSON; exit 0 if valid, 1 if not (stderr names the stable code),
 * 2 for a usage error.
 */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { HELP_OPTION, parseCommandArgs, UsageError } from '../../cli/args.ts';
import type { CommandIo } from '../holder/cli-holder.ts';
import { JwksCache, toResolver, type IssuerKeys } from '../verifier/issuer-keys.ts';
import { StatusListCache } from '../verifier/status-list-cache.ts';
import { verifyPresentation } from '../verifier/verify-presentation.ts';
import { STATUS_LIST_MEDIA_TYPE } from '../status/status-list-token.ts';

export const VERIFY_USAGE = 'netid verify FILE|- [--nonce N] [--audience A] [--vct V] [--require a,b] (--issuer URL | --jwks FILE [--status-list FILE]...)';

const VERIFY_HELP = `Usage: ${VERIFY_USAGE}

Verifies a web certificate presentation the way an app would, without a database: the issuer's
signature, the key binding, expiry, the status list, and the nonce and audience when given.

  FILE | -               the presentation (SD-JWT+KB), or - for stdin
  --nonce N              the nonce the app asked for (a value may start with -: --nonce -abc)
  --audience A           the audience the app asked for
  --vct V                the credential type to require
  --require a,b          claims that must be disclosed
  --issuer URL           trust this issuer: fetch its keys and status lists over HTTP
  --jwks FILE            offline: the issuer's JWKS or issuer metadata
  --status-list FILE     offline: a status-list token (repeatable)

Prints the result as JSON. Exit 0 when valid, 1 when not (stderr names the code), 2 for a usage error.`;

export interface VerifyIo extends CommandIo {
  readonly readStdin?: () => string;
  readonly fetch?: typeof fetch;
}

function jsonPart(jwt: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from((jwt ?? '').split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function verifyCommand(argv: string[], io: VerifyIo): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`netid verify: ${message}\n${VERIFY_USAGE}\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      nonce: { type: 'string' },
      audience: { type: 'string' },
      vct: { type: 'string' },
      require: { type: 'string' },
      issuer: { type: 'string' },
      jwks: { type: 'string' },
      'status-list': { type: 'string', multiple: true },
      ...HELP_OPTION,
    });
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }
  if (parsed.values.help) {
    io.stdout(`${VERIFY_HELP}\n`);
    return 0;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usage('one presentation FILE (or - for stdin) is required');
  if (!values.issuer === !values.jwks) return usage('give exactly one of --issuer URL or --jwks FILE');
  let presentation: string;
  try {
    presentation = (positionals[0] === '-' ? (io.readStdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(positionals[0]!, 'utf8')).trim();
  } catch (error) {
    return usage(`cannot read ${positionals[0]}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const doFetch = io.fetch ?? fetch;
  let issuerKeys: IssuerKeys;
  let fetchStatusList: (uri: string) => Promise<string>;
  if (values.issuer) {
    const issuer = values.issuer.replace(/\/+$/, '');
    issuerKeys = new JwksCache({
      trustedIssuers: [issuer],
      fetch: async (url) => {
        const response = await doFetch(url, { headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      },
    });
    fetchStatusList = async (uri) => {
      if (!uri.startsWith(`${issuer}/`)) throw new Error(`status list ${uri} is not under the trusted issuer`);
      const response = await doFetch(uri, { headers: { accept: STATUS_LIST_MEDIA_TYPE } });
      if (!response.ok) throw new Error(`${uri}: HTTP ${response.status}`);
      return response.text();
    };
  } else {
    let doc: { keys?: JWK[]; jwks?: { keys?: JWK[] } };
    try {
      doc = JSON.parse(readFileSync(values.jwks!, 'utf8'));
    } catch (error) {
      return usage(`--jwks: ${error instanceof Error ? error.message : String(error)}`);
    }
    const keys = doc.keys ?? doc.jwks?.keys;
    if (!Array.isArray(keys)) return usage('--jwks must hold a JWKS ({"keys": [...]}) or issuer metadata ({"jwks": {...}})');
    issuerKeys = { keys };
    const tokens = new Map<string, string>();
    for (const file of values['status-list'] ?? []) {
      const token = readFileSync(file, 'utf8').trim();
      const sub = jsonPart(token).sub;
      if (typeof sub !== 'string') return usage(`--status-list ${file} is not a status-list token`);
      tokens.set(sub, token);
    }
    fetchStatusList = async (uri) => {
      const token = tokens.get(uri);
      if (!token) throw new Error(`no --status-list for ${uri}`);
      return token;
    };
  }
  const statusLists = new StatusListCache({ fetch: fetchStatusList, issuerKeys: toResolver(issuerKeys) });

  const warnings: string[] = [];
  const kb = jsonPart(presentation.slice(presentation.lastIndexOf('~') + 1));
  let expectedNonce = values.nonce;
  let expectedAudience = values.audience;
  if (expectedNonce === undefined) {
    expectedNonce = typeof kb.nonce === 'string' ? kb.nonce : '';
    warnings.push('nonce not checked: no --nonce given (replay is possible)');
  }
  if (expectedAudience === undefined) {
    expectedAudience = typeof kb.aud === 'string' ? kb.aud : '';
    warnings.push('audience not checked: no --audience given');
  }
  const result = await verifyPresentation(presentation, {
    issuerKeys,
    statusLists,
    expectedNonce,
    expectedAudience,
    ...(values.vct ? { expectedVct: values.vct } : {}),
    ...(values.require ? { requiredClaims: values.require.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
    now: (io.now ?? (() => new Date()))(),
  });
  io.stdout(`${JSON.stringify(warnings.length ? { ...result, warnings } : result, null, 2)}\n`);
  if (!result.ok) {
    io.stderr(`netid verify: ${result.error.code}: ${result.error.message}\n`);
    return 1;
  }
  return 0;
}
