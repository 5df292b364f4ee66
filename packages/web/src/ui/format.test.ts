import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDecimal, formatMoney, formatNumber, formatShare } from './format.js';

test('money has two decimals, separators and its quote; unknown is a dash, never 0', () => {
  assert.equal(formatMoney(293997.5, 'USDT'), '293,997.50 USDT');
  assert.equal(formatMoney(0, 'USDT'), '0.00 USDT');
  assert.equal(formatMoney(null, 'USDT'), '—');
  assert.equal(formatMoney(Number.NaN, 'USDT'), '—');
});

test('decimal strings keep every digit they carry, minus trailing zeros', () => {
  assert.equal(formatDecimal('65003.40'), '65,003.4');
  assert.equal(formatDecimal('0.00012345'), '0.00012345');
  assert.equal(formatDecimal('1000000'), '1,000,000');
  assert.equal(formatDecimal('2.000'), '2');
  assert.equal(formatDecimal(null), '—');
  assert.equal(formatDecimal('n/a'), 'n/a');
});

test('numbers and shares', () => {
  assert.equal(formatNumber(1234.5678, 2), '1,234.57');
  assert.equal(formatShare(0.4422), '44.2%');
  assert.equal(formatShare(0.0004), '0.04%');
});
