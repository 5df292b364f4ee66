import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChallengeStore, PASSKEY_CHALLENGE_TTL_MS } from './index.js';

test('a challenge is given back once, then never again', () => {
  const store = createChallengeStore({ now: () => 0 });
  store.put('ticket', 'abc');
  assert.equal(store.take('ticket'), 'abc');
  assert.equal(store.take('ticket'), null);
  assert.equal(store.take('never-put'), null);
  assert.equal(store.size, 0);
});

test('a challenge expires after its time to live, and taking it then still removes it', () => {
  let now = 1_000;
  const store = createChallengeStore({ now: () => now });
  store.put('a', 'one');
  store.put('b', 'two');
  now += PASSKEY_CHALLENGE_TTL_MS - 1;
  assert.equal(store.take('a'), 'one');
  now += 1;
  assert.equal(store.take('b'), null);
  assert.equal(store.size, 0);
});

test('only the newest options under one key can be answered', () => {
  const store = createChallengeStore({ now: () => 0 });
  store.put('session-1', 'first');
  store.put('session-1', 'second');
  assert.equal(store.take('session-1'), 'second');
});

test('memory is bounded: a flood of unfinished ceremonies never grows the store past its cap', () => {
  const store = createChallengeStore({ now: () => 0, maxEntries: 100 });
  for (let i = 0; i < 1000; i++) store.put(`flood-${String(i)}`, 'junk');
  store.put('mine', 'fresh');
  assert.equal(store.size, 100);
  assert.equal(store.take('mine'), 'fresh');
  assert.equal(store.take('flood-0'), null);
});

test('keys and challenges are checked', () => {
  const store = createChallengeStore({ now: () => 0 });
  assert.throws(() => store.put('', 'x'), RangeError);
  assert.throws(() => store.put('k'.repeat(257), 'x'), RangeError);
  assert.throws(() => store.put('k', ''), TypeError);
  assert.throws(() => createChallengeStore({ now: () => 0, ttlMs: 0 }), RangeError);
});
