import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { SecureBuffer } from '../crypto/index.js';
import { hotp, newTotpSeed, totpStep, verifyTotp, TOTP_SEED_BYTES, type TotpAlgorithm } from './totp.js';

interface Rfc6238 {
  periodSeconds: number;
  digits: 8;
  seeds: Record<TotpAlgorithm, string>;
  vectors: ({ time: number; step: string } & Record<TotpAlgorithm, string>)[];
}
interface Rfc4226 { seed: string; digits: 6; vectors: { counter: number; hmac: string; hotp: string }[] }
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as T;
const rfc6238 = load<Rfc6238>('rfc6238.json');
const rfc4226 = load<Rfc4226>('rfc4226.json');
const ALGORITHMS: TotpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

const seedFromHex = (hex: string): SecureBuffer => SecureBuffer.from(Buffer.from(hex, 'hex'), { wipeSource: true });

test('every RFC 6238 Appendix B vector, for SHA-1, SHA-256 and SHA-512 with their 20/32/64-byte seeds', () => {
  assert.equal(rfc6238.vectors.length, 6);
  for (const algorithm of ALGORITHMS) {
    const seed = seedFromHex(rfc6238.seeds[algorithm]);
    assert.equal(seed.length, { sha1: 20, sha256: 32, sha512: 64 }[algorithm]);
    for (const v of rfc6238.vectors) {
      const step = totpStep(v.time * 1000, rfc6238.periodSeconds);
      assert.equal(step, parseInt(v.step, 16), `T for ${String(v.time)}`);
      const options = { algorithm, digits: rfc6238.digits, periodSeconds: rfc6238.periodSeconds };
      assert.equal(hotp(seed, step, options), v[algorithm], `${algorithm} at ${String(v.time)}`);
      const verified = verifyTotp(seed, v[algorithm], v.time * 1000, null, options);
      assert.deepEqual(verified, { ok: true, step }, `${algorithm} verifies at ${String(v.time)}`);
    }
    seed.release();
  }
});

test('every RFC 4226 Appendix D HOTP value, and its HMAC-SHA-1 through node:crypto', () => {
  const seed = seedFromHex(rfc4226.seed);
  for (const v of rfc4226.vectors) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(v.counter));
    assert.equal(createHmac('sha1', Buffer.from(rfc4226.seed, 'hex')).update(counter).digest('hex'), v.hmac);
    assert.equal(hotp(seed, v.counter), v.hotp, `counter ${String(v.counter)}`);
  }
  seed.release();
});

test('counters above 2^32 are encoded as 8 big-endian bytes (RFC 4226 §5.2)', () => {
  const raw = Buffer.from(rfc4226.seed, 'hex');
  const seed = seedFromHex(rfc4226.seed);
  for (const counter of [2 ** 32, 2 ** 32 + 5, 2 ** 40 + 123456789, Number.MAX_SAFE_INTEGER]) {
    const message = Buffer.alloc(8);
    message.writeBigUInt64BE(BigInt(counter));
    const mac = createHmac('sha1', raw).update(message).digest();
    const offset = (mac[19] ?? 0) & 0x0f;
    const expected = String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
    assert.equal(hotp(seed, counter), expected, `counter ${String(counter)}`);
  }
  seed.release();
});

const T0 = 1_700_000_000_000; // an arbitrary instant, ms
const codeAt = (seed: SecureBuffer, ms: number): string => hotp(seed, totpStep(ms));

test('a code from one step either side is accepted; two steps either side is refused', () => {
  const seed = newTotpSeed();
  const now = T0;
  const current = totpStep(now);
  for (const drift of [-1, 0, 1]) {
    assert.deepEqual(verifyTotp(seed, hotp(seed, current + drift), now, null), { ok: true, step: current + drift }, `drift ${String(drift)}`);
  }
  for (const drift of [-2, 2, -3, 3]) {
    const code = hotp(seed, current + drift);
    // A code far off may by chance equal one inside the window (1 in 10^6 per step): skip that.
    const collides = [-1, 0, 1].some((d) => hotp(seed, current + d) === code);
    if (!collides) assert.deepEqual(verifyTotp(seed, code, now, null), { ok: false }, `drift ${String(drift)}`);
  }
  seed.release();
});

test('step boundaries: a code from the last millisecond of a step still works until the next step ends', () => {
  const seed = newTotpSeed();
  const start = totpStep(T0) * 30_000;
  assert.equal(totpStep(start - 1), totpStep(start) - 1);
  const code = codeAt(seed, start - 1);
  assert.equal(verifyTotp(seed, code, start + 30_000 - 1, null).ok, true, 'one step late is still in the window');
  seed.release();
});

test('single use: the accepted step and every earlier one are refused afterwards', () => {
  const seed = newTotpSeed();
  const now = T0;
  const first = verifyTotp(seed, codeAt(seed, now), now, null);
  assert.ok(first.ok);
  // The same code again, even a second later: replay.
  assert.deepEqual(verifyTotp(seed, codeAt(seed, now), now + 1000, first.step), { ok: false });
  // An older code still inside the drift window is refused too: it is at or before the last step.
  assert.deepEqual(verifyTotp(seed, codeAt(seed, now - 30_000), now, first.step), { ok: false });
  // The next step's code is fine.
  const next = verifyTotp(seed, codeAt(seed, now + 30_000), now + 30_000, first.step);
  assert.deepEqual(next, { ok: true, step: first.step + 1 });
  // A code from the future (+1) accepted early makes the current step's code unusable afterwards.
  const ahead = verifyTotp(seed, codeAt(seed, now + 90_000), now + 60_000, next.ok ? next.step : null);
  assert.ok(ahead.ok);
  assert.deepEqual(verifyTotp(seed, codeAt(seed, now + 60_000), now + 60_000, ahead.step), { ok: false });
  seed.release();
});

test('codes of the wrong length, or with anything but ASCII digits, are refused', () => {
  const seed = newTotpSeed();
  const good = codeAt(seed, T0);
  assert.equal(verifyTotp(seed, good, T0, null).ok, true);
  const bad = [
    '', good.slice(1), `${good}0`, `0${good}`, ` ${good.slice(1)}`, `${good.slice(0, 5)} `, `${good.slice(0, 3)} ${good.slice(3)}`,
    `${good.slice(0, 5)}a`, '12345e', '+12345', '-12345', '1234.5', '０１２３４５', '١٢٣٤٥٦', `${good}\n`,
  ];
  for (const code of bad) assert.deepEqual(verifyTotp(seed, code, T0, null), { ok: false }, JSON.stringify(code));
  assert.deepEqual(verifyTotp(seed, 12345 as unknown as string, T0, null), { ok: false });
  seed.release();
});

test('a code one digit off, in any position, is refused', () => {
  const seed = newTotpSeed();
  const window = new Set([-1, 0, 1].map((d) => hotp(seed, totpStep(T0) + d)));
  const good = codeAt(seed, T0);
  for (let i = 0; i < good.length; i++) {
    const digit = Number(good[i]);
    const off = good.slice(0, i) + String((digit + 1) % 10) + good.slice(i + 1);
    if (!window.has(off)) assert.deepEqual(verifyTotp(seed, off, T0, null), { ok: false }, `position ${String(i)}`);
  }
  seed.release();
});

test('a random code is refused (the chance of a false accept is 3 in 10^6)', () => {
  const seed = newTotpSeed();
  const window = new Set([-1, 0, 1].map((d) => hotp(seed, totpStep(T0) + d)));
  let refused = 0;
  for (let i = 0; i < 200; i++) {
    const code = String(i * 4999 % 1_000_000).padStart(6, '0');
    if (!window.has(code)) {
      assert.equal(verifyTotp(seed, code, T0, null).ok, false);
      refused++;
    }
  }
  assert.ok(refused >= 197);
  seed.release();
});

test('seeds are 20 random bytes in secure memory; bad seeds and bad arguments throw', () => {
  const a = newTotpSeed();
  const b = newTotpSeed();
  assert.ok(a instanceof SecureBuffer);
  assert.equal(a.length, TOTP_SEED_BYTES);
  assert.equal(a.reveal((x) => b.reveal((y) => x.equals(y))), false);
  assert.throws(() => String(a), TypeError, 'a seed cannot become a string');
  assert.throws(() => verifyTotp(SecureBuffer.random(10), '123456', T0, null), RangeError);
  assert.throws(() => verifyTotp(Buffer.alloc(20) as unknown as SecureBuffer, '123456', T0, null), TypeError);
  assert.throws(() => verifyTotp(a, '123456', Number.NaN, null), RangeError);
  assert.throws(() => verifyTotp(a, '123456', T0, -1), RangeError);
  assert.throws(() => verifyTotp(a, '123456', T0, 1.5), RangeError);
  assert.throws(() => hotp(a, -1), RangeError);
  assert.throws(() => hotp(a, 0, { algorithm: 'md5' as TotpAlgorithm, digits: 6 }), RangeError);
  a.release();
  b.release();
  assert.throws(() => verifyTotp(a, '123456', T0, null), /after release/);
});

test('near the epoch there is no step -1 to accept', () => {
  const seed = newTotpSeed();
  assert.deepEqual(verifyTotp(seed, hotp(seed, 0), 0, null), { ok: true, step: 0 });
  assert.deepEqual(verifyTotp(seed, hotp(seed, 1), 0, null), { ok: true, step: 1 });
  seed.release();
});
