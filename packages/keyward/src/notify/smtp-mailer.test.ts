// The mailer's configuration: no silent plain text beyond loopback, no credentials in a URL, no
// header injection through the From address. (Delivery itself is tested in notifier.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeywardError } from '@keyward/protocol/errors';
import { createSmtpMailer, isPlainAddress, smtpServerFromUrl, type SmtpMailerOptions } from './index.js';

const configError = (detail: RegExp) => (e: unknown): boolean => isKeywardError(e) && e.code === 'KW_CONFIG_INVALID' && detail.test(e.message);

test('smtp:// means STARTTLS required, except to a loopback relay; smtps:// means TLS', () => {
  assert.deepEqual(smtpServerFromUrl('smtp://mail.example.com'), { host: 'mail.example.com', port: 587, security: 'starttls' });
  assert.deepEqual(smtpServerFromUrl('smtp://mail.example.com:2525'), { host: 'mail.example.com', port: 2525, security: 'starttls' });
  assert.deepEqual(smtpServerFromUrl('smtps://mail.example.com'), { host: 'mail.example.com', port: 465, security: 'tls' });
  assert.deepEqual(smtpServerFromUrl('smtp://127.0.0.1:25'), { host: '127.0.0.1', port: 25, security: 'none' });
  assert.deepEqual(smtpServerFromUrl('smtp://[::1]:25'), { host: '::1', port: 25, security: 'none' });
  assert.deepEqual(smtpServerFromUrl('smtp://localhost:1025'), { host: 'localhost', port: 1025, security: 'none' });
});

test('a URL with credentials, a path, or another scheme is refused', () => {
  assert.throws(() => smtpServerFromUrl('smtp://user:hunter2@mail.example.com'), configError(/smtpPasswordFile/));
  assert.throws(() => smtpServerFromUrl('smtp://mail.example.com/x?y=1'), configError(/nothing more/));
  assert.throws(() => smtpServerFromUrl('http://mail.example.com'), configError(/smtp:\/\//));
  assert.throws(() => smtpServerFromUrl('not a url'), configError(/not a URL/));
});

test('the mailer refuses plain text beyond loopback, a half-given login, and a From that could inject headers', () => {
  const base: SmtpMailerOptions = { host: 'mail.example.com', port: 587, security: 'starttls', from: 'Keyward <alerts@keyward.test>' };
  assert.doesNotThrow(() => createSmtpMailer(base).close());
  assert.throws(() => createSmtpMailer({ ...base, security: 'none' }), configError(/only for a relay on loopback/));
  assert.doesNotThrow(() => createSmtpMailer({ ...base, host: '127.0.0.1', security: 'none' }).close());
  assert.throws(() => createSmtpMailer({ ...base, user: 'keyward' }), configError(/go together/));
  assert.throws(() => createSmtpMailer({ ...base, from: 'Keyward <alerts@keyward.test>\r\nBcc: x@evil.example' }), configError(/from must be/));
  assert.throws(() => createSmtpMailer({ ...base, from: 'nobody' }), configError(/from must be/));
  assert.throws(() => createSmtpMailer({ ...base, port: 0 }), configError(/port/));
});

test('a plain address is one local@domain and nothing else', () => {
  for (const ok of ['ada@example.com', 'a.b+tag@sub.example.co.uk']) assert.ok(isPlainAddress(ok), ok);
  for (const bad of ['', 'ada', 'ada@', '@example.com', 'a@b@c', 'a@x.com, b@y.com', 'Ada <a@x.com>', 'a@x.com\nBcc: b@y.com', 'a\u202E@x.com', `${'a'.repeat(250)}@x.com`]) {
    assert.ok(!isPlainAddress(bad), JSON.stringify(bad));
  }
});
