import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, type Cidr } from '@keyward/protocol/policy';
import { cidrContains, cidrMatches, cidrsOutside, isAddressAllowed } from './cidr.js';

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  assert.ok(c !== null, text);
  return c;
}

test('IPv4 containment', () => {
  assert.ok(cidrContains(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')));
  assert.ok(cidrContains(cidr('10.0.0.0/8'), cidr('10.0.0.0/8')));
  assert.ok(cidrContains(cidr('10.0.0.0/8'), cidr('10.255.255.255')));
  assert.ok(cidrContains(cidr('0.0.0.0/0'), cidr('203.0.113.0/24')));
  assert.ok(!cidrContains(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')), 'wider is not inside narrower');
  assert.ok(!cidrContains(cidr('10.0.0.0/8'), cidr('11.0.0.0/16')));
  assert.ok(!cidrContains(cidr('10.0.0.0/9'), cidr('10.128.0.0/9')));
  assert.ok(!cidrContains(cidr('192.0.2.0/25'), cidr('192.0.2.128/25')));
});

test('IPv6 containment, across the 64-bit halves', () => {
  assert.ok(cidrContains(cidr('2001:db8::/32'), cidr('2001:db8:1234::/48')));
  assert.ok(cidrContains(cidr('2001:db8::/32'), cidr('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')));
  assert.ok(cidrContains(cidr('::/0'), cidr('2001:db8::/32')));
  assert.ok(cidrContains(cidr('2001:db8:0:0:8000::/65'), cidr('2001:db8::8000:0:0:1')));
  assert.ok(!cidrContains(cidr('2001:db8::/65'), cidr('2001:db8::8000:0:0:0/66')));
  assert.ok(!cidrContains(cidr('2001:db8::/48'), cidr('2001:db8::/32')));
  assert.ok(!cidrContains(cidr('2001:db8::/32'), cidr('2001:db9::/48')));
});

test('families never contain each other; mapped IPv4 is IPv4', () => {
  assert.ok(!cidrContains(cidr('::/0'), cidr('10.0.0.0/8')));
  assert.ok(!cidrContains(cidr('0.0.0.0/0'), cidr('::/0')));
  assert.ok(cidrContains(cidr('10.0.0.0/8'), cidr('::ffff:10.1.0.0/112')));
  assert.ok(cidrContains(cidr('::ffff:10.0.0.0/104'), cidr('10.1.0.0/16')));
});

test('address matching', () => {
  assert.ok(cidrMatches(cidr('10.0.0.0/8'), { family: 4, value: 0x0a0b0c0dn }));
  assert.ok(!cidrMatches(cidr('10.0.0.0/8'), { family: 4, value: 0x0b000000n }));
  assert.ok(isAddressAllowed(['10.0.0.0/8'], '10.2.3.4'));
  assert.ok(isAddressAllowed(['10.0.0.0/8'], '::ffff:10.2.3.4'), 'an IPv4 client on a dual-stack listener');
  assert.ok(isAddressAllowed(['192.0.2.7'], '192.0.2.7'));
  assert.ok(!isAddressAllowed(['192.0.2.7'], '192.0.2.8'));
  assert.ok(isAddressAllowed(['2001:db8::/32'], '2001:DB8::1'));
  assert.ok(!isAddressAllowed(['::/0'], '10.2.3.4'), '::/0 is every IPv6 address, no IPv4 one');
  assert.ok(!isAddressAllowed(['0.0.0.0/0'], '::1'));
  assert.ok(!isAddressAllowed(['0.0.0.0/0'], 'not-an-address'), 'an address that does not parse is refused');
  assert.ok(!isAddressAllowed(['0.0.0.0/0'], ''));
  assert.ok(!isAddressAllowed(['fe80::/10'], 'fe80::1%eth0'), 'zone ids are not read');
  assert.ok(!isAddressAllowed(['bogus'], '10.0.0.1'), 'a CIDR that does not parse matches nothing');
  assert.ok(!isAddressAllowed([], '10.0.0.1'));
});

test('list containment: each child CIDR inside one parent CIDR', () => {
  assert.deepEqual(cidrsOutside(['10.1.0.0/16', '2001:db8:1::/48'], ['10.0.0.0/8', '2001:db8::/32']), []);
  assert.deepEqual(cidrsOutside(['10.1.0.0/16', '11.0.0.0/8'], ['10.0.0.0/8']), ['11.0.0.0/8']);
  assert.deepEqual(cidrsOutside(['10.0.0.0/8'], ['10.0.0.0/9', '10.128.0.0/9']), ['10.0.0.0/8'], 'a union of parents does not count');
  assert.deepEqual(cidrsOutside([], ['10.0.0.0/8']), []);
  assert.deepEqual(cidrsOutside(['10.0.0.0/8'], []), ['10.0.0.0/8']);
});
