// Pipeline.check, the order preview's decision: the same path as handle up to the decision, and
// nothing after it. The checks: allowed and refused orders are decided as handle decides them
// (the token chain, a parent's spend, the price band, the actions, an unreadable policy), and a
// check writes no audit record, reserves no usage, signs nothing and sends nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecureBuffer } from '../crypto/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { TokenRow } from '../store/index.js';
import { createKeyHandle } from '../vault/index.js';
import { createPipeline, type PipelineDeps } from './pipeline.js';
import { createUsageTracker } from './usage.js';

const clock = 1_700_000_000_000;
const policy = (over: Record<string, unknown>) => JSON.stringify({
  credential: 'main', actions: ['read', 'trade', 'cancel'], symbols: null, maxOrderNotional: null, maxDailyNotional: null,
  priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null, ...over,
});
const row = (accessor: string, p: string): TokenRow => ({
  accessor, accountId: 'acct', parentAccessor: null, hash: Buffer.alloc(32), label: accessor, policy: p, createdAt: 0, expiresAt: null, usesLeft: null, revokedAt: null,
});

function fixture() {
  let chain: TokenRow[] = [row('kwa_child', policy({})), row('kwa_parent', policy({ maxDailyNotional: 1000 }))];
  const audited: unknown[] = [];
  const sent: unknown[] = [];
  const consumed: boolean[] = [];
  const usage = createUsageTracker(() => clock);
  const secret = SecureBuffer.from(Buffer.from('not-a-real-secret'), { wipeSource: true });
  const key = createKeyHandle({ apiKey: 'AK', secret, release: () => secret.release() }, { secretEncoding: 'utf8' });
  const deps: PipelineDeps = {
    adapter: adapterFor,
    upstream: () => 'http://127.0.0.1:9',
    tokens: { verify: async (t: string, o?: { consume?: boolean }) => (consumed.push(o?.consume !== false), t === 'kw_good' ? { ok: true, token: chain[0] as TokenRow, policy: null, chain } : { ok: false, code: 'KW_TOKEN_REVOKED' }) },
    credential: () => ({ id: 'c1', name: 'main', exchange: 'binance', key }),
    isLocked: () => false,
    audit: { append: async (_a, r) => { audited.push(r); return audited.length; }, appendLater: (_a, r) => { audited.push(r); } },
    anonymousAccount: '_anonymous',
    usage,
    market: { book: async () => ({ bids: [[49_990, 1]], asks: [[50_010, 1]] }) },
    nonces: { next: async (_c, floor) => floor },
    forwarder: { send: async (...a: unknown[]) => { sent.push(a); throw new Error('nothing may be sent'); }, close: async () => undefined },
    now: () => clock,
  };
  return { pipeline: createPipeline(deps), audited, sent, consumed, usage, setChain: (c: TokenRow[]) => { chain = c; } };
}

const order = (qty: string, price: string, token = 'kw_good') => ({
  method: 'POST', url: '/binance/api/v3/order', sourceIp: '127.0.0.1',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mbx-apikey': token },
  body: Buffer.from(`symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&price=${price}&quantity=${qty}&newOrderRespType=RESULT`),
});
const codeOf = (r: { allowed: boolean; body?: string }): string => (r.allowed ? 'allowed' : /KW_[A-Z_]+/.exec(r.body ?? '')?.[0] ?? 'no code');

test('a check decides as the gateway does: the chain, a parent\'s spend, the band, the actions, an unreadable policy', async () => {
  const f = fixture();
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '50000'))), 'allowed');
  f.usage.record(['kwa_parent'], 990);
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '50000'))), 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '50000', 'kw_other'))), 'KW_TOKEN_REVOKED');
  f.setChain([row('kwa_child', policy({ priceBandPercent: 1 }))]);
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '60000'))), 'KW_POLICY_PRICE_OUTSIDE_BAND');
  f.setChain([row('kwa_child', policy({ actions: ['read'] }))]);
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '50000'))), 'KW_POLICY_ACTION_DENIED');
  f.setChain([row('kwa_child', '{not json')]);
  assert.equal(codeOf(await f.pipeline.check(order('0.001', '50000'))), 'KW_POLICY_INVALID');
});

test('a check writes no audit record, reserves no usage, takes no token use, and sends nothing; handle does all of them', async () => {
  const f = fixture();
  for (let i = 0; i < 5; i++) assert.equal((await f.pipeline.check(order('0.01', '50000'))).allowed, true);
  f.setChain([row('kwa_child', policy({ actions: ['read'] }))]);
  assert.equal((await f.pipeline.check(order('0.01', '50000'))).allowed, false);
  assert.deepEqual(f.audited, []);
  assert.deepEqual(f.sent, []);
  assert.deepEqual(f.consumed, [false, false, false, false, false, false], 'no use taken from a use-limited token');
  assert.equal(f.usage.usage('kwa_child').notionalToday, 0);
  // The real path, for contrast: audited, reserved, and (here) sent to an upstream that fails.
  f.setChain([row('kwa_child', policy({}))]);
  const out = await f.pipeline.handle(order('0.01', '50000'));
  assert.equal(out.kind, 'refused');
  assert.ok(f.audited.length >= 1);
  assert.equal(f.sent.length, 1);
  assert.equal(f.usage.usage('kwa_child').notionalToday, 500);
  assert.equal(f.consumed.at(-1), true, 'the real request takes its use');
});
