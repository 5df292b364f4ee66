import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MARKETS } from './markets.js';
import { createPriceFeed } from './price-feed.js';

const START = 1_700_000_000_000;

test('the same seed gives the same walk and the same books, in any query order', () => {
  const a = createPriceFeed({ seed: 's1', markets: MARKETS, startMs: START });
  const b = createPriceFeed({ seed: 's1', markets: MARKETS, startMs: START });
  const step = a.stepAt(START) + 5000;
  // b is asked out of order: the walk must not depend on which step was asked for first.
  const late = b.midAt('ETH/USDT', step);
  for (let s = step - 10; s <= step; s++) assert.equal(a.midAt('BTC/USDT', s), b.midAt('BTC/USDT', s));
  assert.equal(a.midAt('ETH/USDT', step), late);
  assert.deepEqual(a.bookAt('ILLIQ/USDT', step), b.bookAt('ILLIQ/USDT', step));
  const c = createPriceFeed({ seed: 's2', markets: MARKETS, startMs: START });
  assert.notEqual(c.midAt('BTC/USDT', step), a.midAt('BTC/USDT', step), 'another seed, another market');
});

test('before the start the feed shows the initial price; afterwards it moves, but stays near it', () => {
  const feed = createPriceFeed({ seed: 'x', markets: MARKETS, startMs: START });
  const s0 = feed.stepAt(START);
  assert.equal(feed.midAt('BTC/USDT', s0 - 100), MARKETS[0]?.initialPrice);
  assert.equal(feed.midAt('BTC/USDT', s0), MARKETS[0]?.initialPrice);
  const later = Number(feed.midAt('BTC/USDT', s0 + 86_400)) / 1e12;
  assert.notEqual(later, 65000);
  assert.ok(later > 40_000 && later < 100_000, `mean reversion keeps a day's walk in range: ${String(later)}`);
});

test('books are ordered, uncrossed, and the illiquid market is thin and wide', () => {
  const feed = createPriceFeed({ seed: 'x', markets: MARKETS, startMs: START });
  const step = feed.stepAt(START) + 42;
  for (const m of MARKETS) {
    const book = feed.bookAt(m.symbol, step);
    assert.ok((book.bids[0]?.price ?? 0n) < (book.asks[0]?.price ?? 0n), `${m.symbol} is not crossed`);
    for (let i = 1; i < book.asks.length; i++) assert.ok((book.asks[i]?.price ?? 0n) > (book.asks[i - 1]?.price ?? 0n));
    for (let i = 1; i < book.bids.length; i++) assert.ok((book.bids[i]?.price ?? 0n) < (book.bids[i - 1]?.price ?? 0n));
    for (const l of [...book.bids, ...book.asks]) assert.equal(l.size % m.stepSize, 0n);
  }
  const thin = feed.bookAt('ILLIQ/USDT', step);
  assert.equal(thin.asks.length, 3);
  const mid = Number(feed.midAt('ILLIQ/USDT', step));
  const spread = (Number(thin.asks[0]?.price) - Number(thin.bids[0]?.price)) / mid;
  assert.ok(spread > 0.03, `ILLIQ spread is wide: ${String(spread)}`);
  const depthUsd = thin.asks.reduce((s, l) => s + (Number(l.size) / 1e12) * (Number(l.price) / 1e12), 0);
  assert.ok(depthUsd < 50, `ILLIQ ask side is worth only a few dollars: ${String(depthUsd)}`);
});
