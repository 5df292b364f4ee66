import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guideFor } from './guides.js';

test('the key guide names the address Keyward\'s requests come from, when the server says it', () => {
  const steps = guideFor('binance', 'Binance', '198.51.100.4').steps;
  assert.ok(steps.some((s) => s.includes('the IP address 198.51.100.4')), steps.join('\n'));
  assert.ok(guideFor('kraken', 'Kraken', '2001:db8::4').steps.some((s) => s.startsWith('Under Advanced settings, restrict the key to the IP address 2001:db8::4')));
  assert.ok(guideFor('coinbase', 'Coinbase', '198.51.100.4').steps.some((s) => s.startsWith('Add an IP allowlist entry for the IP address 198.51.100.4')));
  assert.ok(guideFor('someex', 'Some', '198.51.100.4').steps.some((s) => s.includes('198.51.100.4')), 'the generic guide too');
});

test('words instead of an address are used as they are; nothing known: a trusted address, named after connecting', () => {
  assert.ok(guideFor('okx', 'OKX', 'the public address of this server').steps.some((s) => s.includes('Restrict the key to the public address of this server:')));
  assert.ok(guideFor('okx', 'OKX', null).steps.some((s) => s.includes('a trusted IP address')));
});
