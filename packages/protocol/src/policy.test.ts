import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isParsedPolicy, isPolicyError, parseCidr, parseIpAddress, parsePolicy, type Policy } from './policy.js';

const valid: Policy = {
  credential: 'binance-main', actions: ['read', 'trade'], symbols: ['BTCUSDT', 'BTC-USD', 'tBTCUSD', 'BTC_USDT'],
  maxOrderNotional: 500, maxDailyNotional: 2000, priceBandPercent: 5, ordersPerMinute: 10,
  sourceCidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], expiresAt: 1_900_000_000_000,
};

function errorOf(input: unknown): string {
  const r = parsePolicy(input);
  assert.ok(isPolicyError(r), `expected an error for ${JSON.stringify(input)}`);
  return r.error;
}

test('a valid policy parses to an equal, frozen copy', () => {
  const r = parsePolicy(JSON.parse(JSON.stringify(valid)));
  assert.ok(!isPolicyError(r));
  assert.deepEqual(r, valid);
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.actions) && Object.isFrozen(r.symbols));
  const open = { ...valid, symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null };
  assert.deepEqual(parsePolicy(open), open);
});

test('only a policy parsePolicy made counts as parsed: not its copy, not a frozen look-alike', () => {
  const parsed = parsePolicy(valid);
  assert.equal(isParsedPolicy(parsed), true);
  assert.equal(isParsedPolicy({ ...parsed }), false);
  assert.equal(isParsedPolicy(Object.freeze({ ...valid, actions: ['withdraw'] })), false);
  assert.equal(isParsedPolicy(null), false);
  assert.equal(isParsedPolicy(parsePolicy({ ...valid, actions: ['withdraw'] })), false, 'an error is not a policy');
});

test('withdraw and transfer cannot be granted', () => {
  assert.match(errorOf({ ...valid, actions: ['trade', 'withdraw'] }), /withdraw is not an action a policy can grant/);
  assert.match(errorOf({ ...valid, actions: ['transfer'] }), /transfer is not an action a policy can grant/);
  assert.match(errorOf({ ...valid, actions: ['unknown'] }), /unknown action/);
  assert.match(errorOf({ ...valid, actions: ['read', 'read'] }), /twice/);
  assert.match(errorOf({ ...valid, actions: 'read' }), /actions must be a list/);
  assert.match(errorOf({ ...valid, actions: null }), /actions must be a list$/);
});

test('every key is required and unknown keys are refused, all reported at once', () => {
  const { maxDailyNotional: _d, ...missing } = valid;
  assert.match(errorOf(missing), /maxDailyNotional is required/);
  const e = errorOf({ ...missing, maxOrderNotionl: 5 });
  assert.match(e, /unknown key "maxOrderNotionl"/);
  assert.match(e, /maxDailyNotional is required/);
  for (const bad of [null, [], 'policy', 3, new Date()]) assert.ok(isPolicyError(parsePolicy(bad)));
});

test('limits: finite, in range, whole where they count', () => {
  for (const [key, bad] of [
    ['maxOrderNotional', -1], ['maxOrderNotional', Number.NaN], ['maxOrderNotional', Infinity], ['maxOrderNotional', '100'],
    ['maxDailyNotional', -0.01], ['priceBandPercent', 0], ['priceBandPercent', 101], ['priceBandPercent', -5],
    ['ordersPerMinute', 1.5], ['ordersPerMinute', -1], ['expiresAt', 1.5], ['expiresAt', -1],
  ] as const) {
    assert.match(errorOf({ ...valid, [key]: bad }), new RegExp(`${key} must be`), `${key}=${String(bad)}`);
  }
  assert.ok(!isPolicyError(parsePolicy({ ...valid, priceBandPercent: 100, maxOrderNotional: 0, ordersPerMinute: 0 })));
});

test('names, symbols and CIDRs are checked', () => {
  assert.match(errorOf({ ...valid, credential: '' }), /credential/);
  assert.match(errorOf({ ...valid, credential: 'a b' }), /credential/);
  assert.match(errorOf({ ...valid, symbols: ['BTC USDT'] }), /not an exchange symbol/);
  assert.match(errorOf({ ...valid, symbols: ['BTCUSDT', 'BTCUSDT'] }), /twice/);
  assert.match(errorOf({ ...valid, symbols: [1] }), /must hold strings/);
  assert.match(errorOf({ ...valid, sourceCidrs: ['10.0.0.1/8'] }), /not a CIDR/);
  assert.match(errorOf({ ...valid, sourceCidrs: Array.from({ length: 300 }, (_, i) => `10.0.${i % 256}.0/24`) }), /more than 256/);
});

test('IPv4 addresses: four plain decimal octets', () => {
  assert.deepEqual(parseIpAddress('192.0.2.1'), { family: 4, value: 0xc0000201n });
  assert.deepEqual(parseIpAddress('0.0.0.0'), { family: 4, value: 0n });
  assert.deepEqual(parseIpAddress('255.255.255.255'), { family: 4, value: 0xffffffffn });
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-4', '0x1.2.3.4', '1..2.3', '']) {
    assert.equal(parseIpAddress(bad), null, bad);
  }
});

test('IPv6 addresses: full, compressed, embedded IPv4; mapped IPv4 reads as IPv4', () => {
  assert.deepEqual(parseIpAddress('2001:db8::1'), { family: 6, value: 0x20010db8000000000000000000000001n });
  assert.deepEqual(parseIpAddress('2001:0db8:0000:0000:0000:0000:0000:0001'), parseIpAddress('2001:db8::1'));
  assert.deepEqual(parseIpAddress('::'), { family: 6, value: 0n });
  assert.deepEqual(parseIpAddress('::1'), { family: 6, value: 1n });
  assert.deepEqual(parseIpAddress('fe80::'), { family: 6, value: 0xfe80n << 112n });
  assert.deepEqual(parseIpAddress('1:2:3:4:5:6:7::'), { family: 6, value: 0x0001000200030004000500060007_0000n });
  assert.deepEqual(parseIpAddress('64:ff9b::192.0.2.33'), { family: 6, value: (0x64ff9bn << 96n) | 0xc0000221n });
  assert.deepEqual(parseIpAddress('::ffff:192.0.2.1'), { family: 4, value: 0xc0000201n });
  assert.deepEqual(parseIpAddress('::FFFF:c000:0201'), { family: 4, value: 0xc0000201n });
  for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8::', '12345::', 'g::1',
    'fe80::1%eth0', '::ffff:1.2.3', '::1.2.3.4:5', '1:', ':1', '[::1]']) {
    assert.equal(parseIpAddress(bad), null, bad);
  }
});

test('CIDRs: network bits only, prefix in range, mapped form normalised to IPv4', () => {
  assert.deepEqual(parseCidr('10.0.0.0/8'), { family: 4, value: 0x0a000000n, prefix: 8 });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, value: 0n, prefix: 0 });
  assert.deepEqual(parseCidr('192.0.2.7'), { family: 4, value: 0xc0000207n, prefix: 32 });
  assert.deepEqual(parseCidr('2001:db8::/32'), { family: 6, value: 0x20010db8n << 96n, prefix: 32 });
  assert.deepEqual(parseCidr('::/0'), { family: 6, value: 0n, prefix: 0 });
  assert.deepEqual(parseCidr('::1'), { family: 6, value: 1n, prefix: 128 });
  assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { family: 4, value: 0x0a000000n, prefix: 8 });
  assert.deepEqual(parseCidr('::ffff:0:0/96'), { family: 4, value: 0n, prefix: 0 });
  for (const bad of ['10.0.0.1/8', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '2001:db8::1/32', '::/129',
    '10.0.0.0/8/8', '/8', 'localhost', '10.0.0.0 /8', '::ffff:0:0/95']) {
    assert.equal(parseCidr(bad), null, bad);
  }
});
