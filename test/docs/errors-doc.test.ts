import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorsMarkdown, loadErrorCatalogue } from '../../scripts/generate-errors-docs.ts';

describe('docs/errors.md', () => {
  it('is current with the error catalogue (run npm run docs:errors after adding a code)', async () => {
    assert.equal(readFileSync('docs/errors.md', 'utf8'), errorsMarkdown(await loadErrorCatalogue()));
  });

  it('gives every code a status and a message in both languages', async () => {
    for (const [code, spec] of await loadErrorCatalogue()) {
      assert.match(code, /^[a-z_]+\.[a-z0-9_.]+$/, code);
      assert.ok(spec.status >= 400 && spec.status < 600, code);
      assert.ok(spec.en.trim().length > 0 && spec.zh.trim().length > 0, code);
    }
  });
});
