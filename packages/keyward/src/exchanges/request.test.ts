// The request helpers every adapter signs with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withAuthHeaders } from './request.js';

test('withAuthHeaders drops the client\'s authentication headers in any case, and sets the signer\'s', () => {
  const client = {
    'content-type': 'application/json', 'X-MBX-APIKEY': 'kw_token', 'Api-Sign': 'forged', 'x-custom': '1', 'API-KEY': 'kw_token',
  };
  const out = withAuthHeaders(client, ['api-sign', 'x-mbx-apikey'], { 'api-key': 'real-key', 'api-sign': 'real-signature' });
  assert.deepEqual(out, { 'content-type': 'application/json', 'x-custom': '1', 'api-key': 'real-key', 'api-sign': 'real-signature' });
  assert.deepEqual(client['X-MBX-APIKEY'], 'kw_token', 'the client\'s headers are not changed');
});
