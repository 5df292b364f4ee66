import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, type ManualClock } from './clock.js';
import { dec, mul, ZERO, type Dec } from './decimal.js';
import { MARKETS } from './markets.js';
import { createMatchingEngine, type MatchingEngine, type Order, type PlaceOrderRequest } from './matching-engine.js';
import { createPriceFeed, type PriceFeed } from './price-feed.js';
import { createRandom } from './random.js';

const START = 1_700_000_000_000;
const INITIAL: Record<string, Dec> = { BTC: dec('2'), ETH: dec('20'), ILLIQ: dec('0'), USDT: dec('100000') };

function setup(seed = 'engine'): { engine: MatchingEngine; feed: PriceFeed; clock: ManualClock } {
  const clock = createManualClock(START);
  const feed = createPriceFeed({ seed, markets: MARKETS, startMs: START });
  const engine = createMatchingEngine({ feed, markets: MARKETS, now: () => clock.now() });
  engine.openAccount('a', INITIAL);
  return { engine, feed, clock };
}

function wallet(engine: MatchingEngine, asset: string): { free: Dec; locked: Dec } {
  const b = engine.balances('a').find((x) => x.asset === asset);
  return { free: b?.free ?? ZERO, locked: b?.locked ?? ZERO };
}

function place(engine: MatchingEngine, r: Omit<PlaceOrderRequest, 'ref'>): Order {
  const res = engine.placeOrder('a', { ...r, ref: (id) => `r${String(id)}` });
  assert.ok(res.ok, `order refused: ${res.ok ? '' : res.reason}`);
  return res.order;
}

/** Balances equal the start plus every fill's effect; locked equals what open orders still reserve. */
function assertConserved(engine: MatchingEngine): void {
  const totals: Record<string, Dec> = { ...INITIAL };
  for (const o of engine.orders('a')) {
    const m = MARKETS.find((x) => x.symbol === o.symbol);
    assert.ok(m);
    for (const f of o.fills) {
      const sign = o.side === 'buy' ? 1n : -1n;
      totals[m.base] = (totals[m.base] ?? ZERO) + sign * f.qty;
      totals[m.quote] = (totals[m.quote] ?? ZERO) - sign * f.quoteQty - f.fee;
    }
  }
  for (const [asset, total] of Object.entries(totals)) {
    const w = wallet(engine, asset);
    assert.equal(w.free + w.locked, total, `${asset} total`);
    assert.ok(w.free >= ZERO && w.locked >= ZERO, `${asset} never negative`);
  }
  const openBuys = engine.orders('a', { open: true }).filter((o) => o.side === 'buy');
  if (openBuys.length === 0) assert.equal(wallet(engine, 'USDT').locked, ZERO, 'no open buy, nothing locked');
}

test('a resting limit buy locks notional plus the taker fee, and cancelling gives back exactly that', () => {
  const { engine } = setup();
  const o = place(engine, { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.5'), price: dec('60000') });
  assert.equal(o.status, 'open');
  const lock = dec('30000') + mul(dec('30000'), dec('0.001'));
  assert.deepEqual(wallet(engine, 'USDT'), { free: dec('100000') - lock, locked: lock });
  const res = engine.cancelOrder('a', { ref: o.ref });
  assert.ok(res.ok);
  assert.equal(res.order.status, 'canceled');
  assert.deepEqual(wallet(engine, 'USDT'), { free: dec('100000'), locked: ZERO });
  assert.deepEqual(engine.cancelOrder('a', { ref: o.ref }), { ok: false, reason: 'NOT_OPEN', order: res.order });
  assert.deepEqual(engine.cancelOrder('a', { ref: 'nope' }), { ok: false, reason: 'NOT_FOUND' });
});

test('a market buy on the thin book walks every level, pays the taker fee, and expires the rest', () => {
  const { engine, feed } = setup();
  const book = feed.bookAt('ILLIQ/USDT', feed.stepAt(START));
  const depth = book.asks.reduce((s, l) => s + l.size, ZERO);
  const o = place(engine, { symbol: 'ILLIQ/USDT', side: 'buy', type: 'market', quantity: depth + dec('1000') });
  assert.equal(o.status, 'expired', 'the book ran out before the order did');
  assert.equal(o.executedQty, depth);
  assert.equal(o.fills.length, 3);
  assert.ok((o.fills[2]?.price ?? 0n) > (o.fills[0]?.price ?? 0n), 'later fills are dearer');
  for (const f of o.fills) assert.equal(f.fee, mul(f.quoteQty, dec('0.001')));
  assert.deepEqual(wallet(engine, 'ILLIQ'), { free: depth, locked: ZERO });
  // The same second has no liquidity left to take.
  const again = engine.placeOrder('a', { symbol: 'ILLIQ/USDT', side: 'buy', type: 'market', quantity: dec('1'), ref: () => 'x' });
  assert.ok(again.ok);
  assert.equal(again.order.executedQty, ZERO);
  assertConserved(engine);
});

test('a market buy sized in quote spends up to that amount and is filled', () => {
  const { engine } = setup();
  const o = place(engine, { symbol: 'BTC/USDT', side: 'buy', type: 'market', quoteQuantity: dec('1000') });
  assert.equal(o.status, 'filled');
  assert.ok(o.cumQuote <= dec('1000') && o.cumQuote > dec('999'), `spent ${String(o.cumQuote)}`);
  assertConserved(engine);
});

test('a resting order fills when the walk crosses it, at its own price and the maker fee', () => {
  const { engine, feed, clock } = setup();
  const s0 = feed.stepAt(START);
  // Find, deterministically, a later step where the ask dips: the order rests until then.
  let target = s0 + 1;
  const startAsk = feed.bookAt('BTC/USDT', s0).asks[0]?.price ?? 0n;
  while ((feed.bookAt('BTC/USDT', target).asks[0]?.price ?? 0n) >= startAsk - dec('20')) target++;
  const price = startAsk - dec('20');
  const o = place(engine, { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.1'), price });
  assert.equal(o.status, 'open');
  clock.set((target - 1) * feed.stepMs);
  assert.equal(engine.findOrder('a', { ref: o.ref })?.status, 'open', 'not yet crossed');
  clock.set(target * feed.stepMs);
  const filled = engine.findOrder('a', { ref: o.ref });
  assert.equal(filled?.status, 'filled');
  for (const f of filled.fills) {
    assert.equal(f.price, price);
    assert.equal(f.maker, true);
    assert.equal(f.fee, mul(f.quoteQty, dec('0.0008')));
  }
  assert.equal(wallet(engine, 'BTC').free, dec('2.1'));
  assert.equal(wallet(engine, 'USDT').locked, ZERO, 'the unused part of the lock came back');
  assertConserved(engine);
});

test('orders the account cannot pay for, or that break the market rules, are refused without side effects', () => {
  const { engine } = setup();
  const refuse = (r: Omit<PlaceOrderRequest, 'ref'>) => engine.placeOrder('a', { ...r, ref: () => 'x' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('2'), price: dec('60000') }), { ok: false, reason: 'INSUFFICIENT_FUNDS' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: dec('3') }), { ok: false, reason: 'INSUFFICIENT_FUNDS' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.000001'), price: dec('60000') }), { ok: false, reason: 'INVALID_QUANTITY' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('60000.001') }), { ok: false, reason: 'INVALID_PRICE' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.00001'), price: dec('60000') }), { ok: false, reason: 'BELOW_MIN_NOTIONAL' });
  assert.deepEqual(refuse({ symbol: 'DOGE/USDT', side: 'buy', type: 'market', quantity: dec('1') }), { ok: false, reason: 'UNKNOWN_SYMBOL' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('70000'), postOnly: true }), { ok: false, reason: 'POST_ONLY_WOULD_TAKE' });
  place(engine, { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('50000'), clientOrderId: 'c1' });
  assert.deepEqual(refuse({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('50000'), clientOrderId: 'c1' }), { ok: false, reason: 'DUPLICATE_CLIENT_ORDER_ID' });
  assert.equal(engine.orders('a').length, 1);
  assertConserved(engine);
});

test('FOK that cannot fill completely expires untouched; IOC keeps its partial fill', () => {
  const { engine, feed } = setup();
  const ask = feed.bookAt('ILLIQ/USDT', feed.stepAt(START)).asks[0];
  assert.ok(ask);
  const fok = place(engine, { symbol: 'ILLIQ/USDT', side: 'buy', type: 'limit', quantity: ask.size + dec('1'), price: ask.price, timeInForce: 'FOK' });
  assert.equal(fok.status, 'expired');
  assert.equal(fok.executedQty, ZERO);
  const ioc = place(engine, { symbol: 'ILLIQ/USDT', side: 'buy', type: 'limit', quantity: ask.size + dec('1'), price: ask.price, timeInForce: 'IOC' });
  assert.equal(ioc.status, 'expired');
  assert.equal(ioc.executedQty, ask.size);
  assertConserved(engine);
});

test('two engines with the same seed and clock produce identical histories (random operations)', () => {
  const run = (): string => {
    const { engine, clock } = setup('same');
    const rng = createRandom('ops');
    for (let i = 0; i < 300; i++) {
      clock.advance(Math.floor(rng.next() * 3000));
      const m = MARKETS[Math.floor(rng.next() * MARKETS.length)] ?? MARKETS[0];
      if (m === undefined) continue;
      const side = rng.next() < 0.5 ? 'buy' : 'sell';
      const mid = Number(m.initialPrice) / 1e12;
      if (rng.next() < 0.2) {
        const open = engine.orders('a', { open: true });
        const victim = open[Math.floor(rng.next() * open.length)];
        if (victim !== undefined) engine.cancelOrder('a', { id: victim.id });
        continue;
      }
      const qty = (m.minQty * BigInt(1 + Math.floor(rng.next() * 5000)));
      const price = BigInt(Math.round(mid * (0.995 + rng.next() * 0.01) / (Number(m.tickSize) / 1e12))) * m.tickSize;
      engine.placeOrder('a', { symbol: m.symbol, side, type: rng.next() < 0.3 ? 'market' : 'limit', quantity: qty, price, ref: (id) => String(id) });
      assertConserved(engine);
    }
    clock.advance(600_000);
    assertConserved(engine);
    return JSON.stringify(engine.orders('a'), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  };
  const first = run();
  assert.equal(run(), first);
  assert.ok(first.includes('"maker":true'), 'some resting orders were filled by the walk');
});
