import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDecimal, multiply, normaliseDecimal, parseDecimal, ratio, toRoundedNumber } from './decimal.js';

const d = (s: string): bigint => {
  const v = parseDecimal(s);
  assert.ok(v !== undefined, s);
  return v;
};

test('decimal strings round-trip in their shortest plain form', () => {
  assert.equal(normaliseDecimal('0.00100000'), '0.001');
  assert.equal(normaliseDecimal('65000.00000000'), '65000');
  assert.equal(normaliseDecimal('-0.5'), '-0.5');
  assert.equal(normaliseDecimal(0.25), '0.25');
  for (const bad of ['1e-8', '', '.5', '1.', '0x10', ' 1', 'NaN']) assert.equal(normaliseDecimal(bad), undefined, bad);
  assert.equal(formatDecimal(d('123456789012345678.123456789012345678')), '123456789012345678.123456789012345678');
});

test('valuation multiplies exactly and rounds only at the end', () => {
  assert.equal(formatDecimal(multiply(d('1.5'), d('65000.12'))), '97500.18');
  // 0.1 + 0.2 is exactly 0.3 here.
  assert.equal(formatDecimal(d('0.1') + d('0.2')), '0.3');
  assert.equal(toRoundedNumber(d('0.005'), 2), 0.01);
  assert.equal(toRoundedNumber(d('2.344999'), 2), 2.34);
  assert.equal(toRoundedNumber(d('-2.345'), 2), -2.35);
  assert.equal(ratio(d('1'), d('3'), 4), 0.3333);
  assert.equal(ratio(d('1'), 0n, 4), 0);
});
