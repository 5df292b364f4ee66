// Candles in each exchange's documented shape, cut from the feed's own path: reproducible for a
// seed and clock, stable once closed, and still answerable after the step history is trimmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../clock.js';
import { dec } from '../decimal.js';
import { createSandbox, type Sandbox } from '../sandbox.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;

async function get<T>(sb: Sandbox, url: string): Promise<{ status: number; body: T }> {
  const res = await sb.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json<T>() };
}

type Kline = [number, string, string, string, string, string, number, string, number, string, string, string];

test('Binance klines: twelve fields, oldest first, OHLC from the walk, the last close is the price now', async () => {
  const clock = createManualClock(T0);
  const sb = createSandbox({ seed: 'candles', clock });
  clock.advance(2 * HOUR);
  const { status, body } = await get<Kline[]>(sb, '/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5');
  assert.equal(status, 200);
  assert.equal(body.length, 5);
  const now = clock.now();
  assert.equal(body[4]?.[0], Math.floor(now / MIN) * MIN, 'the last kline is the one still open');
  for (const [i, k] of body.entries()) {
    assert.equal(k.length, 12);
    assert.equal(typeof k[0], 'number');
    assert.equal(k[6], k[0] + MIN - 1, 'closeTime');
    assert.equal(typeof k[8], 'number');
    assert.equal(k[11], '0');
    for (const f of [1, 2, 3, 4, 5, 7, 9, 10]) assert.match(String(k[f]), /^\d+\.\d{8}$/);
    const [o, h, l, c] = [k[1], k[2], k[3], k[4]].map(Number) as [number, number, number, number];
    assert.ok(h >= Math.max(o, c) && l <= Math.min(o, c), `kline ${String(i)} is a candle`);
    if (i > 0) assert.equal(k[0], (body[i - 1]?.[0] ?? 0) + MIN);
  }
  const price = await get<{ price: string }>(sb, '/binance/api/v3/ticker/price?symbol=BTCUSDT');
  assert.equal(body[4]?.[4], price.body.price);

  assert.equal((await get<{ code: number }>(sb, '/binance/api/v3/klines?symbol=BTCUSDT&interval=7m')).body.code, -1120);
  assert.equal((await get<{ code: number }>(sb, '/binance/api/v3/klines?symbol=BTCUSDT')).body.code, -1102);
  assert.equal((await get<{ code: number }>(sb, '/binance/api/v3/klines?symbol=NOPE&interval=1m')).body.code, -1121);
  // Nothing before the listing (the feed's start): asking from 0 gives the first candles.
  const fromZero = await get<Kline[]>(sb, '/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=0&limit=2');
  assert.equal(fromZero.body[0]?.[0], Math.floor(T0 / HOUR) * HOUR);
  await sb.close();
});

test('the same seed and clock give the same candles, asked step by step or all at once; closed ones never change', async () => {
  const a = createManualClock(T0);
  const b = createManualClock(T0);
  const sa = createSandbox({ seed: 'candles', clock: a });
  const sb = createSandbox({ seed: 'candles', clock: b });
  for (let i = 0; i < 30; i++) {
    a.advance(97_000);
    await get(sa, '/binance/api/v3/ticker/price?symbol=ETHUSDT');
  }
  b.advance(30 * 97_000);
  const url = '/binance/api/v3/klines?symbol=ETHUSDT&interval=5m&limit=20';
  const first = (await get<Kline[]>(sa, url)).body;
  assert.deepEqual(first, (await get<Kline[]>(sb, url)).body);
  a.advance(30 * MIN);
  const later = (await get<Kline[]>(sa, `/binance/api/v3/klines?symbol=ETHUSDT&interval=5m&startTime=${String(first[0]?.[0])}&limit=20`)).body;
  assert.deepEqual(later.slice(0, first.length - 1), first.slice(0, -1), 'closed candles are history');
  await sa.close();
  await sb.close();
});

test('hour candles stay reproducible after the feed trimmed its step history (three days on)', async () => {
  const lateClock = createManualClock(T0);
  const soonClock = createManualClock(T0);
  const late = createSandbox({ seed: 'candles', clock: lateClock });
  const soon = createSandbox({ seed: 'candles', clock: soonClock });
  lateClock.set(T0 + 3 * 24 * HOUR);
  soonClock.set(T0 + 3 * HOUR);
  const url = `/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${String(T0 - HOUR)}&limit=3`;
  const fromLate = (await get<Kline[]>(late, url)).body;
  const fromSoon = (await get<Kline[]>(soon, url)).body;
  assert.equal(fromLate.length, 3);
  assert.deepEqual(fromLate.slice(0, 2), fromSoon.slice(0, 2));
  const day = (await get<Kline[]>(late, '/binance/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=10')).body;
  assert.equal(day.length, 4, 'the listing day and three more');
  await late.close();
  await soon.close();
});

test('volume is the synthetic volume plus paper fills in the bucket', async () => {
  const clock = createManualClock(T0);
  const sb = createSandbox({ seed: 'candles', clock });
  clock.advance(10 * MIN);
  const url = '/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1';
  const before = (await get<Kline[]>(sb, url)).body[0];
  const key = sb.createKey({ exchange: 'binance' });
  const placed = sb.engine.placeOrder(key.accountId, { symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: dec('0.5'), ref: String });
  assert.ok(placed.ok);
  const after = (await get<Kline[]>(sb, url)).body[0];
  assert.equal(dec(after?.[5] ?? '') - dec(before?.[5] ?? ''), dec('0.5'));
  assert.equal((after?.[8] ?? 0) - (before?.[8] ?? 0), placed.order.fills.length);
  await sb.close();
});

test('OKX candles: nine strings, newest first, confirm 0 only for the open bar; after pages back', async () => {
  const clock = createManualClock(T0);
  const sb = createSandbox({ seed: 'candles', clock });
  clock.advance(HOUR);
  type Okx = { code: string; msg: string; data: string[][] };
  const r = await get<Okx>(sb, '/okx/api/v5/market/candles?instId=BTC-USDT&bar=1m&limit=4');
  assert.equal(r.body.code, '0');
  assert.equal(r.body.data.length, 4);
  const ts = r.body.data.map((k) => Number(k[0]));
  assert.deepEqual(ts, [...ts].sort((x, y) => y - x), 'newest first');
  assert.equal(ts[0], Math.floor(clock.now() / MIN) * MIN);
  for (const k of r.body.data) {
    assert.equal(k.length, 9);
    for (const f of k) assert.equal(typeof f, 'string');
  }
  assert.deepEqual(r.body.data.map((k) => k[8]), ['0', '1', '1', '1']);
  const older = await get<Okx>(sb, `/okx/api/v5/market/candles?instId=BTC-USDT&bar=1m&limit=2&after=${String(ts[1])}`);
  assert.deepEqual(older.body.data, r.body.data.slice(2));
  assert.equal((await get<Okx>(sb, '/okx/api/v5/market/candles?instId=BTC-USDT&bar=7m')).body.code, '51000');
  assert.equal((await get<Okx>(sb, '/okx/api/v5/market/candles?instId=NOPE-USDT')).body.code, '51001');
  // 1D is a Hong Kong day (16:00 UTC); 1Dutc a UTC one.
  clock.advance(2 * 24 * HOUR);
  const hk = await get<Okx>(sb, '/okx/api/v5/market/candles?instId=BTC-USDT&bar=1D&limit=1');
  assert.equal(Number(hk.body.data[0]?.[0]) % (24 * HOUR), 16 * HOUR);
  const utc = await get<Okx>(sb, '/okx/api/v5/market/candles?instId=BTC-USDT&bar=1Dutc&limit=1');
  assert.equal(Number(utc.body.data[0]?.[0]) % (24 * HOUR), 0);
  await sb.close();
});

test('Kraken OHLC: keyed by pair with last; eight fields, time in seconds, oldest first', async () => {
  const clock = createManualClock(T0);
  const sb = createSandbox({ seed: 'candles', clock });
  clock.advance(HOUR);
  type Kraken = { error: string[]; result: Record<string, unknown> };
  const r = await get<Kraken>(sb, '/kraken/0/public/OHLC?pair=XBTUSDT&interval=5');
  assert.deepEqual(r.body.error, []);
  assert.deepEqual(Object.keys(r.body.result).sort(), ['XBTUSDT', 'last']);
  const rows = r.body.result.XBTUSDT as [number, string, string, string, string, string, string, number][];
  assert.ok(rows.length >= 12 && rows.length <= 13, String(rows.length));
  for (const k of rows) {
    assert.equal(k.length, 8);
    assert.ok(Number.isInteger(k[0]) && k[0] % 300 === 0);
    assert.match(k[1], /^\d+\.\d{2}$/);
    assert.match(k[6], /^\d+\.\d{8}$/);
    assert.equal(typeof k[7], 'number');
  }
  assert.equal(r.body.result.last, rows[rows.length - 2]?.[0], 'last: the newest committed entry');
  const since = await get<Kraken>(sb, `/kraken/0/public/OHLC?pair=XBTUSDT&interval=5&since=${String(rows[rows.length - 3]?.[0])}`);
  assert.equal((since.body.result.XBTUSDT as unknown[]).length, 3);
  assert.deepEqual((await get<Kraken>(sb, '/kraken/0/public/OHLC?pair=XBTUSDT&interval=7')).body.error, ['EGeneral:Invalid arguments:interval']);
  assert.deepEqual((await get<Kraken>(sb, '/kraken/0/public/OHLC?pair=NOPE')).body.error, ['EQuery:Unknown asset pair']);
  await sb.close();
});

test('Coinbase candles: string fields, newest first; start, end and granularity required; at most 350', async () => {
  const clock = createManualClock(T0);
  const sb = createSandbox({ seed: 'candles', clock });
  clock.advance(HOUR);
  const end = Math.floor(clock.now() / 1000);
  type Cb = { candles: Record<string, string>[]; error?: string };
  const r = await get<Cb>(sb, `/coinbase/api/v3/brokerage/market/products/BTC-USDT/candles?start=${String(end - 600)}&end=${String(end)}&granularity=ONE_MINUTE&limit=5`);
  assert.equal(r.status, 200);
  assert.equal(r.body.candles.length, 5);
  const starts = r.body.candles.map((c) => Number(c.start));
  assert.deepEqual(starts, [...starts].sort((x, y) => y - x));
  for (const c of r.body.candles) {
    assert.deepEqual(Object.keys(c), ['start', 'low', 'high', 'open', 'close', 'volume']);
    for (const v of Object.values(c)) assert.equal(typeof v, 'string');
  }
  const base = '/coinbase/api/v3/brokerage/market/products/BTC-USDT/candles';
  assert.equal((await get<Cb>(sb, `${base}?start=${String(end - 600)}&end=${String(end)}`)).status, 400);
  assert.equal((await get<Cb>(sb, `${base}?start=${String(end - 400 * 60)}&end=${String(end)}&granularity=ONE_MINUTE`)).body.error, 'INVALID_ARGUMENT');
  assert.equal((await get<Cb>(sb, `/coinbase/api/v3/brokerage/market/products/NOPE-USDT/candles?start=1&end=2&granularity=ONE_MINUTE`)).status, 404);
  await sb.close();
});
