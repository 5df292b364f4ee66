// Each way in that must stay shut, refused with a clear problem+json: a withdraw-enabled key at
// connect time, a replayed TOTP code, an expired session, a missing or wrong CSRF token, a session
// from an address off the allowlist, a body too large, an unknown route, bad JSON.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBinance, signIn, signUp, startTestServer, totpNow, type TestServer } from '../helpers/server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ extraConfig: { trustProxy: true } });
});
after(async () => {
  await s.close();
});

const isProblem = (r: { status: number; headers: Headers; body: Record<string, unknown> }, status: number, code: string): void => {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(r.body.code, code);
  assert.equal(r.body.type, `https://keyward.dev/errors/${code}`);
  assert.equal(typeof r.body.title, 'string');
};

test('a key that can withdraw is refused at connect time, removed, and the owner is told', async () => {
  const c = s.client();
  const { userKey, accountId } = await signUp(c, 'withdrawer@example.com');
  await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) });
  const { response } = await connectBinance(s, c, userKey, accountId, 'risky', ['read', 'trade', 'withdraw']);
  isProblem(response, 422, 'KW_CREDENTIAL_REFUSED');
  assert.match(String(response.body.detail), /withdraw/);
  const list = await c.get<{ credentials: unknown[] }>('/api/v1/credentials');
  assert.equal(list.body.credentials.length, 0);
  const inbox = await c.get<{ notifications: { kind: string }[] }>('/api/v1/notifications');
  assert.ok(inbox.body.notifications.some((n) => n.kind === 'credential-refused'));
  userKey.release();
});

test('a TOTP code is accepted once: the same code replayed is refused', async () => {
  const c = s.client();
  const email = 'replay@example.com';
  await signUp(c, email);
  const enrol = await c.post<{ otpauthUri: string }>('/api/v1/account/totp');
  const code = totpNow(enrol.body.otpauthUri, s.clock.now());
  assert.equal((await c.post('/api/v1/account/totp/confirm', { code })).status, 200);
  await c.post('/api/v1/auth/signout');
  s.clock.advance(30_000);
  const fresh = totpNow(enrol.body.otpauthUri, s.clock.now());
  const first = await signIn(c, email, () => ({ totp: fresh }));
  assert.equal(first.status, 200);
  await c.post('/api/v1/auth/signout');
  const again = await signIn(c, email, () => ({ totp: fresh }));
  assert.equal(again.status, 401);
  assert.equal(again.body.code, 'KW_SECOND_FACTOR_INVALID');
});

test('an idle session and a session past its absolute end are refused', async () => {
  const c = s.client();
  await signUp(c, 'idle@example.com');
  assert.equal((await c.get('/api/v1/session')).status, 200);
  s.clock.advance(31 * 60_000);
  isProblem(await c.get('/api/v1/session'), 401, 'KW_SESSION_EXPIRED');

  const d = s.client();
  await signUp(d, 'longday@example.com');
  for (let i = 0; i < 26; i++) {
    s.clock.advance(29 * 60_000);
    if ((await d.get('/api/v1/session')).status !== 200) break;
  }
  isProblem(await d.get('/api/v1/session'), 401, 'KW_SESSION_EXPIRED');
});

test('a write without the CSRF token, or with another session\'s, is refused', async () => {
  const c = s.client();
  await signUp(c, 'csrf@example.com');
  const other = s.client();
  await signUp(other, 'csrf-other@example.com');
  isProblem(await c.request('POST', '/api/v1/notifications/read', { ids: 'all' }, { csrf: null }), 403, 'KW_CSRF_INVALID');
  isProblem(await c.request('POST', '/api/v1/notifications/read', { ids: 'all' }, { csrf: other.csrf }), 403, 'KW_CSRF_INVALID');
  assert.equal((await c.post('/api/v1/notifications/read', { ids: 'all' })).status, 200);
});

test('with an IP allowlist, the session is refused from any other address', async () => {
  const home = s.client('203.0.113.7');
  await signUp(home, 'allow@example.com');
  const set = await home.request('PUT', '/api/v1/account/ip-allowlist', { cidrs: ['203.0.113.0/24'] });
  assert.equal(set.status, 200, set.text);
  // The same cookies from elsewhere.
  const thief = s.client('198.51.100.9');
  for (const [k, v] of home.cookies) thief.cookies.set(k, v);
  thief.csrf = home.csrf;
  isProblem(await thief.get('/api/v1/session'), 403, 'KW_ADDRESS_NOT_ALLOWED');
  assert.equal((await home.get('/api/v1/session')).status, 200);
});

test('an allowlist that would lock the owner out is refused', async () => {
  const c = s.client('203.0.113.8');
  await signUp(c, 'lockout@example.com');
  isProblem(await c.request('PUT', '/api/v1/account/ip-allowlist', { cidrs: ['10.0.0.0/8'] }), 400, 'KW_INPUT_INVALID');
});

test('HTTP-level refusals are problems too: unknown route, bad JSON, body too large, invalid fields', async () => {
  const c = s.client();
  isProblem(await c.get('/api/v1/nothing-here'), 404, 'KW_NOT_FOUND');
  const bad = await fetch(`${s.server.url}/api/v1/auth/prelogin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json() as { code: string }).code, 'KW_INPUT_INVALID');
  const big = await fetch(`${s.server.url}/api/v1/auth/prelogin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x'.repeat(200_000) }) });
  assert.equal(big.status, 413);
  assert.equal((await big.json() as { code: string }).code, 'KW_BODY_TOO_LARGE');
  const invalid = await c.post('/api/v1/auth/prelogin', { email: 'not an address' });
  isProblem(invalid, 400, 'KW_INPUT_INVALID');
  assert.ok(Array.isArray(invalid.body.errors));
});

test('sensitive changes need a fresh password confirmation', async () => {
  const c = s.client();
  await signUp(c, 'fresh@example.com');
  s.clock.advance(6 * 60_000);
  isProblem(await c.post('/api/v1/account/totp'), 403, 'KW_REAUTH_REQUIRED');
  isProblem(await c.request('PUT', '/api/v1/account/ip-allowlist', { cidrs: null }), 403, 'KW_REAUTH_REQUIRED');
});

test('the OpenAPI description lists every route with its access level', async () => {
  const r = await s.client().get<{ openapi: string; paths: Record<string, Record<string, { 'x-keyward-access': string }>> }>('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.body.openapi, '3.1.0');
  assert.equal(r.body.paths['/api/v1/auth/signin']?.post?.['x-keyward-access'], 'none');
  assert.equal(r.body.paths['/api/v1/account/break-glass']?.post?.['x-keyward-access'], 'session');
  assert.equal(r.body.paths['/api/v1/tokens/{accessor}']?.delete?.['x-keyward-access'], 'session');
});
