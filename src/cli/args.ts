/**
 * How every `netid` command reads its options: node's `util.parseArgs` in strict mode (unknown
 * options and missing values are usage errors), except that an option that takes a value takes
 * the next word whatever it starts with, as getopt does. parseArgs alone refuses
 * `--nonce -abc` as "ambiguous", and 1 in 64 base64url nonces (and audiences, names, paths)
 * start with `-`; `--nonce=-abc` works too.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A mistake in how a command was called: the caller prints the command's usage and exits 2. */
export class UsageError extends Error {}

/** `--help` and `-h`, which every command answers with its own usage. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsOptionsConfig;

/**
 * Rewrites `--name value` (and `-n value`) of options that take a value into `--name=value`, so
 * that a value starting with `-` is read as that value and not as an option.
 */
export function joinOptionValues(args: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const out = [...args];
  // From the end, so that indexes of earlier tokens stay valid while words are removed.
  for (const token of [...tokens].reverse()) {
    if (token.kind !== 'option' || token.inlineValue !== false || token.value === undefined) continue;
    if (options[token.name]?.type !== 'string') continue;
    out.splice(token.index, 2, `--${token.name}=${token.value}`);
  }
  return out;
}

/** Parses a command's arguments (after its name); throws UsageError with parseArgs' explanation. */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: joinOptionValues(args, options), options, strict: true, allowPositionals: true });
  } catch (error) {
    if (error instanceof TypeError && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message);
    throw error;
  }
}
