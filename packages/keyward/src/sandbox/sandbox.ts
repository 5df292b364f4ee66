// Composition: one seed and one clock feed the price walk, the engine and every dialect.
import type { FastifyInstance } from 'fastify';
import { createAdminRoutes, type AccountView } from './admin.js';
import { systemClock, type Clock } from './clock.js';
import { parseDec, toPlain, type Dec } from './decimal.js';
import { recordingWithdrawals, type DialectContext } from './dialects/dialect.js';
import { createBinanceDialect } from './dialects/binance.js';
import { createCoinbaseDialect } from './dialects/coinbase.js';
import { createKrakenDialect } from './dialects/kraken.js';
import { createOkxDialect } from './dialects/okx.js';
import { createKeyStore, type CreateKeyOptions, type KeyMaterial } from './keys.js';
import { ASSETS, DEFAULT_BALANCES, MARKETS } from './markets.js';
import { createMatchingEngine, type MatchingEngine } from './matching-engine.js';
import { createPriceFeed, type PriceFeed } from './price-feed.js';
import { buildServer } from './server.js';
import { createWithdrawalLedger, type WithdrawalAttempt, type WithdrawalRecord } from './withdrawals.js';

export interface SandboxOptions {
  /** Same seed + same clock readings = same prices, books and fills. Default 1. */
  readonly seed?: number | string | undefined;
  readonly clock?: Clock | undefined;
  /** Length of one price step; default 1000 ms. */
  readonly stepMs?: number | undefined;
  readonly logger?: boolean | undefined;
}

export interface Sandbox {
  /** The fastify instance: inject() in tests, or listen() (startSandbox does). */
  readonly app: FastifyInstance;
  readonly seed: string;
  readonly clock: Clock;
  readonly engine: MatchingEngine;
  readonly feed: PriceFeed;
  /** Creates an API key (and its paper account) and returns the key material once. */
  createKey(options: CreateKeyOptions): KeyMaterial;
  /** Every withdrawal the sandbox accepted (funds moved), oldest first. */
  withdrawals(): readonly WithdrawalRecord[];
  /** Every request that reached a withdrawal-like path, accepted or refused, oldest first. */
  withdrawalAttempts(): readonly WithdrawalAttempt[];
  account(accountId: string): AccountView | undefined;
  /** Closes the HTTP instance and wipes every stored secret. */
  close(): Promise<void>;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const seed = String(options.seed ?? 1);
  const clock = options.clock ?? systemClock;
  const feed = createPriceFeed({ seed, markets: MARKETS, startMs: clock.now(), stepMs: options.stepMs });
  const engine = createMatchingEngine({ feed, markets: MARKETS, now: () => clock.now() });
  const keys = createKeyStore();
  const withdrawals = createWithdrawalLedger();
  const ctx: DialectContext = { seed, clock, engine, feed, keys, markets: MARKETS, assets: ASSETS, withdrawals };
  const dialects = [createBinanceDialect(ctx), createKrakenDialect(ctx), createCoinbaseDialect(ctx), createOkxDialect(ctx)]
    .map((d) => recordingWithdrawals(d, withdrawals, clock));
  let accounts = 0;

  const createKey = (o: CreateKeyOptions): KeyMaterial => {
    const accountId = o.accountId ?? `acct-${String(++accounts).padStart(6, '0')}`;
    if (!engine.hasAccount(accountId)) {
      const balances: Record<string, Dec> = {};
      for (const [asset, text] of Object.entries(o.balances ?? DEFAULT_BALANCES)) {
        const d = parseDec(text);
        if (d === undefined) throw new RangeError(`sandbox: balance of ${asset} is not a decimal: ${text}`);
        balances[asset] = d;
      }
      for (const a of ASSETS) balances[a.code] ??= 0n;
      engine.openAccount(accountId, balances);
    }
    return keys.create(o, accountId, clock.now()).material;
  };

  const account = (accountId: string): AccountView | undefined => {
    if (!engine.hasAccount(accountId)) return undefined;
    engine.sync();
    const balances: Record<string, { free: string; locked: string }> = {};
    for (const b of engine.balances(accountId)) balances[b.asset] = { free: toPlain(b.free), locked: toPlain(b.locked) };
    return { accountId, balances, orders: engine.orders(accountId) };
  };

  const app = buildServer(dialects, createAdminRoutes({ createKey, withdrawals: () => withdrawals.list(), withdrawalAttempts: () => withdrawals.attempts(), account }), { logger: options.logger ?? false });

  return {
    app, seed, clock, engine, feed, createKey, account,
    withdrawals: () => withdrawals.list(),
    withdrawalAttempts: () => withdrawals.attempts(),
    async close() {
      keys.clear();
      await app.close();
    },
  };
}

export interface StartSandboxOptions extends SandboxOptions {
  /** Default 127.0.0.1: the admin routes are unauthenticated. */
  readonly host?: string | undefined;
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined;
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:43117; exchanges live under /binance, /kraken, /coinbase, /okx. */
  readonly url: string;
  readonly sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox(options);
  const host = options.host ?? '127.0.0.1';
  await sandbox.app.listen({ host, port: options.port ?? 0 });
  const address = sandbox.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox: listening on a pipe, not a TCP port');
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shownHost}:${String(address.port)}`, sandbox, close: () => sandbox.close() };
}
