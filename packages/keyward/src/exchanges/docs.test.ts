// docs/exchanges.md has a section for every registered adapter, and names no adapter that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXCHANGES } from '@keyward/protocol/exchange-ids';
import { ADAPTERS } from './registry.js';

test('every exchange in protocol has an adapter, and docs/exchanges.md a section for it', () => {
  const doc = readFileSync(new URL('../../../../docs/exchanges.md', import.meta.url), 'utf8');
  const sections = [...doc.matchAll(/^## .+ \(`([a-z-]+)`\)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(ADAPTERS.map((a) => a.id).sort(), EXCHANGES.map((e) => e.id).sort());
  assert.deepEqual(sections, ADAPTERS.map((a) => a.id).sort());
});
