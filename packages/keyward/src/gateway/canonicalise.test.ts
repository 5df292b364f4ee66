// canonicalise.ts: what the gateway refuses to read before any adapter sees the request (the
// URL tricks are in test/promises/fail-closed.test.ts, through a running agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalise, connectionOptions } from './canonicalise.js';

test('a Connection header that names only connection options is read; one naming another header is refused', () => {
  for (const ok of [undefined, 'keep-alive', 'Keep-Alive', 'close', 'keep-alive, TE', 'Upgrade, HTTP2-Settings', ' keep-alive ,close ']) {
    assert.equal(canonicalise('/api/v3/account', ok).ok, true, String(ok));
  }
  for (const bad of ['content-type', 'keep-alive, X-MBX-APIKEY', 'close,x-custom']) {
    const c = canonicalise('/api/v3/account', bad);
    assert.equal(c.ok, false, bad);
    assert.match(c.ok ? '' : c.reason, /Connection header names/);
  }
});

test('connectionOptions lists the names lower-case, without close and keep-alive', () => {
  assert.deepEqual(connectionOptions('Keep-Alive, X-Foo ,,TE'), ['x-foo', 'te']);
  assert.deepEqual(connectionOptions(['close', 'x-a']), ['x-a']);
  assert.deepEqual(connectionOptions(undefined), []);
});
