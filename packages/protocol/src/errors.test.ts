// docs/errors.md and the catalogue must list the same codes (fastify's errors.test.js habit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, KeywardError } from './errors.js';

test('docs/errors.md documents exactly the codes in the catalogue', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^### `(KW_[A-Z0-9_]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(ERROR_CATALOGUE).sort());
});

test('codes follow KW_<AREA>_<WHAT> and every error renders its own title and hint', () => {
  for (const code of Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[]) {
    assert.match(code, /^KW_[A-Z0-9]+_[A-Z0-9_]+$/);
    const e = new KeywardError(code);
    assert.equal(e.message, ERROR_CATALOGUE[code].title);
    assert.ok(e.status >= 400 && e.status < 600);
  }
});
