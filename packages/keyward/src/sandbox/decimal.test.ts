import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ceilTo, dec, decimalsOf, div, floorTo, fromFloat, mul, parseDec, toFixed, toPlain } from './decimal.js';

test('parseDec reads the plain decimals exchanges accept and refuses everything else', () => {
  assert.equal(parseDec('0.001'), 1_000_000_000n);
  assert.equal(parseDec('65000'), 65_000n * 10n ** 12n);
  assert.equal(parseDec('1.500000000000000'), 15n * 10n ** 11n, 'zeros past the scale are harmless');
  for (const bad of ['', '-1', '+1', '1e-5', ' 1', '1.', '.5', '0x10', '1,5', '0.0000000000001']) {
    assert.equal(parseDec(bad), undefined, bad);
  }
});

test('formatting is exact: Binance pads to 8 places, the others print the shortest form', () => {
  assert.equal(toFixed(dec('0.001'), 8), '0.00100000');
  assert.equal(toFixed(dec('65000.5'), 2), '65000.50');
  assert.equal(toFixed(-dec('0.25'), 3), '-0.250');
  assert.equal(toPlain(dec('65000.500')), '65000.5');
  assert.equal(toPlain(0n), '0');
  assert.equal(toPlain(dec('100')), '100');
});

test('arithmetic truncates toward zero and rounds to steps as documented', () => {
  assert.equal(mul(dec('65000.01'), dec('0.00001')), dec('0.6500001'));
  assert.equal(div(dec('1'), dec('3')), 333_333_333_333n);
  assert.equal(floorTo(dec('1.23456'), dec('0.01')), dec('1.23'));
  assert.equal(ceilTo(dec('1.23001'), dec('0.01')), dec('1.24'));
  assert.equal(ceilTo(dec('1.23'), dec('0.01')), dec('1.23'));
  assert.equal(decimalsOf(dec('0.00001')), 5);
  assert.equal(decimalsOf(dec('1')), 0);
  assert.equal(fromFloat(64999.996, dec('0.01')), dec('65000'));
  assert.throws(() => div(1n, 0n), RangeError);
});
