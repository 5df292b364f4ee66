import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccxtSnippet } from './bot-snippet.js';

test('the snippet points ccxt at the gateway URL and leaves the token to an environment variable', () => {
  const s = ccxtSnippet('binance', 'https://keyward.example:8787/');
  assert.match(s, /new ccxt\.binance\(/);
  assert.match(s, /public: 'https:\/\/keyward\.example:8787\/binance\/api\/v3'/);
  assert.match(s, /sapi: 'https:\/\/keyward\.example:8787\/binance\/sapi\/v1'/);
  assert.match(s, /apiKey: process\.env\.KEYWARD_TOKEN/);
  assert.doesNotMatch(s, /kw_[A-Za-z0-9]{8}/, 'no token value');
});

test('each exchange its own ccxt option names', () => {
  assert.match(ccxtSnippet('okx', 'http://127.0.0.1:8787'), /rest: 'http:\/\/127\.0\.0\.1:8787\/okx'.*\n.*\}\);$/s);
  assert.match(ccxtSnippet('okx', 'http://g'), /password: 'unused'/);
  assert.match(ccxtSnippet('kraken', 'http://g'), /private: 'http:\/\/g\/kraken'/);
  assert.match(ccxtSnippet('coinbase', 'http://g'), /rest: 'http:\/\/g\/coinbase'/);
  assert.match(ccxtSnippet('other', 'http://g'), /http:\/\/g\/other/);
});
