import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/http.js';
import type { NewOrder, ServerPreview } from '../../api/trading.js';
import { previewOrder } from './preview.js';
import { reviewOrder } from './review.js';

const order: NewOrder = { credential: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '100' };
const local = () => previewOrder({ exchange: 'binance', side: 'buy', type: 'limit', quantity: '0.5', price: '100', bids: [['99', '1']], asks: [['101', '1']] });

test('the server\'s verdict, reasons and amounts are what the review shows', async () => {
  const answer: ServerPreview = {
    notional: '50', feeEstimate: '0.05', total: '50.05', allowed: false, price: '100', liquidity: 'maker', feeRate: '0.001',
    reasons: ['KW_POLICY_NOTIONAL_EXCEEDED: 50 > 10', 'not enough USDT: 50.05 needed with the estimated fee, 3 free'], notes: ['the fee is an estimate'],
  };
  let sent: NewOrder | null = null;
  const r = await reviewOrder(order, local, async (o) => { sent = o; return answer; });
  assert.deepEqual(sent, order, 'the same body an order would have');
  assert.ok(r !== null);
  assert.equal(r.source, 'server');
  assert.equal(r.allowed, false);
  assert.deepEqual(r.reasons, answer.reasons);
  assert.deepEqual([r.price, r.notional, r.fee, r.feeRate, r.total, r.liquidity], [100, 50, 0.05, 0.001, 50.05, 'maker']);
  assert.deepEqual(r.notes, ['the fee is an estimate']);
});

test('the minimal answer (no price, rate or liquidity) borrows those from the browser\'s estimate', async () => {
  const r = await reviewOrder(order, local, async () => ({ notional: '50', feeEstimate: '0.05', total: '50.05', allowed: true, reasons: [] }));
  assert.ok(r !== null);
  assert.equal(r.allowed, true);
  assert.equal(r.price, 100);
  assert.equal(r.liquidity, 'maker');
});

test('a server without the route (KW_NOT_FOUND): the browser\'s estimate, with no verdict', async () => {
  const r = await reviewOrder(order, local, async () => { throw new ApiError(404, 'KW_NOT_FOUND', 'Not found', 'POST /api/v1/orders/preview'); });
  assert.ok(r !== null);
  assert.equal(r.source, 'browser');
  assert.equal(r.allowed, null);
  assert.equal(r.total, local()?.total);
});

test('any other failure is the caller\'s to show, not papered over with an estimate', async () => {
  await assert.rejects(reviewOrder(order, local, async () => { throw new ApiError(400, 'KW_INPUT_INVALID', 'Invalid input', 'quantity'); }),
    (e: unknown) => e instanceof ApiError && e.code === 'KW_INPUT_INVALID');
  await assert.rejects(reviewOrder(order, local, async () => { throw new ApiError(423, 'KW_SESSION_LOCKED', 'Locked', undefined); }));
});
