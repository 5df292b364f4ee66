import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, request } from './http.js';

function answering(status: number, body: unknown, seen: { method?: string; headers?: Record<string, string> }[]): typeof fetch {
  return (async (_url: string, init?: RequestInit) => {
    seen.push({ method: init?.method ?? 'GET', headers: init?.headers as Record<string, string> });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });
  }) as typeof fetch;
}

test('PATCH is a method like the others: sent as such, with the CSRF token of the last answer', async (t) => {
  const seen: { method?: string; headers?: Record<string, string> }[] = [];
  const real = globalThis.fetch;
  t.after(() => { globalThis.fetch = real; });
  globalThis.fetch = answering(200, { csrfToken: 'c'.repeat(43) }, seen);
  await request('GET', '/session');
  await request('PATCH', '/tokens/abc', { policy: {} });
  assert.equal(seen[1]?.method, 'PATCH');
  assert.equal(seen[1]?.headers?.['x-csrf-token'], 'c'.repeat(43));
});

test('a problem\'s own members (RFC 9457 extensions) are kept apart from the standard ones', async (t) => {
  const real = globalThis.fetch;
  t.after(() => { globalThis.fetch = real; });
  globalThis.fetch = answering(422, {
    type: 'about:blank', title: 'Credential refused', status: 422, code: 'KW_CREDENTIAL_REFUSED', detail: 'can withdraw', permissions: { withdraw: true },
  }, []);
  const e = await request('POST', '/credentials', {}).then(() => null, (x: unknown) => x);
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 'KW_CREDENTIAL_REFUSED');
  assert.equal(e.detail, 'can withdraw');
  assert.deepEqual(e.extras, { permissions: { withdraw: true } });
});
