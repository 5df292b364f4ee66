// Admin routes for tests and the `keyward sandbox` command: create keys, read the withdrawal
// record, inspect an account. They are unauthenticated by design: the sandbox holds only paper
// money and listens on 127.0.0.1 unless told otherwise.
import type { FastifyInstance } from 'fastify';
import { toPlain } from './decimal.js';
import { EXCHANGES, type CreateKeyOptions, type KeyMaterial, type KeyType, type Permission } from './keys.js';
import type { Order } from './matching-engine.js';
import type { AdminRoutes } from './server.js';
import { parseJsonObject } from './wire.js';
import type { WithdrawalAttempt, WithdrawalRecord } from './withdrawals.js';

export interface AccountView {
  readonly accountId: string;
  readonly balances: Readonly<Record<string, { free: string; locked: string }>>;
  readonly orders: readonly Order[];
}

export interface AdminApi {
  createKey(options: CreateKeyOptions): KeyMaterial;
  withdrawals(): readonly WithdrawalRecord[];
  withdrawalAttempts(): readonly WithdrawalAttempt[];
  account(accountId: string): AccountView | undefined;
}

const PERMISSIONS: readonly string[] = ['read', 'trade', 'withdraw'];
const KEY_TYPES: readonly string[] = ['hmac', 'ed25519', 'es256'];

/** Reads POST /admin/keys bodies strictly: an unknown field is a typo, not something to ignore. */
export function parseCreateKey(body: string): CreateKeyOptions | string {
  const o = parseJsonObject(body);
  if (o === undefined) return 'body must be a JSON object';
  const allowed = ['exchange', 'permissions', 'ipRestrict', 'keyType', 'accountId', 'balances', 'passphrase', 'label'];
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) return `unknown field(s): ${unknown.join(', ')}`;
  const { exchange, permissions, ipRestrict, keyType, accountId, balances, passphrase, label } = o;
  if (typeof exchange !== 'string' || !(EXCHANGES as readonly string[]).includes(exchange)) return `exchange must be one of ${EXCHANGES.join(', ')}`;
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (permissions !== undefined && (!isStrings(permissions) || !permissions.every((p) => PERMISSIONS.includes(p)))) return 'permissions must be a subset of read, trade, withdraw';
  if (ipRestrict !== undefined && !isStrings(ipRestrict)) return 'ipRestrict must be an array of addresses or CIDR ranges';
  if (keyType !== undefined && (typeof keyType !== 'string' || !KEY_TYPES.includes(keyType))) return 'keyType must be hmac, ed25519 or es256';
  if (accountId !== undefined && typeof accountId !== 'string') return 'accountId must be a string';
  if (passphrase !== undefined && typeof passphrase !== 'string') return 'passphrase must be a string';
  if (label !== undefined && typeof label !== 'string') return 'label must be a string';
  if (balances !== undefined && (typeof balances !== 'object' || balances === null || Array.isArray(balances)
    || !Object.values(balances).every((v) => typeof v === 'string'))) return 'balances must map asset codes to decimal strings';
  return {
    exchange: exchange as CreateKeyOptions['exchange'],
    permissions: permissions as Permission[] | undefined,
    ipRestrict,
    keyType: keyType as KeyType | undefined,
    accountId,
    balances: balances as Record<string, string> | undefined,
    passphrase,
    label,
  };
}

export function createAdminRoutes(api: AdminApi): AdminRoutes {
  return {
    register(app: FastifyInstance) {
      app.post('/admin/keys', async (request, reply) => {
        const parsed = parseCreateKey(typeof request.body === 'string' ? request.body : '');
        if (typeof parsed === 'string') return reply.code(400).send({ error: parsed });
        try {
          return await reply.code(201).send(api.createKey(parsed));
        } catch (e) {
          return reply.code(400).send({ error: e instanceof RangeError ? e.message : 'could not create key' });
        }
      });
      app.get('/admin/withdrawals', async () => ({ withdrawals: api.withdrawals(), attempts: api.withdrawalAttempts() }));
      app.get<{ Params: { accountId: string } }>('/admin/accounts/:accountId', async (request, reply) => {
        const view = api.account(request.params.accountId);
        if (view === undefined) return reply.code(404).send({ error: 'no such account' });
        return {
          accountId: view.accountId,
          balances: view.balances,
          orders: view.orders.map((o) => ({
            id: o.id, ref: o.ref, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, type: o.type,
            status: o.status, price: o.price === undefined ? null : toPlain(o.price),
            quantity: o.quantity === undefined ? null : toPlain(o.quantity),
            executedQty: toPlain(o.executedQty), cumQuote: toPlain(o.cumQuote), fee: toPlain(o.feeTotal),
          })),
        };
      });
    },
  };
}
