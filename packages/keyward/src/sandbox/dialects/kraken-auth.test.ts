// Vectors: docs.kraken.com "Spot REST Authentication" worked example, and a ccxt 4.5.84 vector from
// shared/research/exchanges.md §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidKrakenSignature, krakenSignature, parseNonce } from './kraken-auth.js';

test('the documented AddOrder example reproduces', () => {
  const secret = Buffer.from('kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==', 'base64');
  const body = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
  const expected = '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==';
  assert.equal(krakenSignature(secret, '/0/private/AddOrder', '1616492376594', body).toString('base64'), expected);
  assert.ok(isValidKrakenSignature(secret, '/0/private/AddOrder', '1616492376594', body, expected));
  assert.equal(isValidKrakenSignature(secret, '/0/private/CancelOrder', '1616492376594', body, expected), false, 'the path is signed');
  assert.equal(isValidKrakenSignature(secret, '/kraken/0/private/AddOrder', '1616492376594', body, expected), false, 'the sandbox prefix is not part of it');
  assert.equal(isValidKrakenSignature(secret, '/0/private/AddOrder', '1616492376595', body, expected), false, 'the nonce is signed twice');
});

test('the ccxt Balance vector reproduces', () => {
  const secret = Buffer.from('f/3OR9pmW0TYwTG8v1S5U4LYF1oXugr5wc0XeiLA+Tt2nT4c3VEXepmmcDUvOUMW4AcH13ttC70sR5qaAPf/Lw==', 'base64');
  const sign = '6+S4bnd1KQWjSZJItxaVrc78Omr8l3iUpnufGv/V5bKA0Gkx1mTQ5oqxJhY9GAmuJuSnckbDLeaclmOca4YS6Q==';
  assert.ok(isValidKrakenSignature(secret, '/0/private/Balance', '1700000000123', 'nonce=1700000000123', sign));
  assert.equal(isValidKrakenSignature(secret, '/0/private/Balance', '1700000000123', 'nonce=1700000000123', 'AAAA'), false);
});

test('nonces are unsigned 64-bit integers', () => {
  assert.equal(parseNonce('0'), 0n);
  assert.equal(parseNonce('18446744073709551615'), 2n ** 64n - 1n);
  for (const bad of [undefined, '', '-1', '1.5', '18446744073709551616', '1e3', ' 1']) assert.equal(parseNonce(bad), undefined, String(bad));
});
