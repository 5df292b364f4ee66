import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '@keyward/protocol/policy';
import { describePolicy, describeTokenLimits, listInWords } from './policy-words.js';

const open: Policy = {
  credential: 'binance-main', actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null,
  priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
};

test('every limit is named, also when absent, and withdrawals are always ruled out', () => {
  assert.deepEqual(describePolicy(open), [
    'May read the account (balances, orders) with the key "binance-main"',
    'Never withdraws or transfers funds',
    'Any symbol',
    'No cap per order',
    'No daily cap',
    'No price band',
    'No rate limit',
    'From any address',
    'The policy has no end date',
  ]);
});

test('limits in plain words', () => {
  const words = describePolicy({
    ...open, actions: ['cancel', 'read', 'trade'], symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], maxOrderNotional: 250,
    maxDailyNotional: 10_000, priceBandPercent: 2.5, ordersPerMinute: 1, sourceCidrs: ['203.0.113.7/32'], expiresAt: Date.UTC(2030, 0, 2, 3, 4),
  });
  assert.equal(words[0], 'May read the account (balances, orders), place orders and cancel orders with the key "binance-main"');
  assert.equal(words[2], 'Only BTCUSDT, ETHUSDT and SOLUSDT');
  assert.equal(words[3], 'At most 250 (quote currency) per order');
  assert.equal(words[4], 'At most 10,000 (quote currency) a day');
  assert.equal(words[5], 'Limit prices within 2.5% of the market');
  assert.equal(words[6], 'At most 1 request a minute');
  assert.equal(words[7], 'Only from 203.0.113.7/32');
  assert.equal(words[8], 'The policy ends 2030-01-02 03:04 UTC');
});

test('empty lists read as nothing allowed, not as anything', () => {
  const words = describePolicy({ ...open, actions: [], symbols: [], sourceCidrs: [] });
  assert.equal(words[0], 'May do nothing (no actions granted)');
  assert.equal(words[2], 'No symbol at all');
  assert.equal(words[7], 'From no address at all');
});

test('a token’s own limits: revoked before expired before live; uses counted', () => {
  assert.deepEqual(describeTokenLimits({ expiresAt: null, usesLeft: null, revokedAt: null }, 0), ['Does not expire']);
  assert.deepEqual(describeTokenLimits({ expiresAt: 1000, usesLeft: 1, revokedAt: null }, 2000), ['Expired 1970-01-01 00:00 UTC', '1 use left']);
  assert.deepEqual(describeTokenLimits({ expiresAt: 5000, usesLeft: 3, revokedAt: 60_000 }, 0), ['Revoked 1970-01-01 00:01 UTC', '3 uses left']);
  assert.equal(listInWords([]), '');
  assert.equal(listInWords(['a', 'b']), 'a and b');
});
