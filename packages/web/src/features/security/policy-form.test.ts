import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covers, checkAllowlist } from './allowlist.js';
import { EMPTY_TOKEN_FORM, formFromPolicy, policyFromForm, splitList, tokenFromForm } from './policy-form.js';

test('empty fields mean no limit; lists split on commas, spaces and new lines', () => {
  const r = tokenFromForm({ ...EMPTY_TOKEN_FORM, label: ' bot ', credential: 'binance-main', actions: ['read', 'trade'], ttlHours: '', symbols: 'BTCUSDT, ETHUSDT\nSOLUSDT' });
  assert.ok(!('errors' in r));
  assert.equal(r.label, 'bot');
  assert.deepEqual(r.policy.symbols, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
  assert.equal(r.policy.maxOrderNotional, null);
  assert.equal(r.policy.sourceCidrs, null);
  assert.equal(r.ttlSeconds, undefined);
  assert.equal(r.uses, undefined);
  assert.deepEqual(splitList('  '), []);
});

test('numbers, lifetime and uses', () => {
  const r = tokenFromForm({ ...EMPTY_TOKEN_FORM, label: 'x', credential: 'k1', maxOrderNotional: '100', priceBandPercent: '2', ordersPerMinute: '30', ttlHours: '1.5', uses: '10', sourceCidrs: '10.0.0.0/8 203.0.113.7' });
  assert.ok(!('errors' in r));
  assert.equal(r.policy.maxOrderNotional, 100);
  assert.equal(r.policy.priceBandPercent, 2);
  assert.equal(r.policy.ordersPerMinute, 30);
  assert.deepEqual(r.policy.sourceCidrs, ['10.0.0.0/8', '203.0.113.7']);
  assert.equal(r.ttlSeconds, 5400);
  assert.equal(r.uses, 10);
});

test('every problem is reported at once, with protocol’s own checks', () => {
  const r = tokenFromForm({ ...EMPTY_TOKEN_FORM, label: '', credential: '', actions: [], ttlHours: '0', uses: '1.5', maxOrderNotional: 'lots' });
  assert.ok('errors' in r);
  assert.ok(r.errors.includes('give the token a name'));
  assert.ok(r.errors.includes('choose an exchange key'));
  assert.ok(r.errors.includes('grant at least one action'));
  assert.ok(r.errors.some((e) => e.includes('lifetime')));
  assert.ok(r.errors.some((e) => e.includes('uses')));
  assert.ok(r.errors.some((e) => e.includes('max per order')));
  const p = policyFromForm({ ...EMPTY_TOKEN_FORM, credential: 'k1', priceBandPercent: '150', sourceCidrs: '10.0.0.1/8' });
  assert.ok('errors' in p);
  assert.ok(p.errors.some((e) => e.includes('priceBandPercent')));
  assert.ok(p.errors.some((e) => e.includes('not a CIDR')));
});

test('a policy survives the round trip through the form', () => {
  const policy = {
    credential: 'k1', actions: ['read', 'cancel'] as const, symbols: ['BTCUSDT'], maxOrderNotional: 5, maxDailyNotional: 50,
    priceBandPercent: 1, ordersPerMinute: 2, sourceCidrs: ['10.0.0.0/8'], expiresAt: new Date(2031, 4, 6, 7, 8).getTime(),
  };
  const back = policyFromForm(formFromPolicy(policy));
  assert.ok(!('errors' in back));
  assert.deepEqual(back.policy, policy);
});

test('allowlist: addresses and CIDRs, and whether the current address stays on it', () => {
  assert.equal(covers(['10.0.0.0/8'], '10.2.3.4'), true);
  assert.equal(covers(['10.0.0.0/8'], '11.0.0.1'), false);
  assert.equal(covers(['127.0.0.1'], '::ffff:127.0.0.1'), true);
  assert.equal(covers(['::/0'], '127.0.0.1'), false);
  assert.equal(covers(['2001:db8::/32'], '2001:db8::1'), true);
  assert.deepEqual(checkAllowlist('', '1.2.3.4'), { cidrs: null, errors: [], coversCurrent: null });
  assert.equal(checkAllowlist('1.2.3.0/24', '1.2.3.4').coversCurrent, true);
  assert.equal(checkAllowlist('5.6.7.8', '1.2.3.4').coversCurrent, false);
  assert.equal(checkAllowlist('nonsense, 1.2.3.4', null).errors.length, 1);
});
