import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { SecureBuffer } from './secure-buffer.js';
import { equal } from './constant-time.js';
import { checkMemoryLocking } from './memory-lock.js';

test('a SecureBuffer refuses every way of becoming a string', () => {
  const b = SecureBuffer.from(Buffer.from('canary-secret'), { wipeSource: true });
  assert.throws(() => String(b), TypeError);
  assert.throws(() => `${b as unknown as string}`, TypeError);
  assert.throws(() => b.toString(), TypeError);
  assert.throws(() => JSON.stringify({ b }), TypeError);
  assert.throws(() => inspect(b), TypeError);
  assert.throws(() => (b as unknown as number) + 1, TypeError);
  b.release();
});

test('from() with wipeSource zeroes the source; release() zeroes the memory', () => {
  const source = Buffer.from('canary-secret');
  const b = SecureBuffer.from(source, { wipeSource: true });
  assert.ok(source.every((x) => x === 0));
  let view: Buffer | undefined;
  b.reveal((bytes) => { view = bytes; });
  b.release();
  assert.ok(view !== undefined && view.length === 13 && view.every((x) => x === 0), 'the memory a leaked view points at is zeroed');
  assert.ok(b.isReleased);
  assert.throws(() => b.reveal(() => 0), /after release/);
  b.release();
});

test('alloc is zero-filled; random is not; slice and clone are independent copies', () => {
  const z = SecureBuffer.alloc(64);
  assert.ok(z.reveal((x) => x.every((y) => y === 0)));
  const r = SecureBuffer.random(64);
  assert.ok(r.reveal((x) => x.some((y) => y !== 0)));
  const c = r.clone();
  const s = r.slice(8, 16);
  assert.ok(equal(c, r));
  assert.equal(s.length, 8);
  r.release();
  assert.equal(c.length, 64);
  assert.ok(c.reveal((x) => x.some((y) => y !== 0)));
  [z, c, s].forEach((x) => x.release());
  assert.equal(SecureBuffer.alloc(0).length, 0);
});

test('equal compares lengths and bytes, across SecureBuffers and plain arrays', () => {
  const a = SecureBuffer.from(Buffer.from('abc'), { wipeSource: false });
  assert.ok(equal(a, Buffer.from('abc')));
  assert.ok(!equal(a, Buffer.from('abd')));
  assert.ok(!equal(a, Buffer.from('abcd')));
  assert.ok(equal(new Uint8Array(), new Uint8Array()));
  a.release();
});

test('the memory-lock check reads the kernel and reports locking honestly', () => {
  const report = checkMemoryLocking();
  if (process.platform !== 'linux') {
    assert.equal(report.platform, 'unsupported');
    return;
  }
  assert.equal(report.platform, 'linux');
  assert.equal(typeof report.vmLckKiB, 'number');
  assert.match(report.summary, report.locked ? /is locked/ : /could NOT be locked/);
});

test('a burst of short-lived secrets reuses secure memory instead of mapping more', async () => {
  const { arenaStats } = await import('./secure-arena.js');
  for (let i = 0; i < 1000; i++) SecureBuffer.random(48).release();
  const before = arenaStats().arenaBytes;
  for (let i = 0; i < 200_000; i++) SecureBuffer.random(1 + (i % 300)).release();
  assert.equal(arenaStats().arenaBytes - before <= 64 * 1024 * 4, true, 'bounded by the live set, not by the churn');
});
