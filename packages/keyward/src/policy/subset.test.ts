import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '@keyward/protocol/policy';
import { isSubset } from './subset.js';

const PARENT = Object.freeze<Policy>({
  credential: 'binance-main', actions: ['read', 'trade'], symbols: ['BTCUSDT', 'ETHUSDT'],
  maxOrderNotional: 1000, maxDailyNotional: 5000, priceBandPercent: 5, ordersPerMinute: 10,
  sourceCidrs: ['10.0.0.0/8', '2001:db8::/32'], expiresAt: 2_000_000_000_000,
});
const OPEN = Object.freeze<Policy>({
  credential: 'binance-main', actions: ['read', 'trade', 'cancel'], symbols: null, maxOrderNotional: null,
  maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

function reasonsOf(child: unknown, parent: unknown): string {
  const r = isSubset(child, parent);
  assert.ok(!r.ok, 'expected a refusal');
  return r.reasons.join(' | ');
}

test('a child that narrows every field is a subset', () => {
  assert.deepEqual(isSubset(PARENT, PARENT), { ok: true });
  assert.deepEqual(isSubset(PARENT, OPEN), { ok: true });
  assert.deepEqual(isSubset({
    ...PARENT, actions: ['trade'], symbols: ['BTCUSDT'], maxOrderNotional: 10, maxDailyNotional: 0, priceBandPercent: 1,
    ordersPerMinute: 1, sourceCidrs: ['10.1.0.0/16', '::ffff:10.2.0.0/112', '2001:db8:1::1'], expiresAt: 1,
  }, PARENT), { ok: true });
  assert.deepEqual(isSubset({ ...PARENT, actions: [], symbols: [] }, PARENT), { ok: true });
});

test('each way of widening is named', () => {
  assert.match(reasonsOf({ ...PARENT, credential: 'other' }, PARENT), /credential other/);
  assert.match(reasonsOf({ ...PARENT, actions: ['read', 'cancel'] }, PARENT), /does not grant cancel/);
  assert.match(reasonsOf({ ...PARENT, symbols: null }, PARENT), /any symbol/);
  assert.match(reasonsOf({ ...PARENT, symbols: ['BTCUSDT', 'SOLUSDT'] }, PARENT), /symbols SOLUSDT/);
  for (const k of ['maxOrderNotional', 'maxDailyNotional', 'priceBandPercent', 'ordersPerMinute', 'expiresAt'] as const) {
    assert.match(reasonsOf({ ...PARENT, [k]: null }, PARENT), new RegExp(`no ${k}`));
    const above = k === 'priceBandPercent' ? 6 : (PARENT[k] ?? 0) + 1;
    assert.match(reasonsOf({ ...PARENT, [k]: above }, PARENT), new RegExp(`${k} ${above} is above`));
  }
  assert.match(reasonsOf({ ...PARENT, sourceCidrs: null }, PARENT), /any source address/);
  assert.match(reasonsOf({ ...PARENT, sourceCidrs: ['10.1.0.0/16', '11.0.0.0/8', '::/0'] }, PARENT), /11\.0\.0\.0\/8, ::\/0 are not inside/);
});

test('every widening is reported at once', () => {
  const r = isSubset(OPEN, PARENT);
  assert.ok(!r.ok);
  assert.equal(r.reasons.length, 8);
});

test('an invalid policy on either side is never a subset', () => {
  assert.match(reasonsOf({ ...PARENT, actions: ['withdraw'] }, OPEN), /child policy is not valid: withdraw is not an action/);
  assert.match(reasonsOf(PARENT, { ...OPEN, actions: ['read', 'trade', 'cancel', 'transfer'] }), /parent policy is not valid/);
  assert.match(reasonsOf('root', OPEN), /child policy is not valid/);
  assert.match(reasonsOf(PARENT, 'root'), /parent policy is not valid/);
  assert.match(reasonsOf({ ...PARENT, maxOrderNotional: Number.NaN }, PARENT), /not valid/);
});
