// `keyward serve` serves the built web app: index.html at / and for any page path (the app routes
// in the browser), hashed assets cached for good, a strict Content-Security-Policy on pages, and
// API paths still answered by the API (a problem, never the page).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
before(async () => {
  const web = tempDir('keyward-web-');
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Keyward</title><script type="module" src="/assets/index-AbCdEf12.js"></script>');
  writeFileSync(join(web, 'assets', 'index-AbCdEf12.js'), 'console.log("app")');
  s = await startTestServer({ extraConfig: { webRoot: web } });
});
after(async () => { await s.close(); });

test('the page, with its Content-Security-Policy', async () => {
  const r = await fetch(`${s.server.url}/`, { headers: { accept: 'text/html' } });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<title>Keyward<\/title>/);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /'unsafe-eval'/);
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
});

test('a page path the browser app routes gets index.html; an unknown API path gets a problem', async () => {
  const page = await fetch(`${s.server.url}/security/tokens`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Keyward<\/title>/);
  const api = await fetch(`${s.server.url}/api/v1/nothing`, { headers: { accept: 'text/html' } });
  assert.equal(api.status, 404);
  assert.equal((await api.json() as { code: string }).code, 'KW_NOT_FOUND');
});

test('hashed assets are cached for good', async () => {
  const r = await fetch(`${s.server.url}/assets/index-AbCdEf12.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('cache-control') ?? '', /immutable/);
});

test('/api/v1/info names the gateway for bots', async () => {
  const r = await fetch(`${s.server.url}/api/v1/info`);
  const body = await r.json() as { gatewayUrl: string; sandbox: boolean; exchanges: string[] };
  assert.equal(body.gatewayUrl, s.server.gatewayUrl);
  assert.equal(body.sandbox, true);
  assert.ok(body.exchanges.includes('binance'));
});
