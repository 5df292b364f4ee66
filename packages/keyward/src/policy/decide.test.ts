import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE } from '@keyward/protocol/errors';
import type { Policy } from '@keyward/protocol/policy';
import type { Classification } from '../exchanges/index.js';
import { decide, decideChain, orderNotional, type ClassifiedRequest, type DecideInput, type Decision, type OrderFacts, type PolicyCode } from './decide.js';

// The gateway hands exchanges' Classification straight to decide(): keep the shapes compatible.
const _compatible: (c: Classification) => ClassifiedRequest = (c) => c;

const NOW = Date.UTC(2025, 0, 1, 12);
const POLICY = Object.freeze<Policy>({
  credential: 'binance-main', actions: ['read', 'trade', 'cancel'], symbols: ['BTCUSDT', 'ILLQUSDT'],
  maxOrderNotional: 1000, maxDailyNotional: 5000, priceBandPercent: 5, ordersPerMinute: 10,
  sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'], expiresAt: NOW + 3_600_000,
});
const OPEN = Object.freeze<Policy>({
  credential: 'binance-main', actions: ['read', 'trade', 'cancel'], symbols: null, maxOrderNotional: null,
  maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

function order(o: Partial<OrderFacts> & Pick<OrderFacts, 'side'>): ClassifiedRequest {
  const full: OrderFacts = { symbol: 'BTCUSDT', type: 'limit', quantity: null, price: null, quoteQuantity: null, notional: null, ...o };
  return { action: 'trade', endpoint: 'POST /api/v3/order', isPublic: false, symbol: full.symbol, order: full };
}
function limit(side: 'buy' | 'sell', quantity: string, price: string, symbol = 'BTCUSDT'): ClassifiedRequest {
  return order({ side, symbol, quantity, price, notional: Number(quantity) * Number(price) });
}
function marketQuote(side: 'buy' | 'sell', quote: string, symbol = 'BTCUSDT'): ClassifiedRequest {
  return order({ side, symbol, type: 'market', quoteQuantity: quote, notional: Number(quote) });
}
function request(action: ClassifiedRequest['action'], symbol: string | null = null, isPublic = false): ClassifiedRequest {
  return { action, endpoint: `GET /x/${action}`, isPublic, symbol, order: null };
}

function input(request: ClassifiedRequest, o: Partial<DecideInput> = {}): DecideInput {
  return {
    request, policy: POLICY, usage: { notionalToday: 0, ordersLastMinute: 0 },
    market: { referencePrice: 100, depth: 10_000 }, now: NOW, sourceIp: '10.1.2.3', ...o,
  };
}

const seen = new Set<PolicyCode>();
function refused(d: Decision, code: PolicyCode, why?: string): void {
  assert.equal(d.allow ? 'allowed' : d.code, code, why);
  if (!d.allow) assert.ok(d.message.length > 0);
  seen.add(code);
}
function allowed(d: Decision, why?: string): void {
  assert.deepEqual(d, { allow: true }, why);
}

test('withdraw and transfer are refused before the policy is read, even an invalid one', () => {
  for (const action of ['withdraw', 'transfer'] as const) {
    refused(decide(input(request(action))), 'KW_POLICY_VALUE_EXIT');
    refused(decide(input(request(action), { policy: { ...OPEN, actions: ['withdraw', 'transfer'] } as unknown as Policy })), 'KW_POLICY_VALUE_EXIT');
    refused(decide(input(request(action), { policy: null as unknown as Policy })), 'KW_POLICY_VALUE_EXIT');
  }
});

test('unknown requests, and anything not read/trade/cancel, are refused', () => {
  refused(decide(input(request('unknown'), { policy: OPEN })), 'KW_POLICY_UNKNOWN_REQUEST');
  refused(decide(input(request('admin' as 'read'), { policy: OPEN })), 'KW_POLICY_UNKNOWN_REQUEST');
  refused(decide(input({ ...request('trade'), order: null }, { policy: OPEN })), 'KW_POLICY_UNKNOWN_REQUEST');
  refused(decide(input(order({ side: 'hold' as 'buy', quoteQuantity: '5', notional: 5 }), { policy: OPEN })), 'KW_POLICY_UNKNOWN_REQUEST');
});

test('a policy that does not validate allows nothing', () => {
  refused(decide(input(request('read'), { policy: { ...POLICY, actions: ['read', 'withdraw'] } as unknown as Policy })), 'KW_POLICY_INVALID');
  refused(decide(input(request('read'), { policy: { ...POLICY, maxDailyNotional: Number.NaN } })), 'KW_POLICY_INVALID');
  refused(decide(input(request('read'), { policy: { ...POLICY, extra: 1 } as unknown as Policy })), 'KW_POLICY_INVALID');
  refused(decideChain({ request: request('read'), market: null, now: NOW, sourceIp: '10.1.2.3' }, []), 'KW_POLICY_INVALID');
});

test('expiry: refused at and after expiresAt, and when the time is not a number', () => {
  allowed(decide(input(request('read'), { now: NOW + 3_599_999 })));
  refused(decide(input(request('read'), { now: NOW + 3_600_000 })), 'KW_POLICY_EXPIRED');
  refused(decide(input(request('read'), { now: Number.NaN })), 'KW_POLICY_EXPIRED');
  allowed(decide(input(request('read'), { policy: OPEN, now: Number.MAX_SAFE_INTEGER })));
});

test('source address: v4, v6, mapped v4; anything unreadable is refused', () => {
  allowed(decide(input(request('read'), { sourceIp: '10.255.0.1' })));
  allowed(decide(input(request('read'), { sourceIp: '::ffff:10.0.0.1' })));
  allowed(decide(input(request('read'), { sourceIp: '2001:db8::42' })));
  refused(decide(input(request('read'), { sourceIp: '11.0.0.1' })), 'KW_POLICY_SOURCE_DENIED');
  refused(decide(input(request('read'), { sourceIp: '2001:db9::1' })), 'KW_POLICY_SOURCE_DENIED');
  refused(decide(input(request('read'), { sourceIp: 'unknown' })), 'KW_POLICY_SOURCE_DENIED');
  refused(decide(input(request('read'), { sourceIp: undefined as unknown as string })), 'KW_POLICY_SOURCE_DENIED');
  allowed(decide(input(request('read'), { policy: OPEN, sourceIp: 'unknown' })));
});

test('actions: only the ones granted; public market data needs no grant', () => {
  const tradeOnly: Policy = { ...POLICY, actions: ['trade'] };
  refused(decide(input(request('read', 'BTCUSDT'), { policy: tradeOnly })), 'KW_POLICY_ACTION_DENIED');
  refused(decide(input(request('cancel', 'BTCUSDT'), { policy: tradeOnly })), 'KW_POLICY_ACTION_DENIED');
  refused(decide(input(limit('buy', '1', '100'), { policy: { ...POLICY, actions: ['read', 'cancel'] } })), 'KW_POLICY_ACTION_DENIED');
  allowed(decide(input(request('read', 'BTCUSDT', true), { policy: { ...POLICY, actions: [] } })));
  allowed(decide(input(limit('buy', '1', '100'), { policy: tradeOnly })));
  // Public reads still need a live token from an allowed address.
  refused(decide(input(request('read', null, true), { sourceIp: '11.0.0.1' })), 'KW_POLICY_SOURCE_DENIED');
});

test('symbols: trades, cancels and reads that name one obey the list', () => {
  refused(decide(input(limit('buy', '1', '100', 'ETHUSDT'))), 'KW_POLICY_SYMBOL_DENIED');
  refused(decide(input(request('read', 'ETHUSDT'))), 'KW_POLICY_SYMBOL_DENIED');
  refused(decide(input(request('cancel', 'ETHUSDT'))), 'KW_POLICY_SYMBOL_DENIED');
  refused(decide(input(request('read', 'btcusdt'))), 'KW_POLICY_SYMBOL_DENIED');
  refused(decide(input(request('cancel', null))), 'KW_POLICY_SYMBOL_DENIED');
  refused(decide(input({ ...limit('buy', '1', '100', 'ETHUSDT'), symbol: 'BTCUSDT' })), 'KW_POLICY_SYMBOL_DENIED', 'the order and the request disagree');
  allowed(decide(input(request('read', null))));
  allowed(decide(input(request('read', 'BTCUSDT'))));
  allowed(decide(input(request('cancel', 'ILLQUSDT'))));
  allowed(decide(input(request('cancel', null), { policy: OPEN })));
  allowed(decide(input(request('read', 'ETHUSDT', true))));
});

test('rate: orders in the last minute, the new one included', () => {
  allowed(decide(input(limit('buy', '1', '100'), { usage: { notionalToday: 0, ordersLastMinute: 9 } })));
  refused(decide(input(limit('buy', '1', '100'), { usage: { notionalToday: 0, ordersLastMinute: 10 } })), 'KW_POLICY_RATE_EXCEEDED');
  refused(decide(input(limit('buy', '1', '100'), { usage: { notionalToday: 0, ordersLastMinute: Number.NaN } })), 'KW_POLICY_RATE_EXCEEDED');
  refused(decide(input(limit('buy', '1', '100'), { usage: { notionalToday: 0, ordersLastMinute: -5 } })), 'KW_POLICY_RATE_EXCEEDED');
  allowed(decide(input(request('cancel', 'BTCUSDT'), { usage: { notionalToday: 0, ordersLastMinute: 99 } })));
});

test('notional that cannot be known is refused where a cap or band applies', () => {
  const marketByBase = order({ side: 'sell', type: 'market', quantity: '2' });
  refused(decide(input(marketByBase)), 'KW_POLICY_NOTIONAL_UNKNOWN');
  refused(decide(input(marketByBase, { policy: { ...OPEN, priceBandPercent: 5 } })), 'KW_POLICY_NOTIONAL_UNKNOWN');
  refused(decide(input(marketByBase, { policy: { ...OPEN, maxDailyNotional: 1e9 } })), 'KW_POLICY_NOTIONAL_UNKNOWN');
  refused(decide(input(order({ side: 'buy', price: '100' }), { policy: { ...OPEN, maxOrderNotional: 1e9 } })), 'KW_POLICY_NOTIONAL_UNKNOWN');
  allowed(decide(input(marketByBase, { policy: OPEN })));
  allowed(decide(input(order({ side: 'buy', price: '100' }), { policy: { ...OPEN, priceBandPercent: 5 } })));
});

test('per-order notional: at the cap is allowed, above is refused, and the adapter cannot understate it', () => {
  allowed(decide(input(limit('buy', '10', '100'))));
  refused(decide(input(limit('buy', '10.0001', '100'))), 'KW_POLICY_NOTIONAL_EXCEEDED');
  refused(decide(input(marketQuote('buy', '1000.5'))), 'KW_POLICY_NOTIONAL_EXCEEDED');
  refused(decide(input(order({ side: 'buy', quantity: '20', price: '100', notional: 1 }))), 'KW_POLICY_NOTIONAL_EXCEEDED');
  refused(decide(input(order({ side: 'buy', quantity: '1', price: '100', notional: 5000 }))), 'KW_POLICY_NOTIONAL_EXCEEDED');
});

test('orderNotional: the larger of the adapter\'s figure and the strings\' own', () => {
  assert.equal(orderNotional({ ...limit('buy', '20', '100').order as OrderFacts, notional: 1 }), 2000);
  assert.equal(orderNotional({ ...limit('buy', '1', '100').order as OrderFacts, notional: 5000 }), 5000);
  assert.equal(orderNotional({ ...marketQuote('buy', '250').order as OrderFacts, notional: null }), 250);
  assert.equal(orderNotional({ ...marketQuote('buy', '250').order as OrderFacts, quoteQuantity: '1e3', notional: null }), null);
  assert.equal(orderNotional({ ...limit('buy', '1', '100').order as OrderFacts, notional: Number.NaN }), 100);
});

test('daily notional: what was spent today plus this order', () => {
  allowed(decide(input(limit('buy', '5', '100'), { usage: { notionalToday: 4500, ordersLastMinute: 0 } })));
  refused(decide(input(limit('buy', '6', '100'), { usage: { notionalToday: 4500, ordersLastMinute: 0 } })), 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
  refused(decide(input(limit('sell', '1', '100'), { usage: { notionalToday: Number.NaN, ordersLastMinute: 0 } })), 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
  refused(decide(input(limit('sell', '1', '100'), { usage: { notionalToday: -1e6, ordersLastMinute: 0 } })), 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
});

test('no reference price under a band: refused (fail closed)', () => {
  refused(decide(input(limit('buy', '1', '100'), { market: null })), 'KW_POLICY_NO_REFERENCE_PRICE');
  refused(decide(input(limit('buy', '1', '100'), { market: { referencePrice: null, depth: 1e6 } })), 'KW_POLICY_NO_REFERENCE_PRICE');
  refused(decide(input(limit('buy', '1', '100'), { market: { referencePrice: 0, depth: 1e6 } })), 'KW_POLICY_NO_REFERENCE_PRICE');
  refused(decide(input(marketQuote('buy', '10'), { market: { referencePrice: Number.NaN, depth: 1e6 } })), 'KW_POLICY_NO_REFERENCE_PRICE');
  allowed(decide(input(limit('buy', '1', '100'), { market: null, policy: { ...POLICY, priceBandPercent: null } })));
});

test('price band: a buy above or a sell below is refused; the other directions only rest on the book', () => {
  allowed(decide(input(limit('buy', '1', '105'))));
  refused(decide(input(limit('buy', '1', '105.01'))), 'KW_POLICY_PRICE_OUTSIDE_BAND');
  allowed(decide(input(limit('sell', '1', '95'))));
  refused(decide(input(limit('sell', '1', '94.99'))), 'KW_POLICY_PRICE_OUTSIDE_BAND');
  allowed(decide(input(limit('buy', '1', '10'))), 'a buy far below the market waits for a seller');
  allowed(decide(input(limit('sell', '1', '900'))), 'a sell far above the market waits for a buyer');
  for (const price of ['1e2', '-100', ' 100', '0x64', '100,5', '', 'NaN', 'Infinity']) {
    refused(decide(input(order({ side: 'buy', quantity: '1', price, notional: 100 }))), 'KW_POLICY_PRICE_OUTSIDE_BAND');
  }
});

test('market orders need depth within the band at least equal to their notional', () => {
  allowed(decide(input(marketQuote('buy', '500'), { market: { referencePrice: 100, depth: 500 } })));
  refused(decide(input(marketQuote('buy', '500'), { market: { referencePrice: 100, depth: 499.99 } })), 'KW_POLICY_BOOK_TOO_THIN');
  refused(decide(input(marketQuote('sell', '500'), { market: { referencePrice: 100, depth: null } })), 'KW_POLICY_BOOK_TOO_THIN');
  // A "market" type executes at market whatever price it carries.
  refused(decide(input(order({ side: 'buy', type: 'stop_market', quantity: '1', price: '100', notional: 100 }),
    { market: { referencePrice: 100, depth: 50 } })), 'KW_POLICY_BOOK_TOO_THIN');
  allowed(decide(input(marketQuote('buy', '500'), { policy: { ...POLICY, priceBandPercent: null }, market: null })));
});

// The 2022 leak: attackers held trade-only keys, and drained accounts by having them buy an
// illiquid coin far above its price from the attackers' own sell orders.
const TRADE_ONLY = Object.freeze<Policy>({ ...POLICY, actions: ['trade'], symbols: null, sourceCidrs: null, expiresAt: null });

test('2022 leak: a trade-only token buying an illiquid coin at ten times its price is refused by the band', () => {
  const market = { referencePrice: 0.02, depth: 40 };
  refused(decide(input(limit('buy', '4000', '0.2', 'ILLQUSDT'), { policy: TRADE_ONLY, market })), 'KW_POLICY_PRICE_OUTSIDE_BAND');
  refused(decide(input(marketQuote('buy', '800', 'ILLQUSDT'), { policy: TRADE_ONLY, market })), 'KW_POLICY_BOOK_TOO_THIN');
  refused(decide(input(order({ side: 'buy', symbol: 'ILLQUSDT', type: 'market', quantity: '40000' }), { policy: TRADE_ONLY, market })), 'KW_POLICY_NOTIONAL_UNKNOWN');
  refused(decide(input(request('withdraw'), { policy: TRADE_ONLY })), 'KW_POLICY_VALUE_EXIT');
  allowed(decide(input(limit('buy', '4000', '0.0205', 'ILLQUSDT'), { policy: TRADE_ONLY, market })));
});

/** The gateway's side, reduced: record what was allowed, count the last 60 s and the day. */
function simulate(policy: Policy, orders: readonly { at: number; request: ClassifiedRequest }[]): { allowed: number; codes: PolicyCode[] } {
  const placed: { at: number; notional: number }[] = [];
  const codes: PolicyCode[] = [];
  for (const { at, request: r } of orders) {
    const usage = {
      notionalToday: placed.reduce((s, p) => s + p.notional, 0),
      ordersLastMinute: placed.filter((p) => p.at > at - 60_000).length,
    };
    const d = decide({ request: r, policy, usage, market: { referencePrice: 0.02, depth: 1e6 }, now: at, sourceIp: '203.0.113.9' });
    if (d.allow) placed.push({ at, notional: r.order?.notional ?? 0 });
    else codes.push(d.code);
  }
  return { allowed: placed.length, codes };
}

test('2022 leak: many small orders under the per-order cap are stopped by the rate limit and the daily cap', () => {
  // 200 orders of 500 in one minute, each under the 1,000 cap and inside the band.
  const burst = simulate(TRADE_ONLY, Array.from({ length: 200 }, (_, i) => ({ at: NOW + i * 100, request: limit('buy', '25000', '0.02', 'ILLQUSDT') })));
  assert.equal(burst.allowed, 10);
  assert.ok(burst.codes.every((c) => c === 'KW_POLICY_RATE_EXCEEDED'));
  // The same orders paced under the rate limit: the daily cap stops them at 5,000.
  const paced = simulate(TRADE_ONLY, Array.from({ length: 200 }, (_, i) => ({ at: NOW + i * 7_000, request: limit('buy', '25000', '0.02', 'ILLQUSDT') })));
  assert.equal(paced.allowed, 10);
  assert.ok(paced.codes.every((c) => c === 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED'));
  seen.add('KW_POLICY_RATE_EXCEEDED').add('KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
});

test('decideChain: an ancestor\'s caps bound its whole subtree', () => {
  const parent: Policy = { ...OPEN, maxDailyNotional: 1000 };
  const child: Policy = { ...OPEN, maxDailyNotional: 1000 };
  const rest = { market: null, now: NOW, sourceIp: '10.0.0.1' };
  // Sibling A already spent 800 today; sibling B's own count is 0, its parent's subtree count 800.
  const d = decideChain({ ...rest, request: limit('buy', '8', '100') }, [
    { policy: child, usage: { notionalToday: 0, ordersLastMinute: 0 } },
    { policy: parent, usage: { notionalToday: 800, ordersLastMinute: 1 } },
  ]);
  refused(d, 'KW_POLICY_DAILY_NOTIONAL_EXCEEDED');
  allowed(decideChain({ ...rest, request: limit('buy', '2', '100') }, [
    { policy: child, usage: { notionalToday: 0, ordersLastMinute: 0 } },
    { policy: parent, usage: { notionalToday: 800, ordersLastMinute: 1 } },
  ]));
});

test('every KW_POLICY_* code in the catalogue is produced by a test above', () => {
  const catalogued = Object.keys(ERROR_CATALOGUE).filter((c) => c.startsWith('KW_POLICY_')).sort();
  assert.deepEqual([...seen].sort(), catalogued);
});
