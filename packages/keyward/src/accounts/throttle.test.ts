import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThrottle, THROTTLE_DEFAULTS, type AttemptKey, type Burst, type ThrottleOptions } from './throttle.js';
import { sourceAddressKey } from './source-address.js';

const CAP_SECONDS = THROTTLE_DEFAULTS.maxDelayMs / 1000;

function setup(overrides: Partial<ThrottleOptions> = {}) {
  let t = 1_700_000_000_000;
  const bursts: Burst[] = [];
  const throttle = createThrottle({ now: () => t, onBurst: (b) => bursts.push(b), ...overrides });
  return {
    throttle,
    bursts,
    advance(seconds: number) { t += seconds * 1000; },
    /** A wrong password, as the API would handle it: check first, and fail only if allowed. */
    wrong(key: AttemptKey): number | null {
      const d = throttle.check(key);
      if (!d.allowed) return d.retryAfterSeconds;
      throttle.fail(key);
      return null;
    },
    /** A wrong password from a patient attacker, who waits as long as asked; returns the waits. */
    wrongAfterWaiting(key: AttemptKey): number[] {
      const waits: number[] = [];
      for (let d = throttle.check(key); !d.allowed; d = throttle.check(key)) {
        waits.push(d.retryAfterSeconds);
        t += d.retryAfterSeconds * 1000;
      }
      throttle.fail(key);
      return waits;
    },
  };
}

const attacker = (i: number): AttemptKey => ({ account: 'alice', address: `198.51.${String(i >> 8)}.${String(i & 0xff)}`, knownDevice: false });
const ownerDevice: AttemptKey = { account: 'alice', address: '203.0.113.7', knownDevice: true };

test('200 wrong passwords against one account from 200 addresses: growing delays, and the owner still signs in at once', () => {
  const { throttle, bursts, advance, wrong } = setup();
  const waits: number[] = [];
  let elapsed = 0;
  for (let i = 0; i < 200; i++) {
    // The attacker waits as long as asked, then tries again from a fresh address.
    for (let retry = wrong(attacker(i)); retry !== null; retry = wrong(attacker(i))) {
      assert.ok(retry <= CAP_SECONDS, `asked to wait ${String(retry)} s`);
      waits.push(retry);
      advance(retry);
      elapsed += retry;
    }
    if (i % 20 === 19) {
      // The owner, on a device that signed in before, is never asked to wait.
      assert.deepEqual(throttle.check(ownerDevice), { allowed: true }, `owner after ${String(i + 1)} attacker failures`);
      throttle.succeed(ownerDevice);
    }
  }
  // The first five failures are free; then 1 s, doubling, up to the cap, and never above it.
  assert.deepEqual(waits.slice(0, 11), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
  for (let i = 1; i < waits.length; i++) assert.ok((waits[i] ?? 0) >= (waits[i - 1] ?? 0), 'delays only grow while the attack lasts');
  assert.ok(waits.every((w) => w <= CAP_SECONDS));
  assert.equal(waits.length, 195);
  // 200 guesses took the attacker about two days instead of a few seconds.
  assert.ok(elapsed > 40 * 3600, `${String(elapsed)} s`);
  // The owner's sign-ins gave the attacker nothing back: the next guess still waits the cap.
  assert.equal(throttle.check(attacker(1000)).allowed, false);
  // The owner was told, once per threshold per day (failed and refused attempts both count).
  const windows = new Map<number, Burst[]>();
  for (const b of bursts) windows.set(b.windowStartedAt, [...(windows.get(b.windowStartedAt) ?? []), b]);
  assert.ok(windows.size >= 2, 'the attack spanned more than one day');
  for (const reports of windows.values()) {
    const thresholds = reports.map((b) => b.threshold);
    assert.deepEqual(thresholds, THROTTLE_DEFAULTS.burstThresholds.slice(0, thresholds.length));
    assert.ok(reports.every((b) => b.account === 'alice' && b.attempts === b.threshold));
  }
  assert.deepEqual([...windows.values()][0]?.map((b) => b.threshold), [10, 50, 200]);
});

test('the owner on a new device during an attack waits like the attacker, at most the cap (a delay, not a lockout)', () => {
  const { throttle, advance, wrongAfterWaiting } = setup();
  for (let i = 0; i < 30; i++) wrongAfterWaiting(attacker(i));
  const newDevice: AttemptKey = { account: 'alice', address: '192.0.2.50', knownDevice: false };
  const d = throttle.check(newDevice);
  assert.equal(d.allowed, false);
  assert.ok(!d.allowed && d.retryAfterSeconds <= CAP_SECONDS);
  advance(d.allowed ? 0 : d.retryAfterSeconds);
  assert.deepEqual(throttle.check(newDevice), { allowed: true });
  throttle.succeed(newDevice);
  // Success gives back only the owner's own attempt: the attacker is still slowed.
  assert.equal(throttle.check(attacker(99)).allowed, false);
});

test('a flood of parallel attempts: only the free ones pass before any result is known', () => {
  const { throttle } = setup();
  const decisions = Array.from({ length: 100 }, (_, i) => throttle.check(attacker(i)));
  assert.equal(decisions.filter((d) => d.allowed).length, THROTTLE_DEFAULTS.freeFailures);
});

test('one address spraying many accounts is delayed, while those accounts stay open to others', () => {
  const { throttle, advance, wrong } = setup();
  const sprayer = (n: number): AttemptKey => ({ account: `user-${String(n)}`, address: '192.0.2.66', knownDevice: false });
  const waits: number[] = [];
  for (let n = 0; n < 30; n++) {
    for (let retry = wrong(sprayer(n)); retry !== null; retry = wrong(sprayer(n))) {
      waits.push(retry);
      advance(retry);
    }
  }
  assert.deepEqual(waits.slice(0, 6), [1, 2, 4, 8, 16, 32]);
  assert.ok(waits.every((w) => w <= CAP_SECONDS));
  // Each sprayed account saw one failure; its owner from any other address is not delayed.
  assert.deepEqual(throttle.check({ account: 'user-3', address: '192.0.2.67', knownDevice: false }), { allowed: true });
});

test('IPv6 is counted per /64, and IPv4-mapped IPv6 as the IPv4 address', () => {
  const { throttle } = setup();
  for (let i = 1; i <= 5; i++) {
    assert.equal(throttle.check({ account: `v6-${String(i)}`, address: `2001:db8:1:2::${i.toString(16)}`, knownDevice: false }).allowed, true);
  }
  assert.equal(throttle.check({ account: 'v6-x', address: '2001:db8:1:2:ffff:1:2:3', knownDevice: false }).allowed, false, 'same /64');
  assert.equal(throttle.check({ account: 'v6-y', address: '2001:db8:1:3::1', knownDevice: false }).allowed, true, 'next /64');
  assert.equal(sourceAddressKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(sourceAddressKey('[2001:DB8::1%eth0]'), '2001:db8:0:0::/64');
  assert.equal(sourceAddressKey('2001:db8:a:b:c::1.2.3.4'), '2001:db8:a:b::/64');
  assert.equal(sourceAddressKey('::1'), '0:0:0:0::/64');
  assert.equal(sourceAddressKey('not an address'), 'other:not an address');
});

test('a stolen device cookie does not buy unlimited guesses: known devices have their own delays', () => {
  const { throttle, advance, wrong } = setup();
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    for (let retry = wrong(ownerDevice); retry !== null; retry = wrong(ownerDevice)) {
      waits.push(retry);
      advance(retry);
    }
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64]);
  // Those failures never touched the unknown-device bucket, nor the address's.
  assert.deepEqual(throttle.check({ account: 'alice', address: ownerDevice.address, knownDevice: false }), { allowed: true });
  // The owner's own success on the device forgets the typos.
  advance(128);
  assert.deepEqual(throttle.check(ownerDevice), { allowed: true });
  throttle.succeed(ownerDevice);
  for (let i = 0; i < THROTTLE_DEFAULTS.freeFailures; i++) assert.equal(wrong(ownerDevice), null);
});

test('an attacker behind the owner\'s address cannot delay the owner\'s known device', () => {
  const { throttle, wrongAfterWaiting } = setup();
  for (let i = 0; i < 40; i++) wrongAfterWaiting({ account: `victim-${String(i)}`, address: ownerDevice.address, knownDevice: false });
  assert.equal(throttle.check({ account: 'alice', address: ownerDevice.address, knownDevice: false }).allowed, false);
  assert.deepEqual(throttle.check(ownerDevice), { allowed: true });
});

test('a success from an address gives back only its own attempt, never the other failures there', () => {
  const { throttle, wrong } = setup();
  const mine: AttemptKey = { account: 'mallory', address: '192.0.2.99', knownDevice: false };
  for (let i = 0; i < 4; i++) assert.equal(wrong({ account: `v-${String(i)}`, address: mine.address, knownDevice: false }), null);
  // Mallory signs in to her own account between guesses: the address's count does not reset.
  assert.deepEqual(throttle.check(mine), { allowed: true });
  throttle.succeed(mine);
  assert.equal(wrong({ account: 'v-4', address: mine.address, knownDevice: false }), null);
  assert.equal(throttle.check({ account: 'v-5', address: mine.address, knownDevice: false }).allowed, false);
});

test('quiet time forgives failures one interval at a time', () => {
  const { throttle, advance, wrong } = setup();
  const key: AttemptKey = { account: 'carol', address: '192.0.2.5', knownDevice: false };
  for (let i = 0; i < 5; i++) assert.equal(wrong(key), null);
  assert.deepEqual(throttle.check(key), { allowed: false, retryAfterSeconds: 1 });
  advance(THROTTLE_DEFAULTS.forgiveEveryMs / 1000);
  // One failure forgiven: the next one brings the count back to 5, so 1 s again rather than 2 s.
  assert.equal(wrong(key), null);
  assert.deepEqual(throttle.check(key), { allowed: false, retryAfterSeconds: 1 });
  advance(5 * THROTTLE_DEFAULTS.forgiveEveryMs / 1000);
  for (let i = 0; i < 5; i++) assert.equal(wrong(key), null, 'all forgiven');
});

test('delays never exceed the cap, whatever the sequence (random walk, several limits)', () => {
  for (const maxDelayMs of [THROTTLE_DEFAULTS.maxDelayMs, 60_000, 1000]) {
    const { throttle, advance } = setup({ maxDelayMs });
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const key: AttemptKey = { account: `a${String(rand(3))}`, address: `192.0.2.${String(rand(4))}`, knownDevice: rand(4) === 0 };
      const d = throttle.check(key);
      if (d.allowed) {
        if (rand(10) === 0) throttle.succeed(key);
        else throttle.fail(key);
      } else {
        assert.ok(d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= Math.ceil(maxDelayMs / 1000), `${String(d.retryAfterSeconds)} s with cap ${String(maxDelayMs)} ms`);
      }
      advance(rand(120));
    }
  }
});

test('state is bounded, and a flood of junk keys does not evict the bucket that is slowing an attack', () => {
  const { throttle, advance, wrong } = setup({ maxAccounts: 50, maxAddresses: 40 });
  for (let i = 0; i < 6; i++) wrong(attacker(i));
  assert.equal(throttle.check(attacker(100)).allowed, false);
  for (let i = 0; i < 10_000; i++) {
    wrong({ account: `junk-${String(i)}`, address: `10.${String(i >> 16)}.${String((i >> 8) & 0xff)}.${String(i & 0xff)}`, knownDevice: false });
    const s = throttle.stats();
    assert.ok(s.accounts <= 50 && s.addresses <= 40, JSON.stringify(s));
  }
  // Alice's count survived the flood: past the delay, her next attempt is the sixth, not the first.
  advance(2);
  assert.deepEqual(throttle.check(attacker(101)), { allowed: true });
  assert.deepEqual(throttle.check(attacker(102)), { allowed: false, retryAfterSeconds: 2 });
  // Keys far longer than any real name cost a fixed size.
  wrong({ account: 'x'.repeat(1_000_000), address: '192.0.2.1', knownDevice: false });
  assert.ok(throttle.stats().accounts <= 50);
});

test('refused attempts count toward bursts only for accounts already being counted', () => {
  const { throttle, bursts } = setup({ burstThresholds: [3] });
  const sprayer = (n: number): AttemptKey => ({ account: `new-${String(n)}`, address: '192.0.2.200', knownDevice: false });
  for (let n = 0; n < 5; n++) assert.equal(throttle.check(sprayer(n)).allowed, true);
  const before = throttle.stats().accounts;
  for (let n = 5; n < 1000; n++) assert.equal(throttle.check(sprayer(n)).allowed, false);
  assert.equal(throttle.stats().accounts, before, 'refusals create no state');
  assert.equal(bursts.length, 0);
  for (let i = 0; i < 3; i++) throttle.check({ account: 'new-0', address: '192.0.2.200', knownDevice: false });
  assert.deepEqual(bursts.map((b) => [b.account, b.attempts, b.threshold]), [['new-0', 3, 3]]);
});

test('limits are checked once, with every problem named', () => {
  assert.throws(() => createThrottle({ now: () => 0, freeFailures: 0, maxDelayMs: 10, baseDelayMs: 100 }), /freeFailures.*maxDelayMs/);
  assert.throws(() => createThrottle({ now: () => 0, burstThresholds: [10, 5] }), /burstThresholds/);
  assert.throws(() => createThrottle({ now: () => 0, maxAccounts: 0 }), /maxAccounts/);
});
