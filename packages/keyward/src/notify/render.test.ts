import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOTIFICATION_KINDS, render, type NotificationFacts } from './index.js';

const TOKEN = `kw_${'A'.repeat(20)}b${'C'.repeat(22)}`;
const ACCESSOR = 'kwa_0123456789abcdef0123';

test('every kind has its own plain-English title and a body that ends with what to do', () => {
  const titles = new Set<string>();
  for (const kind of NOTIFICATION_KINDS) {
    const { title, body } = render(kind, {});
    assert.match(title, /^[A-Z][A-Za-z ':,-]+$/, kind);
    assert.ok(!/[\r\n]/.test(title), kind);
    assert.ok(body.length > 40 && body.split('\n\n').length >= 2, kind);
    titles.add(title);
  }
  assert.equal(titles.size, NOTIFICATION_KINDS.length);
});

test('facts are told: when, where from, on what device, which token by label and accessor', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);
  const signIn = render('new-device', { at, ip: '203.0.113.9', userAgent: 'Firefox/140' });
  assert.match(signIn.body, /When: 2026-01-02 03:04:05 UTC\nAddress: 203\.0\.113\.9\nDevice: “Firefox\/140”/);
  const revoked = render('token-revoked', { tokenLabel: 'nightly bot', accessor: ACCESSOR, count: 3 });
  assert.match(revoked.body, /^The bot token “nightly bot” \(kwa_0123456789abcdef0123\) was revoked, together with the tokens it issued \(3 tokens in all\)/);
  assert.match(render('failed-attempts', { count: 1 }).body, /1 failed sign-in attempt on/);
  assert.match(render('break-glass', { tokensRevoked: 4, sessionsEnded: 2 }).body, /every token was revoked \(4\).*every session was ended \(2\)/);
  assert.match(render('credential-refused', { name: 'main', exchange: 'binance', reason: 'can withdraw' }).body, /“main” on binance was refused \(can withdraw\)/);
});

test('a token never appears, even as a label, an accessor, or split by control characters', () => {
  const facts: NotificationFacts = { tokenLabel: `bot ${TOKEN}`, accessor: TOKEN, userAgent: `x${TOKEN.slice(0, 10)}\u0000${TOKEN.slice(10)}` };
  for (const kind of NOTIFICATION_KINDS) {
    const { title, body } = render(kind, facts);
    assert.ok(!`${title}${body}`.includes(TOKEN.slice(3)), kind);
  }
  const { body } = render('token-created', facts);
  assert.match(body, /“bot \[token removed\]”/);
  assert.ok(!body.includes('(kw_'), 'an accessor that is not kwa_… is dropped');
});

test('only allowlisted facts are read: an unexpected fact, such as a secret, is never rendered', () => {
  const facts = { ip: '198.51.100.7', secret: 'hunter2-exchange-secret', password: 'p4ss' } as NotificationFacts;
  for (const kind of NOTIFICATION_KINDS) {
    const { body } = render(kind, facts);
    assert.ok(!body.includes('hunter2') && !body.includes('p4ss'), kind);
  }
});

test('untrusted text cannot forge lines, flip direction or run long', () => {
  const { body } = render('sign-in', { userAgent: `Evil\r\nAddress: 10.0.0.1\u202Egnp.exe ${'z'.repeat(500)}` });
  const device = body.split('\n').find((l) => l.startsWith('Device:')) ?? '';
  assert.ok(!body.includes('\nAddress: 10.0.0.1'));
  assert.ok(!body.includes('\u202E'));
  assert.ok(Array.from(device).length <= 'Device: “”'.length + 200);
  assert.match(device, /…”$/);
  // Counts are whole numbers or nothing.
  assert.doesNotMatch(render('failed-attempts', { count: 'many; click http://evil' }).body, /evil/);
  assert.doesNotMatch(render('failed-attempts', { count: Number.NaN }).body, /NaN/);
});
