// CDP JWTs built here with node:crypto, in the official SDK's claim set (iss "cdp") and in ccxt's
// (iss "coinbase-cloud", aud, iat; `uris` for EdDSA). ES256 is randomised, so tokens are checked
// by verifying, never by comparing strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createKeyStore, type KeyMaterial, type StoredKey } from '../keys.js';
import { verifyCdpJwt } from './coinbase-auth.js';

const NOW = 1_700_000_000;
const URI = 'GET api.coinbase.com/api/v3/brokerage/accounts';

const store = createKeyStore();
const es = store.create({ exchange: 'coinbase' }, 'acct', 0);
const ed = store.create({ exchange: 'coinbase', keyType: 'ed25519' }, 'acct', 0);

function privateKeyOf(material: KeyMaterial): KeyObject {
  if (material.keyType === 'es256') return createPrivateKey(material.secret);
  const raw = Buffer.from(material.secret, 'base64');
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: raw.subarray(0, 32).toString('base64url'), x: raw.subarray(32).toString('base64url') }, format: 'jwk' });
}

function jwt(material: KeyMaterial, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const alg = material.keyType === 'es256' ? 'ES256' : 'EdDSA';
  const h = Buffer.from(JSON.stringify({ alg, kid: material.apiKey, nonce: randomBytes(16).toString('hex'), typ: 'JWT', ...header })).toString('base64url');
  const c = Buffer.from(JSON.stringify({ sub: material.apiKey, iss: 'cdp', nbf: NOW, exp: NOW + 120, uri: URI, ...claims })).toString('base64url');
  const input = Buffer.from(`${h}.${c}`);
  const sig = alg === 'ES256'
    ? sign('sha256', input, { key: privateKeyOf(material), dsaEncoding: 'ieee-p1363' })
    : sign(null, input, privateKeyOf(material));
  return `${h}.${c}.${sig.toString('base64url')}`;
}

function check(token: string, nowSeconds = NOW, acceptedUris: readonly string[] = [URI]): string {
  const v = verifyCdpJwt({ token, acceptedUris, nowSeconds, findKey: (name): StoredKey | undefined => store.find('coinbase', name) });
  return v.ok ? 'ok' : v.reason;
}

test('tokens in the official SDK and ccxt shapes verify, for ES256 and EdDSA keys', () => {
  assert.equal(check(jwt(es.material, {})), 'ok');
  assert.equal(check(jwt(es.material, { iss: 'coinbase-cloud', aud: ['retail_rest_api_proxy'], iat: NOW })), 'ok');
  assert.equal(check(jwt(ed.material, {})), 'ok');
  assert.equal(check(jwt(ed.material, { uri: undefined, uris: [URI], aud: ['cdp_service'] })), 'ok');
});

test('the lifetime is the documented two minutes, checked against nbf and exp', () => {
  const t = jwt(es.material, {});
  assert.equal(check(t, NOW + 119), 'ok');
  assert.equal(check(t, NOW + 120), 'token expired');
  assert.equal(check(t, NOW - 1), 'token not yet valid');
  assert.equal(check(jwt(es.material, { exp: NOW + 121 })), 'token lifetime exceeds 120 seconds');
  assert.equal(check(jwt(es.material, { exp: undefined })), 'nbf and exp are required');
});

test('the uri claim must name this method and path; the query is not part of it', () => {
  assert.equal(check(jwt(es.material, { uri: 'POST api.coinbase.com/api/v3/brokerage/accounts' })), 'uri claim does not match the request');
  assert.equal(check(jwt(es.material, { uri: 'GET api.coinbase.com/api/v3/brokerage/orders' })), 'uri claim does not match the request');
  assert.equal(check(jwt(es.material, { uri: `${URI}?limit=2` })), 'uri claim does not match the request');
  assert.equal(check(jwt(es.material, { uri: undefined })), 'uri claim does not match the request');
});

test('forged, mismatched and malformed tokens are refused', () => {
  const other = store.create({ exchange: 'coinbase' }, 'acct', 0).material;
  const forged = jwt({ ...other, apiKey: es.material.apiKey }, {});
  assert.equal(check(forged), 'invalid signature');
  const [h, c, s] = jwt(es.material, {}).split('.');
  const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(c ?? '', 'base64url').toString()), exp: NOW + 100_000 })).toString('base64url');
  assert.equal(check(`${h ?? ''}.${tampered}.${s ?? ''}`), 'invalid signature');
  assert.equal(check(jwt(es.material, {}, { kid: 'someone-else' })), 'kid and sub must name the key');
  assert.equal(check(jwt(es.material, {}, { alg: 'none' })), 'unsupported alg');
  assert.equal(check(jwt(es.material, {}, { alg: 'EdDSA' })), 'alg does not match the key');
  assert.equal(check(jwt(es.material, { iss: 'someone' })), 'invalid issuer');
  assert.equal(check('a.b'), 'malformed token');
  assert.equal(check(`${h ?? ''}.${c ?? ''}.`), 'malformed token');
});
