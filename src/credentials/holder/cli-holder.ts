/**
 * The command-line holder (tests, benchmarks, demos): `netid holder keys` makes device keys,
 * `netid holder present` answers a request with one credential of a batch.
 *
 *   netid holder keys --out DIR [--count N]
 *     writes DIR/key-<i>.json (private JWK, mode 0600) and DIR/holder-keys.json
 *     ({"holder_keys": [public JWKs]}: the body of POST /api/v1/me/web-certificates)
 *   netid holder present --credentials FILE --key FILE (--claims a,b --nonce N --audience A | --request FILE)
 *     FILE holds the issuance response ({"credentials": [...]}), a JSON array or one credential
 *     per line; the credential bound to the key (cnf.jwk) is presented; prints the presentation.
 *   netid holder [keys|present] --help
 *
 * Options are read by src/cli/args.ts: a value may start with `-` (`--nonce -abc`).
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { HELP_OPTION, parseCommandArgs, UsageError } from '../../cli/args.ts';
import { NetidError } from '../../domain/errors.ts';
import { decodeJsonPart } from '../encoding.ts';
import { parsePresentationRequest } from '../presentation-request.ts';
import { present } from './present.ts';
import { generateDeviceKeys } from './wallet.ts';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now?: () => Date;
}

export const HOLDER_USAGE = `netid holder keys --out DIR [--count N]
netid holder present --credentials FILE --key FILE (--claims a,b --nonce N --audience A | --request FILE)`;

const HELP = {
  keys: `Usage: netid holder keys --out DIR [--count N]

Makes N device keys (default 6, at most 20): DIR/key-<i>.json (private JWK, mode 0600) and
DIR/holder-keys.json ({"holder_keys": [public JWKs]}, the body of POST /api/v1/me/web-certificates).`,
  present: `Usage: netid holder present --credentials FILE --key FILE (--claims a,b --nonce N --audience A | --request FILE)

Presents the credential of the batch in FILE that is bound to the key (cnf.jwk), disclosing the
claims named, and prints the presentation (SD-JWT+KB).

  --credentials FILE   the issuance response ({"credentials": [...]}), a JSON array, or one credential a line
  --key FILE           the device key (private JWK) made by netid holder keys
  --claims a,b         the claims to disclose
  --nonce N            the verifier's nonce (a value may start with -: --nonce -abc)
  --audience A         the verifier
  --request FILE       instead of --claims, --nonce and --audience: a presentation request`,
} as const;

/** Credentials from an issuance response, a JSON array, or one per line. */
export function readCredentials(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = JSON.parse(trimmed) as unknown;
    const list = Array.isArray(json) ? json : (json as { credentials?: unknown }).credentials;
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) throw new TypeError('expected {"credentials": [...]} or an array of credentials');
    return list as string[];
  }
  return trimmed.split(/\s+/).filter(Boolean);
}

function sameKey(a: JsonWebKey, b: JsonWebKey): boolean {
  return a.crv === b.crv && a.x === b.x && a.y === b.y;
}

const OPTIONS = {
  keys: { out: { type: 'string' }, count: { type: 'string', default: '6' } },
  present: { credentials: { type: 'string' }, key: { type: 'string' }, claims: { type: 'string' }, nonce: { type: 'string' }, audience: { type: 'string' }, request: { type: 'string' } },
} as const satisfies Record<string, ParseArgsOptionsConfig>;

export async function holderCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = (message: string) => {
    io.stderr(`netid holder: ${message}\n${HOLDER_USAGE}\n`);
    return 2;
  };
  const help = (command: 'keys' | 'present') => {
    io.stdout(`${HELP[command]}\n`);
    return 0;
  };
  if (sub === undefined || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.stderr : io.stdout)(`Usage:\n${HOLDER_USAGE.replace(/^/gm, '  ')}\n\nA command-line web certificate holder (tests, demos). netid holder keys --help, netid holder present --help describe each.\n`);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === 'keys') {
      const { values } = parseCommandArgs(rest, { ...OPTIONS.keys, ...HELP_OPTION });
      if (values.help) return help('keys');
      const count = Number(values.count);
      if (!values.out) return usage('--out DIR is required');
      if (!Number.isInteger(count) || count < 1 || count > 20) return usage('--count must be 1..20');
      mkdirSync(values.out, { recursive: true });
      const keys = generateDeviceKeys(count);
      keys.forEach((k, i) => writeFileSync(join(values.out!, `key-${i}.json`), JSON.stringify(k.privateKey.export({ format: 'jwk' })), { mode: 0o600 }));
      writeFileSync(join(values.out, 'holder-keys.json'), JSON.stringify({ holder_keys: keys.map((k) => k.publicJwk) }));
      io.stdout(`${JSON.stringify({ keys: keys.map((_, i) => join(values.out!, `key-${i}.json`)), holder_keys: join(values.out, 'holder-keys.json') })}\n`);
      return 0;
    }
    if (sub === 'present') {
      const { values } = parseCommandArgs(rest, { ...OPTIONS.present, ...HELP_OPTION });
      if (values.help) return help('present');
      if (!values.credentials || !values.key) return usage('--credentials FILE and --key FILE are required');
      let disclose: string[];
      let nonce: string;
      let audience: string;
      if (values.request) {
        const parsed = parsePresentationRequest(readFileSync(values.request, 'utf8'));
        if (!parsed.ok) return usage(`--request: ${parsed.error.reason}`);
        ({ nonce, aud: audience } = parsed.value);
        disclose = [...parsed.value.claims];
      } else {
        if (!values.claims || !values.nonce || !values.audience) return usage('--claims, --nonce and --audience are required (or --request FILE)');
        disclose = values.claims.split(',').map((c) => c.trim()).filter(Boolean);
        nonce = values.nonce;
        audience = values.audience;
      }
      const privateJwk = JSON.parse(readFileSync(values.key, 'utf8')) as JsonWebKey;
      const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
      const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
      const credential = readCredentials(readFileSync(values.credentials, 'utf8')).find((c) => {
        const cnf = (decodeJsonPart(c.split('~')[0]!.split('.')[1] ?? '').cnf as { jwk?: JsonWebKey } | undefined)?.jwk;
        return cnf !== undefined && sameKey(cnf, publicJwk);
      });
      if (!credential) {
        io.stderr('netid holder: credential.invalid_holder_key: no credential in the file is bound to this key\n');
        return 1;
      }
      io.stdout(`${await present({ credential, holderPrivateKey: privateKey, disclose, nonce, audience, clock: io.now ?? (() => new Date()) })}\n`);
      return 0;
    }
    return usage(`unknown subcommand: ${sub ?? '(none)'}`);
  } catch (error) {
    if (error instanceof NetidError) {
      io.stderr(`netid holder: ${error.code}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) return usage(error.message);
    io.stderr(`netid holder: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
