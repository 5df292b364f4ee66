import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Level } from '../../api/trading.js';
import { isPositiveDecimal, previewOrder, walkBook } from './preview.js';

const bids: Level[] = [['100', '1'], ['99', '2'], ['98', '5']];
const asks: Level[] = [['101', '1'], ['102', '2'], ['103', '5']];
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${String(a)} ≈ ${String(b)}`);

test('walkBook takes levels in order and stops at the quantity', () => {
  assert.deepEqual(walkBook(asks, 0.5), { filled: 0.5, cost: 50.5 });
  const w = walkBook(asks, 2);
  close(w.filled, 2);
  close(w.cost, 101 + 102);
  assert.deepEqual(walkBook(asks, 100), { filled: 8, cost: 101 + 204 + 515 });
});

test('a limit buy below the ask rests and pays the maker fee', () => {
  const p = previewOrder({ exchange: 'binance', side: 'buy', type: 'limit', quantity: '2', price: '90', bids, asks });
  assert.ok(p !== null);
  assert.equal(p.fillsNow, false);
  close(p.notional, 180);
  close(p.fee, 0.18);
  close(p.total, 180.18);
});

test('a limit sell through the bid fills now, pays the taker fee and subtracts it', () => {
  const p = previewOrder({ exchange: 'kraken', side: 'sell', type: 'limit', quantity: '1', price: '99', bids, asks });
  assert.ok(p !== null);
  assert.equal(p.fillsNow, true);
  close(p.feeRate, 0.004);
  close(p.total, 99 - 0.396);
});

test('a market buy is priced by walking the asks and warns when the book is too thin', () => {
  const p = previewOrder({ exchange: 'binance', side: 'buy', type: 'market', quantity: '3', bids, asks });
  assert.ok(p !== null);
  close(p.price, (101 + 204) / 3);
  assert.equal(p.unfilled, 0);
  const thin = previewOrder({ exchange: 'binance', side: 'buy', type: 'market', quantity: '10', bids, asks });
  assert.ok(thin !== null);
  close(thin.unfilled, 2);
  assert.ok(thin.warnings.some((w) => w.includes('thinner')));
});

test('an incomplete order has no preview; decimals follow the server\'s rule', () => {
  assert.equal(previewOrder({ exchange: 'binance', side: 'buy', type: 'limit', quantity: '1', bids, asks }), null);
  assert.equal(previewOrder({ exchange: 'binance', side: 'buy', type: 'market', quantity: '1', bids, asks: [] }), null);
  for (const bad of ['', '0', '0.000', '-1', '1e3', '1,5', '.5', '1.']) assert.equal(isPositiveDecimal(bad), false, bad);
  for (const good of ['1', '0.001', '65000.5']) assert.equal(isPositiveDecimal(good), true, good);
});
