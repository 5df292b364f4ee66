import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from './routes.js';

test('hash routes: known screens parse, anything else is no route', () => {
  assert.equal(parseRoute('#/trade'), 'trade');
  assert.equal(parseRoute('#portfolio'), 'portfolio');
  assert.equal(parseRoute('#/security/tokens'), 'security');
  assert.equal(parseRoute('#/exchanges?x=1'), 'exchanges');
  for (const h of ['', '#', '#/', '#/admin', '#/Trade', '#/__proto__']) assert.equal(parseRoute(h), null, h);
});
