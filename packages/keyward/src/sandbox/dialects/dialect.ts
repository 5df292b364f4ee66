// What every exchange dialect shares: one handler from the wire request to the wire response,
// and the engine, feed, keys and withdrawal record behind it. A dialect owns its paths, its
// signature check, its permission names and its error format; nothing else knows them.
import type { Clock } from '../clock.js';
import { isMultipleOf, toPlain, ZERO, type Dec } from '../decimal.js';
import type { ExchangeName, KeyStore, StoredKey } from '../keys.js';
import type { AssetSpec, MarketSpec } from '../markets.js';
import type { MatchingEngine } from '../matching-engine.js';
import type { PriceFeed } from '../price-feed.js';
import type { WireRequest, WireResponse } from '../wire.js';
import type { WithdrawalLedger, WithdrawalRecord } from '../withdrawals.js';

export interface Dialect {
  readonly exchange: ExchangeName;
  handle(request: WireRequest): WireResponse;
  /** Any request that asks to move funds out, on a known endpoint or not (broad on purpose). */
  isWithdrawal(request: WireRequest): boolean;
  /** The API key a request presents, unverified: for the withdrawal-attempt record only. */
  presentedKey(request: WireRequest): string | undefined;
}

/**
 * Wraps a dialect so every request to a withdrawal-like path is recorded with its outcome,
 * whether or not it authenticated, before the answer goes back.
 */
export function recordingWithdrawals(dialect: Dialect, ledger: WithdrawalLedger, clock: Clock): Dialect {
  return {
    ...dialect,
    handle(request) {
      if (!dialect.isWithdrawal(request)) return dialect.handle(request);
      const before = ledger.list().length;
      const response = dialect.handle(request);
      ledger.attempt({
        exchange: dialect.exchange, method: request.method, path: request.path, apiKey: dialect.presentedKey(request),
        time: clock.now(), accepted: ledger.list().length > before, status: response.status, response: response.body,
      });
      return response;
    },
  };
}

export interface WithdrawRequest {
  readonly asset: string;
  readonly amount: Dec;
  readonly address: string;
  readonly network?: string | undefined;
}

export type WithdrawResult =
  | { readonly ok: true; readonly record: WithdrawalRecord }
  | { readonly ok: false; readonly reason: 'UNKNOWN_ASSET' | 'INVALID_AMOUNT' | 'BELOW_MINIMUM' | 'INSUFFICIENT_FUNDS' | 'INVALID_ADDRESS' };

export interface DialectContext {
  readonly seed: string;
  readonly clock: Clock;
  readonly engine: MatchingEngine;
  readonly feed: PriceFeed;
  readonly keys: KeyStore;
  readonly markets: readonly MarketSpec[];
  readonly assets: readonly AssetSpec[];
  readonly withdrawals: WithdrawalLedger;
}

/**
 * Moves funds out of a paper account and records it. Dialects call this only after the key's
 * withdraw permission was checked; the record is what tests inspect.
 */
export function performWithdrawal(ctx: DialectContext, key: StoredKey, w: WithdrawRequest): WithdrawResult {
  const asset = ctx.assets.find((a) => a.code === w.asset);
  if (asset === undefined) return { ok: false, reason: 'UNKNOWN_ASSET' };
  if (w.address.trim() === '') return { ok: false, reason: 'INVALID_ADDRESS' };
  const unit = 10n ** BigInt(12 - asset.decimals);
  if (w.amount <= ZERO || !isMultipleOf(w.amount, unit)) return { ok: false, reason: 'INVALID_AMOUNT' };
  if (w.amount < asset.minWithdraw) return { ok: false, reason: 'BELOW_MINIMUM' };
  // The network fee is charged on top of the amount sent, as OKX and Kraken do.
  if (!ctx.engine.debit(key.accountId, asset.code, w.amount + asset.withdrawFee)) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
  const record = ctx.withdrawals.record({
    exchange: key.exchange,
    apiKey: key.apiKey,
    accountId: key.accountId,
    asset: asset.code,
    amount: toPlain(w.amount),
    address: w.address,
    network: w.network,
    time: ctx.clock.now(),
  });
  return { ok: true, record };
}

/** Deterministic, exchange-looking ids derived from the sandbox seed and a counter. */
export function hexId(seed: string, label: string, n: number, length: number): string {
  let out = '';
  let i = 0;
  while (out.length < length) {
    out += fnv1a(`${seed}/${label}/${String(n)}/${String(i++)}`).toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A UUID-shaped id (version 4 layout) from the seed, for Coinbase order and account ids. */
export function seededUuid(seed: string, label: string, n: number): string {
  const h = hexId(seed, label, n, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16] ?? '0', 16) % 4] ?? '8';
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
