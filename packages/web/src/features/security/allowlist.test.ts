import { test } from 'node:test';
import assert from 'node:assert/strict';
import { savedAllowlist } from './allowlist.js';

test('the saved list as the editor shows it, and whether it covers the address the server sees', () => {
  assert.deepEqual(savedAllowlist(null, '203.0.113.7'), { text: '', entries: [], coversAddress: true });
  assert.deepEqual(savedAllowlist(['10.0.0.0/8', '203.0.113.7'], '203.0.113.7'), { text: '10.0.0.0/8\n203.0.113.7', entries: ['10.0.0.0/8', '203.0.113.7'], coversAddress: true });
  assert.equal(savedAllowlist(['10.0.0.0/8'], '203.0.113.7').coversAddress, false);
  assert.equal(savedAllowlist(['2001:db8::/32'], '2001:db8::1').coversAddress, true);
  assert.equal(savedAllowlist(['10.0.0.0/8'], 'not an address').coversAddress, false);
});
