// The whole flow of issue "the multi-user server" through the JSON API alone, on SQLite and on
// PostgreSQL: sign up, enrol TOTP, sign in with it, connect a sandbox key, see balances, place and
// cancel an order, issue a token, use it with ccxt through the gateway, find it in that token's
// access log, revoke it, break-glass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessPostgres } from '../../packages/keyward/src/testing/index.js';
import { binanceBot, connectBinance, freshPostgres, signIn, signUp, startTestServer, totpNow, type TestServer } from '../helpers/server.js';

async function flow(s: TestServer): Promise<void> {
  const email = `trader-${String(Date.now())}@example.com`;
  const c = s.client();

  // Pre-login does not tell who has an account: the same shape, and the same answer twice.
  const unknown1 = await c.post('/api/v1/auth/prelogin', { email: 'nobody@example.com' });
  const unknown2 = await c.post('/api/v1/auth/prelogin', { email: 'nobody@example.com' });
  assert.deepEqual(unknown1.body, unknown2.body);
  assert.deepEqual(Object.keys(unknown1.body).sort(), ['accountId', 'kdf', 'salt']);

  const { userKey, accountId } = await signUp(c, email);
  assert.equal((await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) })).status, 200);

  // Enrol TOTP (the session is fresh right after sign-up).
  const enrol = await c.post<{ otpauthUri: string; qrSvg: string }>('/api/v1/account/totp');
  assert.equal(enrol.status, 200, enrol.text);
  assert.match(enrol.body.qrSvg, /<svg/);
  const confirm = await c.post<{ recoveryCodes: string[] }>('/api/v1/account/totp/confirm', { code: totpNow(enrol.body.otpauthUri, s.clock.now()) });
  assert.equal(confirm.status, 200, confirm.text);
  assert.equal(confirm.body.recoveryCodes.length, 10);

  // Sign out, then in again: the password alone gives a ticket, the TOTP code a session.
  assert.equal((await c.post('/api/v1/auth/signout')).status, 204);
  assert.equal((await c.get('/api/v1/session')).status, 401);
  s.clock.advance(30_000);
  const signedIn = await signIn(c, email, () => ({ totp: totpNow(enrol.body.otpauthUri, s.clock.now()) }));
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));

  // Connect a sandbox key: checked with the exchange, kept, warned about its missing IP restriction.
  const connected = await connectBinance(s, c, userKey, accountId, 'main');
  assert.equal(connected.response.status, 201, connected.response.text);
  const check = connected.response.body.check as { ok: boolean; warnings: string[] };
  assert.equal(check.ok, true);
  assert.ok(check.warnings.some((w) => w.includes('127.0.0.1')), JSON.stringify(check.warnings));

  // Balances, then an order placed and cancelled through the same gateway path as a bot's.
  const portfolio = await c.get<{ total: unknown; exchanges: { balances: { asset: string }[] }[] }>('/api/v1/portfolio');
  assert.equal(portfolio.status, 200, portfolio.text);
  assert.ok(portfolio.body.exchanges[0]?.balances.some((b) => b.asset === 'USDT'), portfolio.text);
  const ticker = await c.get<{ bid: string; ask: string }>('/api/v1/markets/binance/BTC%2FUSDT/ticker');
  assert.equal(ticker.status, 200, ticker.text);
  const price = (Number(ticker.body.bid) * 0.95).toFixed(2);
  const order = await c.post<{ id: string; status: string }>('/api/v1/orders', { credential: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price });
  assert.equal(order.status, 201, order.text);
  const open = await c.get<{ orders: { id: string }[] }>('/api/v1/orders/open?credential=main');
  assert.ok(open.body.orders.some((o) => o.id === order.body.id), open.text);
  const cancelled = await c.request('DELETE', `/api/v1/orders/main/${encodeURIComponent(order.body.id)}?symbol=BTC%2FUSDT`);
  assert.equal(cancelled.status, 200, cancelled.text);

  // A token for a bot, used by ccxt through the gateway, then found in that token's access log.
  const policy = { credential: 'main', actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null };
  const issued = await c.post<{ token: string; accessor: string }>('/api/v1/tokens', { label: 'my bot', policy });
  assert.equal(issued.status, 201, issued.text);
  const bot = binanceBot(issued.body.token, s.server.gatewayUrl);
  const balance = await bot.fetchBalance() as unknown as { total: Record<string, number> };
  assert.ok('USDT' in balance.total);
  const log = await c.get<{ records: { decision: string; path: string; outcome: { status: number } | null }[] }>(`/api/v1/tokens/${issued.body.accessor}/access-log`);
  assert.equal(log.status, 200, log.text);
  assert.ok(log.body.records.some((r) => r.decision === 'allow' && r.path === '/api/v3/account'), log.text);

  // Revoked: the next request is refused.
  assert.equal((await c.request('DELETE', `/api/v1/tokens/${issued.body.accessor}`)).status, 200);
  await assert.rejects(bot.fetchBalance());

  // Break-glass: every token revoked, every key wiped, every session ended.
  const second = await c.post<{ token: string }>('/api/v1/tokens', { label: 'another', policy });
  assert.equal(second.status, 201);
  const glass = await c.post<{ tokensRevoked: number; sessionsEnded: number }>('/api/v1/account/break-glass', { confirm: 'BREAK GLASS' });
  assert.equal(glass.status, 200, glass.text);
  assert.ok(glass.body.tokensRevoked >= 1);
  assert.equal((await c.get('/api/v1/session')).status, 401);
  assert.equal(s.server.openKeyHandles(), 0);
  const bot2 = binanceBot(second.body.token, s.server.gatewayUrl);
  await assert.rejects(bot2.fetchBalance());

  // Notifications reached the inbox and the mailbox.
  await s.server.flushNotifications();
  assert.ok(s.smtp.mails.some((m) => m.to.includes(email) && /break-glass/i.test(m.raw)), `mails: ${String(s.smtp.mails.length)}`);
  userKey.release();
}

test('the whole flow through the API, on SQLite', async () => {
  const s = await startTestServer();
  try {
    await flow(s);
  } finally {
    await s.close();
  }
});

const skip = await skipUnlessPostgres('the API flow on PostgreSQL');

test('the whole flow through the API, on PostgreSQL', { skip }, async () => {
  const db = await freshPostgres();
  const s = await startTestServer({ db: db.url });
  try {
    await flow(s);
  } finally {
    await s.close();
    await db.drop();
  }
});
