import { test } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';
import { base32Encode } from './base32.js';
import { enrolmentQr, otpauthUri } from './enrolment.js';
import { hotp, newTotpSeed } from './totp.js';

test('base32 matches RFC 4648 §10, without padding', () => {
  const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, encoded] of cases) assert.equal(base32Encode(Buffer.from(plain, 'latin1')), encoded, plain);
  // The RFC 6238 seed, as authenticator apps are usually shown it.
  assert.equal(base32Encode(Buffer.from('12345678901234567890', 'latin1')), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
});

/** An independent RFC 4648 decoder, for the round trip. */
function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...s].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

test('otpauthUri: the Key Uri Format, with the seed in base32 and the defaults spelled out', () => {
  const seed = newTotpSeed();
  const uri = otpauthUri(seed, 'alice@example.com');
  const url = new URL(uri);
  assert.equal(url.protocol, 'otpauth:');
  assert.equal(url.host, 'totp');
  assert.equal(decodeURIComponent(url.pathname), '/Keyward:alice@example.com');
  assert.equal(url.searchParams.get('issuer'), 'Keyward');
  assert.equal(url.searchParams.get('algorithm'), 'SHA1');
  assert.equal(url.searchParams.get('digits'), '6');
  assert.equal(url.searchParams.get('period'), '30');
  const secret = url.searchParams.get('secret') ?? '';
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const decoded = base32Decode(secret);
  assert.equal(seed.reveal((s) => s.equals(decoded)), true);
  // The app and the server then agree on the codes.
  const fromApp = SecureBuffer.from(decoded, { wipeSource: true });
  assert.equal(hotp(fromApp, 123), hotp(seed, 123));
  fromApp.release();
  seed.release();
});

test('otpauthUri escapes the label and the issuer, and refuses a colon or control characters', () => {
  const seed = newTotpSeed();
  const uri = otpauthUri(seed, 'bob smith/&?#', 'Keyward Test');
  const url = new URL(uri);
  assert.equal(decodeURIComponent(url.pathname), '/Keyward Test:bob smith/&?#');
  assert.equal(url.searchParams.get('issuer'), 'Keyward Test');
  for (const bad of ['a:b', '', 'x'.repeat(101), 'line\nbreak']) {
    assert.throws(() => otpauthUri(seed, bad), (e: unknown) => e instanceof KeywardError && e.code === 'KW_INPUT_INVALID', JSON.stringify(bad));
  }
  assert.throws(() => otpauthUri(seed, 'alice', 'Evil:Corp'), KeywardError);
  seed.release();
});

test('enrolmentQr draws the URI as an SVG QR code that holds exactly that URI', async () => {
  const seed = newTotpSeed();
  const uri = otpauthUri(seed, 'alice@example.com');
  const svg = await enrolmentQr(uri);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"/);
  assert.match(svg, /<path [^>]*d="M/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal(await enrolmentQr(uri), svg, 'the same URI draws the same picture');
  // What the QR code encodes is the URI, byte for byte (read back from the symbol's segments).
  const symbol = QRCode.create(uri, { errorCorrectionLevel: 'M' });
  const text = symbol.segments.map((s) => (typeof s.data === 'string' ? s.data : Buffer.from(s.data).toString('latin1'))).join('');
  assert.equal(text, uri);
  const size = symbol.modules.size;
  assert.equal(svg.match(/viewBox="0 0 (\d+)/)?.[1], String(size + 8), 'the symbol plus a 4-module quiet zone on each side');
  await assert.rejects(enrolmentQr('https://example.com/'), KeywardError);
  seed.release();
});
