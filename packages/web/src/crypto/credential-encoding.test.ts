// A credential without a secret (Coinbase's CDP keys: a key name and a PEM private key) encodes to
// exactly what the Node side writes: no empty `secret` field. Checked against a hand-made vector of
// the protocol layout, and against the Node implementation through the fingerprint (an HMAC of the
// encoded bytes) and through the server's openCredential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locateCredentialFields } from '@keyward/protocol/credential-format';
import { SecureBuffer } from '../../../keyward/src/crypto/index.js';
import { openCredential, sealCredential } from '../../../keyward/src/vault/index.js';
import { encodeCredential } from './credential-encoding.js';
import { sealCredentialForUpload } from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const secure = (b: Uint8Array): SecureBuffer => SecureBuffer.from(Buffer.from(b), { wipeSource: false });

const PEM = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----';

test('vector: version 1, then tag, big-endian u32 length, bytes; a missing secret writes no field', () => {
  // 01 | 01 00000005 "org/k" | 04 00000003 "PEM"
  assert.equal(hex(encodeCredential({ apiKey: 'org/k', privateKey: utf8('PEM') })), '01' + '0100000005' + '6f72672f6b' + '0400000003' + '50454d');
  // 01 | 01 00000001 "k" | 02 00000001 "s" | 03 00000001 "p"
  assert.equal(hex(encodeCredential({ apiKey: 'k', secret: utf8('s'), passphrase: utf8('p') })), '01' + '01000000016b' + '020000000173' + '030000000170');
});

test('an empty secret is still written when given: absent and empty are different credentials', () => {
  const fields = locateCredentialFields(encodeCredential({ apiKey: 'k', secret: new Uint8Array(0) })).map((f) => f.field);
  assert.deepEqual(fields, ['apiKey', 'secret']);
});

test('a private-key credential sealed in the browser has the CLI vault\'s fingerprint and opens on the server with no secret', async () => {
  const userKey = crypto.getRandomValues(new Uint8Array(32));
  const accountId = 'acct-coinbase';
  const web = await sealCredentialForUpload(userKey, accountId, { name: 'cb', exchange: 'coinbase', apiKey: 'organizations/o/apiKeys/k', privateKey: utf8(PEM) });
  const cli = sealCredential(secure(userKey), accountId, 'another-id', { apiKey: 'organizations/o/apiKeys/k', privateKey: secure(utf8(PEM)) });
  assert.equal(web.fingerprint, cli.fingerprint.replaceAll('-', ''), 'the same encoded bytes on both sides');

  const opened = openCredential(secure(userKey), {
    id: web.id, accountId, ciphertext: Buffer.from(web.ciphertext, 'base64url'), wrappedDek: Buffer.from(web.wrappedDek, 'base64url'),
  });
  try {
    assert.equal(opened.apiKey, 'organizations/o/apiKeys/k');
    assert.equal(opened.secret, undefined, 'no empty secret for the server to mistake for one');
    assert.equal(opened.privateKey?.reveal((b) => b.toString('utf8')), PEM);
  } finally {
    opened.release();
  }
});
