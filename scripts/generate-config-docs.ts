/**
 * `npm run docs:config`: writes docs/configuration.md from the configuration schema, so the
 * documentation cannot drift from what the service accepts (a test checks it is current).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.ts';

export function configurationMarkdown(): string {
  const rows = Object.entries(configSchema.shape).map(([key, schema]) => {
    const json = schema.toJSONSchema({ io: 'input', unrepresentable: 'any' }) as { default?: unknown; enum?: unknown[]; anyOf?: Array<{ enum?: unknown[]; type?: string }>; type?: string };
    const def = json.default === undefined ? '—' : `\`${String(json.default)}\``;
    const values = json.enum ? json.enum.map((v) => `\`${String(v)}\``).join(', ') : json.type ?? (json.anyOf ? json.anyOf.map((a) => a.type ?? a.enum?.join('/')).join(' or ') : '');
    return `| \`${key}\` | ${def} | ${values} | ${(schema.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    'Generated from `src/config/schema.ts` by `npm run docs:config`; do not edit by hand.',
    '',
    'netid reads environment variables, and optionally a JSON file named by `NETID_CONFIG_FILE` (the',
    'environment wins). A bad value stops the start with a message naming the key and the problem.',
    'With `NODE_ENV=production` the service refuses unsafe defaults: the development master key, an',
    'http issuer, and demo data.',
    '',
    '| key | default | values | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(fileURLToPath(new URL('../docs/configuration.md', import.meta.url)), configurationMarkdown());
}
