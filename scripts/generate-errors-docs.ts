/**
 * `npm run docs:errors`: writes docs/errors.md from the error catalogue, so the list of codes a
 * caller can receive cannot drift from what the service answers (a test checks it is current).
 *
 * The catalogue fills as modules declaring errors are loaded, so this loads every module under
 * src/ that calls `defineErrors(` — a new catalogue is picked up without being listed anywhere.
 */
import { globSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorCatalogue, type ErrorSpec } from '../src/domain/errors.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Loads every module that declares error codes. */
export async function loadErrorCatalogue(): Promise<ReadonlyMap<string, ErrorSpec>> {
  const files = globSync('**/*.ts', { cwd: SRC }).filter((file) => !file.endsWith('.d.ts')).sort();
  for (const file of files) {
    if (readFileSync(SRC + file, 'utf8').includes('defineErrors(')) await import(pathToFileURL(SRC + file).href);
  }
  return errorCatalogue();
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function errorsMarkdown(catalogue: ReadonlyMap<string, ErrorSpec>): string {
  const families = new Map<string, Array<[string, ErrorSpec]>>();
  for (const [code, spec] of [...catalogue].sort(([a], [b]) => a.localeCompare(b))) {
    const family = code.split('.')[0]!;
    families.set(family, [...(families.get(family) ?? []), [code, spec]]);
  }
  const sections = [...families].flatMap(([family, codes]) => [
    `## ${family}`,
    '',
    '| code | HTTP status | message (en) | message (zh-CN) |',
    '|---|---|---|---|',
    ...codes.map(([code, spec]) => `| \`${code}\` | ${spec.status} | ${cell(spec.en)} | ${cell(spec.zh)} |`),
    '',
  ]);
  return [
    '# Errors',
    '',
    'Generated from the error catalogue (every `defineErrors` in `src/`) by `npm run docs:errors`; do not',
    'edit by hand. A test fails when this file is not current.',
    '',
    'Every error netid answers — on the public listener, the admin listener and the command line — has a',
    'stable code. JSON answers look like',
    '',
    '```json',
    '{ "error": "request.invalid", "message": "请求无效。", "message_en": "The request is not valid.", "detail": { "problems": "…" } }',
    '```',
    '',
    '- `error` is the stable code: program against it, never against the text.',
    '- `message` is in the caller\'s language (the person\'s choice in the `netid_lang` cookie, then',
    '  `Accept-Language`, then Simplified Chinese: the rule of every page too); `message_en` is added',
    '  when `message` is not English.',
    '- `detail`, when present, carries non-personal facts that help fix the request (a field name, a',
    '  line number, attempts left). It never echoes what was sent.',
    '- The message says what went wrong and what to do next; the HTTP status follows the table below.',
    '- Pages for people (the netid app, the console, the OpenID Connect sign-in pages) show the same',
    '  message in the page\'s language.',
    '- The OpenID Connect protocol endpoints (`/oidc/…`) answer OAuth 2.0 / OpenID Connect errors as',
    '  those standards define them (`{"error": "invalid_request", "error_description": "…"}` or an',
    '  error redirect to the app); netid\'s own steps inside a sign-in use the codes below.',
    '',
    ...sections,
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(fileURLToPath(new URL('../docs/errors.md', import.meta.url)), errorsMarkdown(await loadErrorCatalogue()));
}
