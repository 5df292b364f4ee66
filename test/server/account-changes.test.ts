// Account changes through the API: a password change rewraps the user key and nothing else (the
// old password stops working, credentials still open, other sessions end); a passkey registered
// with a virtual authenticator finishes sign-in as a second factor, once per challenge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { preparePasswordChange } from '../../packages/keyward/src/client/index.js';
import { VirtualAuthenticator } from '../../packages/keyward/src/testing/index.js';
import { connectBinance, pw, signIn, signUp, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s.close(); });

test('a password change rewraps the user key; the old password fails, the new one opens the same credentials', async () => {
  const c = s.client();
  const other = s.client('198.51.100.7');
  const email = 'rotate@example.com';
  const { userKey, accountId } = await signUp(c, email);
  assert.equal((await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) })).status, 200);
  assert.equal((await connectBinance(s, c, userKey, accountId, 'main')).response.status, 201);
  assert.equal((await signIn(other, email)).status, 200);

  const body = await preparePasswordChange(pw('a brand new passphrase'), userKey, accountId);
  userKey.release();
  const changed = await c.request<{ otherSessionsEnded: number }>('PUT', '/api/v1/account/password', body);
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.otherSessionsEnded, 1);
  assert.equal((await other.get('/api/v1/session')).status, 401, 'the other session ended');

  const fresh = s.client();
  assert.equal((await signIn(fresh, email)).status, 401, 'the old password no longer signs in');
  const again = await signIn(fresh, email, undefined, 'a brand new passphrase');
  assert.equal(again.status, 200, JSON.stringify(again.body));
  // The same user key came back (signIn unlocked with it), so the credential sealed before still opens.
  const check = await fresh.get<{ credentials: { name: string }[] }>('/api/v1/credentials');
  assert.equal(check.body.credentials[0]?.name, 'main');
  const portfolio = await fresh.get<{ exchanges: { error: unknown }[] }>('/api/v1/portfolio');
  assert.equal(portfolio.status, 200, portfolio.text);
  assert.equal(portfolio.body.exchanges[0]?.error, null, portfolio.text);
});

test('a passkey registered with a virtual authenticator finishes sign-in; a replayed answer does not', async () => {
  const c = s.client();
  const email = 'passkey@example.com';
  await signUp(c, email);
  const origin = s.server.url;
  const authenticator = new VirtualAuthenticator();
  const options = await c.post<Parameters<VirtualAuthenticator['register']>[0]>('/api/v1/account/passkeys/options');
  assert.equal(options.status, 200, options.text);
  const added = await c.post<{ recoveryCodes: string[] }>('/api/v1/account/passkeys', { label: 'laptop', response: authenticator.register(options.body, origin) });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.body.recoveryCodes.length, 10, 'the first second factor comes with recovery codes');
  const factors = await c.get<{ passkeys: { label: string }[] }>('/api/v1/account/second-factors');
  assert.deepEqual(factors.body.passkeys.map((p) => p.label), ['laptop']);
  assert.equal((await c.post('/api/v1/auth/signout')).status, 204);

  let replay: unknown = null;
  const r = await signIn(c, email, async (ticket) => {
    const o = await c.post<Parameters<VirtualAuthenticator['authenticate']>[0]>('/api/v1/auth/signin/passkey-options', { ticket });
    assert.equal(o.status, 200, o.text);
    replay = authenticator.authenticate(o.body, origin);
    return { passkey: replay };
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.account !== undefined);

  // The same signed answer again: its challenge was taken, so it is refused.
  assert.equal((await c.post('/api/v1/auth/signout')).status, 204);
  const second = await signIn(c, email, () => ({ passkey: replay }));
  assert.equal(second.status, 401, JSON.stringify(second.body));
});
