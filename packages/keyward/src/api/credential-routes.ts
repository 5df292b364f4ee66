// Connecting exchanges (docs/server.md "Custody modes"): the client seals a credential before
// upload (the server receives ciphertext only); the server then opens it with the session's user
// key, asks the exchange what the key may do, and refuses, removing it, a key that can withdraw or
// transfer. A key without an IP restriction is kept, with a warning naming the address to allow.
import { KeywardError } from '@keyward/protocol/errors';
import { findExchange } from '@keyward/protocol/exchange-ids';
import { WRAPPED_KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { z } from 'zod';
import type { KeyPermissions } from '../exchanges/index.js';
import type { CredentialCheckRow, CredentialRow, Custody } from '../store/index.js';
import { delegateCredential, whoCanOpen } from '../vault/index.js';
import type { ApiDeps } from './deps.js';
import { route, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

export interface CheckOutcome {
  readonly ok: boolean;
  readonly permissions: KeyPermissions | null;
  readonly warnings: readonly string[];
  /** Why the key was refused (and removed), in plain words. */
  readonly refusal: string | null;
}

/** How the server checks and forgets credentials; main/server.ts provides it. */
export interface CredentialOps {
  /** Opens the credential (with the session's user key or the KEK) and asks the exchange. */
  check(accountId: string, row: CredentialRow): Promise<CheckOutcome>;
  /** Wipes every key handle opened from this credential (or all of the account's). */
  forget(accountId: string, credentialId?: string): void;
  /** The address exchanges see this server's requests come from, for IP restrictions. */
  readonly egressAddress: string;
}

const b64 = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url');
const custodySchema = z.enum(['sealed', 'token-bound', 'delegated']);

export function judgePermissions(p: KeyPermissions, egress: string): Pick<CheckOutcome, 'ok' | 'warnings' | 'refusal'> {
  if (p.withdraw === true) return { ok: false, warnings: [], refusal: 'This key can withdraw funds. Create a key with withdrawals switched off.' };
  if (p.transfer === true) return { ok: false, warnings: [], refusal: 'This key can transfer funds between accounts. Create a key without transfer permission.' };
  if (p.trade === false && p.read === false) return { ok: false, warnings: [], refusal: 'This key can neither read nor trade.' };
  const warnings: string[] = [];
  if (p.ipRestricted !== true) warnings.push(`This key works from any address. Restrict it on the exchange to ${egress}, the address Keyward's requests come from.`);
  if (p.withdraw === null) warnings.push('The exchange does not say whether this key can withdraw; Keyward never signs a withdrawal, but check on the exchange.');
  return { ok: true, warnings, refusal: null };
}

export function credentialView(row: CredentialRow, check: CredentialCheckRow | undefined): Record<string, unknown> {
  return {
    id: row.id, name: row.name, exchange: row.exchange, fingerprint: row.fingerprint, custody: row.custody,
    whoCanOpen: whoCanOpen(row.custody), createdAt: row.createdAt, rotatedAt: row.rotatedAt,
    check: check === undefined ? null : { checkedAt: check.checkedAt, ok: check.ok, ...(JSON.parse(check.result) as object) },
  };
}

export function credentialRoutes(deps: ApiDeps, ops: CredentialOps): RouteDef[] {
  const { store } = deps;
  const mine = async (s: ActiveSession, id: string): Promise<CredentialRow> => {
    const row = await store.credentials.findById(id);
    if (row === undefined || row.accountId !== s.accountId) throw new KeywardError('KW_CREDENTIAL_NOT_FOUND');
    return row;
  };

  async function runCheck(s: ActiveSession, row: CredentialRow): Promise<CheckOutcome> {
    const outcome = await ops.check(s.accountId, row);
    await store.credentialChecks.put({
      credentialId: row.id, checkedAt: deps.now(), ok: outcome.ok,
      result: JSON.stringify({ permissions: outcome.permissions, warnings: outcome.warnings, refusal: outcome.refusal }),
    });
    return outcome;
  }

  return [
    route({
      method: 'GET', url: '/api/v1/exchanges', tag: 'credentials', access: 'none',
      summary: 'Exchanges this server can connect, with the fields each key needs',
      handler: async () => ({
        exchanges: deps.exchanges.map((id) => ({ id, name: findExchange(id)?.name ?? id })),
        custodyModes: (['sealed', 'token-bound', 'delegated'] as const).map((m) => ({ mode: m, whoCanOpen: whoCanOpen(m) })),
      }),
    }),
    route({
      method: 'GET', url: '/api/v1/credentials', tag: 'credentials', access: 'session',
      summary: 'Connected exchange keys, with custody mode, who can open each, and the last permission check',
      handler: async ({ session }) => {
        const rows = await store.credentials.list((session as ActiveSession).accountId);
        return { credentials: await Promise.all(rows.map(async (r) => credentialView(r, await store.credentialChecks.get(r.id)))) };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/credentials', tag: 'credentials', access: 'unlocked', status: 201,
      summary: 'Connect an exchange key sealed by the client; the server checks its permissions and refuses (and removes) one that can withdraw or transfer',
      body: z.object({
        id: z.string().regex(/^[0-9a-f]{32}$/, '32 hex characters'),
        name: z.string().trim().min(1).max(60).regex(/^[A-Za-z0-9 ._-]+$/, 'letters, digits, space, dot, dash, underscore'),
        exchange: z.string().max(30),
        custody: custodySchema.default('sealed'),
        ciphertext: b64.max(64 * 1024),
        wrappedDek: b64.refine((s) => Buffer.from(s, 'base64url').length === WRAPPED_KEY_BYTES, `${String(WRAPPED_KEY_BYTES)} bytes`),
        fingerprint: z.string().regex(/^[0-9a-f]{8,64}$/),
      }).strict(),
      handler: async ({ session, body, reply }) => {
        const s = session as ActiveSession;
        if (!deps.exchanges.includes(body.exchange)) throw new KeywardError('KW_EXCHANGE_UNKNOWN', `This server does not connect "${body.exchange.slice(0, 30)}".`);
        const at = deps.now();
        let row: CredentialRow = {
          id: body.id, accountId: s.accountId, name: body.name, exchange: body.exchange, fingerprint: body.fingerprint, custody: body.custody,
          ciphertext: Buffer.from(body.ciphertext, 'base64url'), wrappedDek: Buffer.from(body.wrappedDek, 'base64url'),
          kekWrappedDek: null, kekId: null, revision: 0, createdAt: at, rotatedAt: null,
        };
        await store.credentials.insert(row);
        let outcome: CheckOutcome;
        try {
          if (body.custody === 'delegated') row = await delegate(s, row);
          outcome = await runCheck(s, row);
        } catch (e) {
          await store.credentials.remove(row.id);
          ops.forget(s.accountId, row.id);
          throw e;
        }
        if (!outcome.ok) {
          await store.credentials.remove(row.id);
          ops.forget(s.accountId, row.id);
          deps.notify(s.accountId, 'credential-refused', { name: row.name, exchange: row.exchange, reason: outcome.refusal ?? '' });
          throw Object.assign(new KeywardError('KW_CREDENTIAL_REFUSED', outcome.refusal ?? undefined), { problemExtras: { permissions: outcome.permissions } });
        }
        reply.code(201);
        return credentialView(row, await store.credentialChecks.get(row.id));
      },
    }),
    route({
      method: 'POST', url: '/api/v1/credentials/:id/check', tag: 'credentials', access: 'session',
      summary: "Ask the exchange again what the key may do (needs the key openable: an unlocked session or delegated custody)",
      params: z.object({ id: z.string().max(64) }).strict(),
      handler: async ({ session, params }) => {
        const s = session as ActiveSession;
        const row = await mine(s, params.id);
        await runCheck(s, row);
        return credentialView(row, await store.credentialChecks.get(row.id));
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/credentials/:id/custody', tag: 'credentials', access: 'fresh',
      summary: 'Change who can open a key: sealed (only you), token-bound (a bot token with the server), delegated (also the server KEK)',
      params: z.object({ id: z.string().max(64) }).strict(),
      body: z.object({ custody: custodySchema }).strict(),
      handler: async ({ session, params, body }) => {
        const s = session as ActiveSession;
        let row = await mine(s, params.id);
        // Leaving token-bound custody drops every token's binding: those halves open nothing now.
        if (row.custody === 'token-bound' && body.custody !== 'token-bound') await store.tokenKeys.removeForCredential(row.id);
        if (body.custody === 'delegated') {
          row = await delegate(s, row);
        } else {
          if (!await store.credentials.setCustody(row.id, row.revision, body.custody, null, null)) throw new KeywardError('KW_VAULT_CONFLICT');
          row = { ...row, custody: body.custody, kekWrappedDek: null, kekId: null, revision: row.revision + 1 };
        }
        ops.forget(s.accountId, row.id);
        return credentialView(row, await store.credentialChecks.get(row.id));
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/credentials/:id', tag: 'credentials', access: 'session',
      summary: 'Remove an exchange key from Keyward (tokens naming it stop working)',
      params: z.object({ id: z.string().max(64) }).strict(),
      handler: async ({ session, params }) => {
        const s = session as ActiveSession;
        const row = await mine(s, params.id);
        await store.credentials.remove(row.id);
        ops.forget(s.accountId, row.id);
        return undefined;
      },
    }),
  ];

  async function delegate(s: ActiveSession, row: CredentialRow): Promise<CredentialRow> {
    const userKey = deps.keyRing.forAccount(s.accountId);
    if (userKey === undefined) throw new KeywardError('KW_SESSION_LOCKED');
    const wrapped = await delegateCredential(userKey, deps.kek, row);
    if (!await store.credentials.setCustody(row.id, row.revision, 'delegated', wrapped.kekWrappedDek, wrapped.kekId)) throw new KeywardError('KW_VAULT_CONFLICT');
    return { ...row, custody: 'delegated' as Custody, kekWrappedDek: wrapped.kekWrappedDek, kekId: wrapped.kekId, revision: row.revision + 1 };
  }
}
