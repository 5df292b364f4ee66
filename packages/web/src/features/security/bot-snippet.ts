// How a bot uses a token: unmodified ccxt pointed at the gateway, with the token where the
// exchange expects its API key and a placeholder where it expects a secret (the gateway signs, and
// throws away whatever signature the bot made). Paths and placeholders follow the root README's
// "The signing gateway". The token itself is never put in the snippet: it is copied on its own.
export function ccxtSnippet(exchange: string, gatewayUrl: string): string {
  const base = `${gatewayUrl.replace(/\/+$/, '')}/${exchange}`;
  const token = "  apiKey: process.env.KEYWARD_TOKEN, // the kw_… token";
  switch (exchange) {
    case 'binance':
      return [
        "import ccxt from 'ccxt';", '',
        'const exchange = new ccxt.binance({', token, "  secret: 'unused', // Keyward signs",
        `  urls: { api: { public: '${base}/api/v3', private: '${base}/api/v3', sapi: '${base}/sapi/v1' } },`, '});',
      ].join('\n');
    case 'kraken':
      return [
        "import ccxt from 'ccxt';", '',
        'const exchange = new ccxt.kraken({', token, "  secret: 'dW51c2Vk', // any base64: Keyward signs",
        `  urls: { api: { public: '${base}', private: '${base}' } },`, '});',
      ].join('\n');
    case 'okx':
      return [
        "import ccxt from 'ccxt';", '',
        'const exchange = new ccxt.okx({', token, "  secret: 'unused', password: 'unused', // Keyward signs",
        `  urls: { api: { rest: '${base}' } },`, '});',
      ].join('\n');
    case 'coinbase':
      return [
        "import ccxt from 'ccxt';", '',
        'const exchange = new ccxt.coinbase({', token, '  secret: process.env.ANY_EC_P256_PEM, // any EC P-256 key: its JWT is discarded',
        `  urls: { api: { rest: '${base}' } },`, '});',
      ].join('\n');
    default:
      return [
        `// Point the exchange's base URL at ${base} and send the token where`,
        '// the exchange expects its API key; any placeholder will do as the secret.',
      ].join('\n');
  }
}
