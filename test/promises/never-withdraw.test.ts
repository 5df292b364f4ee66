// DESIGN.md promise: Keyward never signs a withdrawal or an internal transfer, whatever the policy
// says. For each of the twelve exchanges, a token with the broadest policy sends that exchange's
// own withdrawal and transfer requests through the gateway: each is refused in the exchange's
// format, and nothing reaches the exchange.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { agent, clientRequests, makeVault, policy, rawRequest, recordingUpstream, token, type TestCredential } from '../helpers/agent.js';

const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
const CREDENTIALS: TestCredential[] = [
  { name: 'binance', exchange: 'binance', apiKey: 'K', secret: 'S' },
  { name: 'coinbase', exchange: 'coinbase', apiKey: 'organizations/o/apiKeys/k', privateKey: ecPem },
  { name: 'coinbase-exchange', exchange: 'coinbase-exchange', apiKey: 'K', secret: 'c2VjcmV0', passphrase: 'p' },
  { name: 'kraken', exchange: 'kraken', apiKey: 'K', secret: 'c2VjcmV0' },
  { name: 'bitfinex', exchange: 'bitfinex', apiKey: 'K', secret: 'S' },
  { name: 'poloniex', exchange: 'poloniex', apiKey: 'K', secret: 'S' },
  { name: 'okx', exchange: 'okx', apiKey: 'K', secret: 'S', passphrase: 'p' },
  { name: 'bybit', exchange: 'bybit', apiKey: 'K', secret: 'S' },
  { name: 'kucoin', exchange: 'kucoin', apiKey: 'K', secret: 'S', passphrase: 'p' },
  { name: 'gemini', exchange: 'gemini', apiKey: 'account-K', secret: 'S' },
  { name: 'bitstamp', exchange: 'bitstamp', apiKey: 'K', secret: 'S' },
  { name: 'gate', exchange: 'gate', apiKey: 'K', secret: 'S' },
];

const JSON_CT = 'application/json';
const FORM_CT = 'application/x-www-form-urlencoded';
const VALUE_EXITS: Record<string, { method: string; path: string; body: string; type: string }[]> = {
  binance: [
    { method: 'POST', path: '/sapi/v1/capital/withdraw/apply', body: 'coin=BTC&address=x&amount=1', type: FORM_CT },
    { method: 'POST', path: '/sapi/v1/asset/transfer', body: 'type=MAIN_UMFUTURE&asset=USDT&amount=1', type: FORM_CT },
  ],
  coinbase: [
    { method: 'POST', path: '/v2/accounts/abc/transactions', body: '{"type":"send","to":"x","amount":"1","currency":"BTC"}', type: JSON_CT },
    { method: 'POST', path: '/api/v3/brokerage/portfolios/move_funds', body: '{"funds":{"value":"1","currency":"USD"}}', type: JSON_CT },
  ],
  'coinbase-exchange': [
    { method: 'POST', path: '/withdrawals/crypto', body: '{"amount":"1","currency":"BTC","crypto_address":"x"}', type: JSON_CT },
    { method: 'POST', path: '/profiles/transfer', body: '{"from":"a","to":"b","currency":"USD","amount":"1"}', type: JSON_CT },
  ],
  kraken: [
    { method: 'POST', path: '/0/private/Withdraw', body: 'nonce=1&asset=XBT&key=x&amount=1', type: FORM_CT },
    { method: 'POST', path: '/0/private/WalletTransfer', body: 'nonce=1&asset=XBT&from=Spot&to=Futures&amount=1', type: FORM_CT },
  ],
  bitfinex: [
    { method: 'POST', path: '/v2/auth/w/withdraw', body: '{"wallet":"exchange","method":"bitcoin","amount":"1","address":"x"}', type: JSON_CT },
    { method: 'POST', path: '/v2/auth/w/transfer', body: '{"from":"exchange","to":"margin","currency":"USD","amount":"1"}', type: JSON_CT },
  ],
  poloniex: [
    { method: 'POST', path: '/wallets/withdraw', body: '{"currency":"BTC","amount":"1","address":"x"}', type: JSON_CT },
    { method: 'POST', path: '/accounts/transfer', body: '{"currency":"USDT","amount":"1","fromAccount":"SPOT","toAccount":"FUTURES"}', type: JSON_CT },
  ],
  okx: [
    { method: 'POST', path: '/api/v5/asset/withdrawal', body: '{"ccy":"BTC","amt":"1","dest":"4","toAddr":"x"}', type: JSON_CT },
    { method: 'POST', path: '/api/v5/asset/transfer', body: '{"ccy":"USDT","amt":"1","from":"6","to":"18"}', type: JSON_CT },
  ],
  bybit: [
    { method: 'POST', path: '/v5/asset/withdraw/create', body: '{"coin":"BTC","chain":"BTC","address":"x","amount":"1"}', type: JSON_CT },
    { method: 'POST', path: '/v5/asset/transfer/universal-transfer', body: '{"coin":"USDT","amount":"1"}', type: JSON_CT },
  ],
  kucoin: [
    { method: 'POST', path: '/api/v3/withdrawals', body: '{"currency":"BTC","toAddress":"x","amount":"1"}', type: JSON_CT },
    { method: 'POST', path: '/api/v2/accounts/inner-transfer', body: '{"currency":"USDT","from":"main","to":"trade","amount":"1"}', type: JSON_CT },
  ],
  gemini: [
    { method: 'POST', path: '/v1/withdraw/btc', body: '', type: 'text/plain' },
    { method: 'POST', path: '/v1/account/transfer/btc', body: '', type: 'text/plain' },
  ],
  bitstamp: [
    { method: 'POST', path: '/api/v2/btc_withdrawal/', body: 'amount=1&address=x', type: FORM_CT },
    { method: 'POST', path: '/api/v2/transfer-to-main/', body: 'amount=1&currency=btc', type: FORM_CT },
  ],
  gate: [
    { method: 'POST', path: '/api/v4/withdrawals', body: '{"currency":"USDT","amount":"1","address":"x"}', type: JSON_CT },
    { method: 'POST', path: '/api/v4/withdrawals/push', body: '{"receive_uid":1,"currency":"USDT","amount":"1"}', type: JSON_CT },
    { method: 'POST', path: '/api/v4/wallet/transfers', body: '{"currency":"USDT","from":"spot","to":"margin","amount":"1"}', type: JSON_CT },
  ],
};

function tokenHeaders(exchange: string, t: string): Record<string, string> {
  const h: Record<string, string> = {
    binance: 'x-mbx-apikey', kraken: 'api-key', okx: 'ok-access-key', 'coinbase-exchange': 'cb-access-key', bitfinex: 'bfx-apikey',
    poloniex: 'key', bybit: 'x-bapi-api-key', kucoin: 'kc-api-key', gemini: 'x-gemini-apikey', gate: 'key',
  };
  if (exchange === 'coinbase') return { authorization: `Bearer ${t}` };
  if (exchange === 'bitstamp') return { 'x-auth': `BITSTAMP ${t}` };
  return { [h[exchange] ?? '']: t };
}

const upstream = await recordingUpstream();
const { home } = await makeVault(CREDENTIALS);
const a = await agent(home, Object.fromEntries(CREDENTIALS.map((c) => [c.exchange, `${upstream.url}/${c.exchange}`])));
after(async () => {
  await a.close();
  await upstream.close();
});

for (const c of CREDENTIALS) {
  test(`${c.exchange}: withdrawals and transfers are refused with the broadest policy, and never forwarded`, async () => {
    const t = await token(home, policy({ credential: c.name, actions: ['read', 'trade', 'cancel'] }));
    for (const exit of VALUE_EXITS[c.exchange] ?? []) {
      const res = await rawRequest(a.url, exit.method, `/${c.exchange}${exit.path}`, { ...tokenHeaders(c.exchange, t.token), 'content-type': exit.type }, exit.body);
      assert.match(res.body, /KW_POLICY_VALUE_EXIT/, `${c.exchange} ${exit.path}: ${String(res.status)} ${res.body}`);
    }
    assert.equal(clientRequests(upstream.requests).length, 0, 'nothing reached any exchange');
  });
}

test('every exchange has withdrawal cases here', () => {
  assert.deepEqual(Object.keys(VALUE_EXITS).sort(), CREDENTIALS.map((c) => c.exchange).sort());
});
