// Under TLS: the app API and the gateway speak HTTPS only, and session cookies are Secure. A
// throwaway self-signed certificate for 127.0.0.1 is made with openssl for this test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { prepareSignUp } from '../../packages/keyward/src/client/index.js';
import { tempDir } from '../helpers/cli.js';
import { pw, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let ca: Buffer;
before(async () => {
  const dir = tempDir('keyward-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  ca = readFileSync(cert);
  s = await startTestServer({ extraConfig: { tlsCert: cert, tlsKey: key } });
});
after(async () => { await s.close(); });

function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const r = request(url, { method, ca, headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(data.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

test('the app API answers over HTTPS, and its session cookie is Secure, HttpOnly and SameSite=Strict', async () => {
  assert.match(s.server.url, /^https:/);
  const info = await call(`${s.server.url}/api/v1/info`);
  assert.equal(info.status, 200);
  const { body, userKey } = await prepareSignUp(pw(), 'tls@example.com');
  userKey.release();
  const r = await call(`${s.server.url}/api/v1/auth/signup`, 'POST', body);
  assert.equal(r.status, 201, r.text);
  const session = ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((c) => c.startsWith('kw_session='));
  assert.ok(session !== undefined);
  assert.match(session, /; Secure/i);
  assert.match(session, /; HttpOnly/i);
  assert.match(session, /; SameSite=Strict/i);
});

test('the gateway answers over HTTPS too, and plain HTTP to either port gets no answer', async () => {
  assert.match(s.server.gatewayUrl, /^https:/);
  const ticker = await call(`${s.server.gatewayUrl}/binance/api/v3/ticker/bookTicker?symbol=BTCUSDT`);
  assert.equal(ticker.status, 200, ticker.text);
  await assert.rejects(fetch(s.server.url.replace('https:', 'http:') + '/api/v1/info'));
});
