// A canary secret connected through the API never appears in the database (SQLite file and WAL, or
// a pg_dump of PostgreSQL), the server's data directory (key file, audit checkpoints), any API
// response, or any notification e-mail: the client seals it before upload, and the server opens it
// only into secure memory to sign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { skipUnlessPostgres } from '../../packages/keyward/src/testing/index.js';
import { binanceBot, connectBinance, freshPostgres, signUp, startTestServer, type TestServer } from '../helpers/server.js';

function encodings(secret: string): Buffer[] {
  const b = Buffer.from(secret);
  return [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64url')), Buffer.from(secret, 'utf16le')];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function exercise(s: TestServer): Promise<{ secret: string; responses: string[] }> {
  const c = s.client();
  const responses: string[] = [];
  const record = <T extends { text: string }>(r: T): T => {
    responses.push(r.text);
    return r;
  };
  const { userKey, accountId } = await signUp(c, 'canary@example.com');
  record(await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) }));
  const { response, key } = await connectBinance(s, c, userKey, accountId, 'canary');
  record(response);
  assert.equal(response.status, 201, response.text);
  record(await c.get('/api/v1/credentials'));
  record(await c.post(`/api/v1/credentials/${String(response.body.id)}/check`));
  record(await c.get('/api/v1/portfolio'));
  const policy = { credential: 'canary', actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null };
  const t = record(await c.post<{ token: string; accessor: string }>('/api/v1/tokens', { label: 'bot', policy }));
  await binanceBot(t.body.token, s.server.gatewayUrl).fetchBalance();
  record(await c.get(`/api/v1/tokens/${t.body.accessor}/access-log`));
  record(await c.get('/api/v1/audit/status'));
  record(await c.get('/api/v1/notifications'));
  record(await c.post('/api/v1/account/break-glass', { confirm: 'BREAK GLASS' }));
  userKey.release();
  await s.server.flushNotifications();
  return { secret: key.secret, responses };
}

function assertAbsent(haystack: Buffer, secret: string, where: string): void {
  for (const needle of encodings(secret)) assert.equal(haystack.includes(needle), false, `the canary is in ${where}`);
}

test('SQLite: the canary is nowhere the server writes or answers', async () => {
  const s = await startTestServer();
  let secret = '';
  try {
    const r = await exercise(s);
    secret = r.secret;
    for (const text of r.responses) assertAbsent(Buffer.from(text), secret, 'an API response');
    for (const m of s.smtp.mails) assertAbsent(Buffer.from(m.raw), secret, 'an e-mail');
    assert.ok(s.logs.length > 10, 'the server logged its requests');
    assertAbsent(Buffer.from(s.logs.join('')), secret, 'the log');
    // While the server runs (the WAL still holds recent pages), and after it stops.
    for (const f of filesUnder(s.dataDir)) assertAbsent(readFileSync(f), secret, f);
  } finally {
    await s.close();
  }
  for (const f of filesUnder(s.dataDir)) assertAbsent(readFileSync(f), secret, f);
  assert.ok(filesUnder(s.dataDir).some((f) => f.endsWith('kek.key')), 'the key file was checked too');
});

const skip = await skipUnlessPostgres('the server canary test on PostgreSQL');

test('PostgreSQL: the canary is not in a pg_dump, the data directory or any response', { skip }, async () => {
  const db = await freshPostgres();
  const s = await startTestServer({ db: db.url });
  try {
    const r = await exercise(s);
    for (const text of r.responses) assertAbsent(Buffer.from(text), r.secret, 'an API response');
    assert.ok(s.logs.length > 10, 'the server logged its requests');
    assertAbsent(Buffer.from(s.logs.join('')), r.secret, 'the log');
    const dump = execFileSync('pg_dump', ['--no-owner', db.url], { maxBuffer: 64 * 1024 * 1024 });
    assert.ok(dump.includes(Buffer.from('CREATE TABLE')));
    assertAbsent(dump, r.secret, 'the pg_dump');
    for (const f of filesUnder(s.dataDir)) assertAbsent(readFileSync(f), r.secret, f);
  } finally {
    await s.close();
    await db.drop();
  }
});
