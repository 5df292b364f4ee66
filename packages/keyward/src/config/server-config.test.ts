import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeywardError } from '@keyward/protocol/errors';
import { envName, loadServerConfig } from './server-config.js';

const problemsOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(isKeywardError(e) && e.code === 'KW_CONFIG_INVALID', String(e));
    return e.message;
  }
  throw new Error('expected KW_CONFIG_INVALID');
};

test('defaults: loopback, 8080 and 8787, embedded SQLite, 30-minute idle and 12-hour sessions', () => {
  const c = loadServerConfig({ env: {} });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.gatewayPort, 8787);
  assert.equal(c.db, undefined);
  assert.equal(c.sessionIdleMinutes, 30);
  assert.equal(c.sessionAbsoluteMinutes, 720);
  assert.ok(Object.isFrozen(c));
});

test('file, then KEYWARD_* variables, then flags: the later wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-config-'));
  const file = join(dir, 'keyward.json');
  writeFileSync(file, JSON.stringify({ port: 9000, gatewayPort: 9001, sandbox: true }));
  const c = loadServerConfig({ file, env: { KEYWARD_PORT: '9100', KEYWARD_SANDBOX: 'false' }, flags: { gatewayPort: '9200', host: undefined } });
  assert.equal(c.port, 9100);
  assert.equal(c.gatewayPort, 9200);
  assert.equal(c.sandbox, false);
});

test('every problem is reported at once, each naming its variable', () => {
  const message = problemsOf(() => loadServerConfig({ env: { KEYWARD_PORT: 'eighty', KEYWARD_DB: 'mysql://x', KEYWARD_KEK: 'vault:abc', KEYWARD_SESSION_IDLE_MINUTES: '-1' } }));
  assert.match(message, /4 problem/);
  for (const name of ['KEYWARD_PORT', 'KEYWARD_DB', 'KEYWARD_KEK', 'KEYWARD_SESSION_IDLE_MINUTES']) assert.match(message, new RegExp(name));
});

test('a non-loopback address needs TLS, or an explicit insecure-listen', () => {
  assert.match(problemsOf(() => loadServerConfig({ env: {}, flags: { host: '0.0.0.0' } })), /not loopback/);
  assert.equal(loadServerConfig({ env: {}, flags: { host: '0.0.0.0', insecureListen: true } }).host, '0.0.0.0');
  assert.equal(loadServerConfig({ env: {}, flags: { host: '0.0.0.0', tlsCert: '/c.pem', tlsKey: '/k.pem' } }).tlsCert, '/c.pem');
  assert.match(problemsOf(() => loadServerConfig({ env: {}, flags: { tlsCert: '/c.pem' } })), /give both/);
});

test('an unknown key in the file is refused; an unreadable file is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-config-'));
  const file = join(dir, 'keyward.json');
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  assert.match(problemsOf(() => loadServerConfig({ file, env: {} })), /prot/);
  assert.match(problemsOf(() => loadServerConfig({ file: join(dir, 'missing.json'), env: {} })), /cannot be read/);
});

test('variable names are KEYWARD_ and the key in SNAKE_CASE', () => {
  assert.equal(envName('gatewayPort'), 'KEYWARD_GATEWAY_PORT');
  assert.equal(envName('smtpPasswordFile'), 'KEYWARD_SMTP_PASSWORD_FILE');
});
