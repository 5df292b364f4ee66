import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionsOf, refusedPermissions } from './credentials.js';
import { ApiError } from './http.js';

const refused = { read: true, trade: true, withdraw: true, transfer: null, ipRestricted: false, ipAllowlist: null };

test('a 422 KW_CREDENTIAL_REFUSED problem\'s permissions member is what the refused key could do', () => {
  assert.deepEqual(refusedPermissions(new ApiError(422, 'KW_CREDENTIAL_REFUSED', 'Refused', 'can withdraw', { permissions: refused })), refused);
  assert.equal(refusedPermissions(new ApiError(422, 'KW_CREDENTIAL_REFUSED', 'Refused', undefined, {})), null, 'an older server: no list');
  assert.equal(refusedPermissions(new ApiError(400, 'KW_INPUT_INVALID', 'Invalid', undefined, { permissions: refused })), null);
  assert.equal(refusedPermissions(new Error('x')), null);
});

test('anything not shaped like permissions is treated as absent', () => {
  assert.equal(permissionsOf(null), null);
  assert.equal(permissionsOf('withdraw'), null);
  assert.equal(permissionsOf({ read: 'yes' }), null);
  assert.equal(permissionsOf({}), null, 'no flag at all says nothing');
  assert.deepEqual(permissionsOf({ withdraw: true, ipAllowlist: ['1.2.3.4', 5] }),
    { read: null, trade: null, withdraw: true, transfer: null, ipRestricted: null, ipAllowlist: null });
  assert.deepEqual(permissionsOf({ ipRestricted: true, ipAllowlist: ['1.2.3.4'] })?.ipAllowlist, ['1.2.3.4']);
});
