// The exchanges Keyward knows, and which secret parts each one's credentials carry. Shared by the
// CLI, the server and the browser's connect wizard. Bittrex closed in December 2023: no entry.
import type { CredentialField } from './credential-format.js';

export interface ExchangeInfo {
  readonly id: string;
  readonly name: string;
  /**
   * The accepted sets of secret parts (besides the API key); a credential must carry exactly one
   * of them. E.g. Binance takes an HMAC secret or an Ed25519 private key.
   */
  readonly secretForms: readonly (readonly Exclude<CredentialField, 'apiKey'>[])[];
}

export const EXCHANGES: readonly ExchangeInfo[] = Object.freeze([
  { id: 'binance', name: 'Binance', secretForms: [['secret'], ['privateKey']] },
  { id: 'coinbase', name: 'Coinbase Advanced Trade', secretForms: [['privateKey']] },
  { id: 'coinbase-exchange', name: 'Coinbase Exchange', secretForms: [['secret', 'passphrase']] },
  { id: 'kraken', name: 'Kraken', secretForms: [['secret']] },
  { id: 'bitfinex', name: 'Bitfinex', secretForms: [['secret']] },
  { id: 'poloniex', name: 'Poloniex', secretForms: [['secret']] },
  { id: 'okx', name: 'OKX', secretForms: [['secret', 'passphrase']] },
  { id: 'bybit', name: 'Bybit', secretForms: [['secret']] },
  { id: 'kucoin', name: 'KuCoin', secretForms: [['secret', 'passphrase']] },
  { id: 'gemini', name: 'Gemini', secretForms: [['secret']] },
  { id: 'bitstamp', name: 'Bitstamp', secretForms: [['secret']] },
  { id: 'gate', name: 'Gate', secretForms: [['secret']] },
]);

export function findExchange(id: string): ExchangeInfo | undefined {
  return EXCHANGES.find((e) => e.id === id);
}
