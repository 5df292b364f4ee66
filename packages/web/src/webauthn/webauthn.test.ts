import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b64urlToBytes, bytesToB64url, creationOptionsFromJson, credentialToJson, requestOptionsFromJson } from './webauthn.js';

test('base64url both ways, without padding', () => {
  for (const n of [0, 1, 2, 3, 31, 32, 33]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 250) & 0xff);
    const text = bytesToB64url(bytes);
    assert.equal(text, Buffer.from(bytes).toString('base64url'));
    assert.deepEqual(b64urlToBytes(text), bytes);
  }
});

test('registration options: challenge, user id and excluded ids become bytes; the rest is kept', () => {
  const o = creationOptionsFromJson({
    challenge: 'AAEC', rp: { id: 'localhost', name: 'Keyward' }, user: { id: 'AwQF', name: 'a@b.c', displayName: 'a@b.c' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }], excludeCredentials: [{ id: 'Bgc', type: 'public-key', transports: ['usb'] }],
  });
  assert.deepEqual([...new Uint8Array(o.challenge as Uint8Array)], [0, 1, 2]);
  assert.deepEqual([...new Uint8Array(o.user.id as Uint8Array)], [3, 4, 5]);
  assert.deepEqual([...new Uint8Array(o.excludeCredentials?.[0]?.id as Uint8Array)], [6, 7]);
  assert.equal(o.rp.name, 'Keyward');
});

test('request options: challenge and allowed ids become bytes; rpId and the rest are kept', () => {
  const o = requestOptionsFromJson({ challenge: 'CAkK', rpId: 'localhost', userVerification: 'preferred', allowCredentials: [{ id: 'Cww', type: 'public-key', transports: ['internal'] }] });
  assert.deepEqual([...new Uint8Array(o.challenge as Uint8Array)], [8, 9, 10]);
  assert.deepEqual([...new Uint8Array(o.allowCredentials?.[0]?.id as Uint8Array)], [11, 12]);
  assert.deepEqual(o.allowCredentials?.[0]?.transports, ['internal']);
  assert.equal(o.rpId, 'localhost');
  assert.equal(o.userVerification, 'preferred');
});

test('an assertion becomes AuthenticationResponseJSON: every binary member base64url, no attestation members', () => {
  const buf = (...b: number[]): ArrayBuffer => Uint8Array.from(b).buffer;
  const cred = {
    id: 'AQI', rawId: buf(1, 2), type: 'public-key', authenticatorAttachment: 'platform',
    response: { clientDataJSON: buf(3), authenticatorData: buf(4, 5), signature: buf(6), userHandle: buf(7) },
    getClientExtensionResults: () => ({}),
  } as unknown as PublicKeyCredential;
  assert.deepEqual(credentialToJson(cred), {
    id: 'AQI', rawId: 'AQI', type: 'public-key', authenticatorAttachment: 'platform', clientExtensionResults: {},
    response: { clientDataJSON: 'Aw', authenticatorData: 'BAU', signature: 'Bg', userHandle: 'Bw' },
  });
});
