/**
 * @module sandbox
 * An offline exchange emulator that speaks the Binance, Kraken, Coinbase Advanced Trade and OKX
 * wire dialects, verifies their signatures the way each exchange documents, and fills orders
 * on a seeded paper market. See README.md for the invariants and the tests that hold them.
 */
export {
  createSandbox, startSandbox,
  type RunningSandbox, type Sandbox, type SandboxOptions, type StartSandboxOptions,
} from './sandbox.js';
export { createManualClock, systemClock, type Clock, type ManualClock } from './clock.js';
export {
  EXCHANGES, type CreateKeyOptions, type ExchangeName, type KeyMaterial, type KeyType, type Permission,
} from './keys.js';
export { ASSETS, DEFAULT_BALANCES, MARKETS, type AssetSpec, type MarketSpec } from './markets.js';
export type { AccountView } from './admin.js';
export type { Order, OrderStatus, Fill, Balance } from './matching-engine.js';
export type { WithdrawalAttempt, WithdrawalRecord } from './withdrawals.js';
