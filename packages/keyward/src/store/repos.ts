// The repositories, written once over kysely and shared by both backends. Each backend passes its
// own error mapper, so driver errors become KeywardErrors at this one boundary. Error details name
// what was refused, never the row's values: a name can be someone's label for a secret.
import type { Kysely, Selectable } from 'kysely';
import { KeywardError } from '@keyward/protocol/errors';
import type { AccountTable, Database, TokenTable } from './schema.js';
import type { AccountRepo, AccountRow, AuditRepo, CredentialRepo, NonceRepo, StoreTx, TokenRepo, TokenRow } from './store.js';
import { credentialFrom, nullableBytes, toBytes } from './rows.js';
import { createServerRepos } from './server-repos.js';

/** A unique index, named the way each driver reports a violation of it. */
export interface UniqueIndex {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
}

/** Classifies driver errors; `map` turns them into KeywardErrors and lets every other error through. */
export interface ErrorMapper {
  /** With `index`: a violation of that index only. */
  isUniqueViolation(e: unknown, index?: UniqueIndex): boolean;
  map(e: unknown): unknown;
}

const ACCOUNT_EMAIL: UniqueIndex = { name: 'account_email', table: 'account', columns: ['email'] };

/** Addresses are compared case-insensitively by storing them lower-cased. */
const normalEmail = (email: string): string => email.toLowerCase();

function ipAllowlistFrom(text: string | null): readonly string[] | null {
  if (text === null) return null;
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
    throw new KeywardError('KW_VAULT_DAMAGED', "An account's address allowlist is unreadable.");
  }
  return list as string[];
}

function accountFrom(r: Selectable<AccountTable>): AccountRow {
  return {
    id: r.id, name: r.name, kdfMemoryKiB: Number(r.kdf_memory_kib), kdfIterations: Number(r.kdf_iterations),
    salt: toBytes(r.salt), wrappedUserKey: toBytes(r.wrapped_user_key), authKeyHash: r.auth_key_hash,
    email: r.email, userKeyCheck: nullableBytes(r.user_key_check), ipAllowlist: ipAllowlistFrom(r.ip_allowlist),
    revision: Number(r.revision), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

function tokenFrom(r: Selectable<TokenTable>): TokenRow {
  return {
    accessor: r.accessor, accountId: r.account_id, parentAccessor: r.parent_accessor, hash: toBytes(r.hash), label: r.label,
    policy: r.policy, createdAt: Number(r.created_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    usesLeft: r.uses_left === null ? null : Number(r.uses_left), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

/** Ends a transaction's repositories with it (see createRepos). */
export function transactionScope(): { assertOpen: () => void; end: () => void } {
  let open = true;
  return {
    assertOpen: () => {
      if (!open) throw new KeywardError('KW_INTERNAL_ERROR', "A transaction's repositories were used after it ended.");
    },
    end: () => {
      open = false;
    },
  };
}

/**
 * `assertUsable` runs before every call: a transaction's repositories refuse to run once it has
 * ended, because their connection may by then be serving another transaction.
 */
export function createRepos(db: Kysely<Database>, errors: ErrorMapper, assertUsable: () => void = () => undefined): StoreTx {
  async function guarded<T>(op: () => Promise<T>): Promise<T> {
    try {
      assertUsable();
      return await op();
    } catch (e) {
      throw errors.map(e);
    }
  }

  const accounts: AccountRepo = {
    insert: (row) => guarded(async () => {
      try {
        await db.insertInto('account').values({
          id: row.id, name: row.name, kdf_memory_kib: row.kdfMemoryKiB, kdf_iterations: row.kdfIterations,
          salt: toBytes(row.salt), wrapped_user_key: toBytes(row.wrappedUserKey), auth_key_hash: row.authKeyHash,
          email: row.email === null ? null : normalEmail(row.email), user_key_check: nullableBytes(row.userKeyCheck),
          ip_allowlist: row.ipAllowlist === null ? null : JSON.stringify(row.ipAllowlist),
          revision: row.revision, created_at: row.createdAt, updated_at: row.updatedAt,
        }).execute();
      } catch (e) {
        if (errors.isUniqueViolation(e, ACCOUNT_EMAIL)) throw new KeywardError('KW_ACCOUNT_EXISTS');
        if (errors.isUniqueViolation(e)) throw new KeywardError('KW_VAULT_EXISTS', 'An account with that name already exists.');
        throw e;
      }
    }),
    findById: (id) => guarded(async () => {
      const r = await db.selectFrom('account').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : accountFrom(r);
    }),
    findByName: (name) => guarded(async () => {
      const r = await db.selectFrom('account').selectAll().where('name', '=', name).executeTakeFirst();
      return r === undefined ? undefined : accountFrom(r);
    }),
    list: () => guarded(async () => (await db.selectFrom('account').selectAll().orderBy('name').execute()).map(accountFrom)),
    updateKeyWrap: (id, expectedRevision, u) => guarded(async () => {
      const result = await db.updateTable('account').set({
        kdf_memory_kib: u.kdfMemoryKiB, kdf_iterations: u.kdfIterations, salt: toBytes(u.salt),
        wrapped_user_key: toBytes(u.wrappedUserKey), updated_at: u.updatedAt, revision: expectedRevision + 1,
        ...(u.authKeyHash === undefined ? {} : { auth_key_hash: u.authKeyHash }),
      }).where('id', '=', id).where('revision', '=', expectedRevision).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    }),
    findByEmail: (email) => guarded(async () => {
      const r = await db.selectFrom('account').selectAll().where('email', '=', normalEmail(email)).executeTakeFirst();
      return r === undefined ? undefined : accountFrom(r);
    }),
    setEmail: (id, email) => guarded(async () => {
      const address = normalEmail(email);
      // Asked first, so the usual refusal is not a failed statement (which in PostgreSQL would
      // abort the caller's transaction); the unique index still settles a race.
      const taken = await db.selectFrom('account').select('id').where('email', '=', address).where('id', '<>', id).executeTakeFirst();
      if (taken !== undefined) throw new KeywardError('KW_ACCOUNT_EXISTS');
      try {
        const result = await db.updateTable('account').set({ email: address }).where('id', '=', id).executeTakeFirst();
        return result.numUpdatedRows === 1n;
      } catch (e) {
        if (errors.isUniqueViolation(e, ACCOUNT_EMAIL)) throw new KeywardError('KW_ACCOUNT_EXISTS');
        throw e;
      }
    }),
    setIpAllowlist: (id, cidrs) => guarded(async () => {
      const result = await db.updateTable('account').set({ ip_allowlist: cidrs === null ? null : JSON.stringify(cidrs) })
        .where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    }),
  };

  const credentials: CredentialRepo = {
    insert: (row) => guarded(async () => {
      try {
        await db.insertInto('credential').values({
          id: row.id, account_id: row.accountId, name: row.name, exchange: row.exchange, fingerprint: row.fingerprint,
          custody: row.custody, ciphertext: toBytes(row.ciphertext), wrapped_dek: toBytes(row.wrappedDek),
          kek_wrapped_dek: row.kekWrappedDek === null ? null : toBytes(row.kekWrappedDek), kek_id: row.kekId,
          revision: row.revision, created_at: row.createdAt, rotated_at: row.rotatedAt,
        }).execute();
      } catch (e) {
        if (errors.isUniqueViolation(e)) throw new KeywardError('KW_CREDENTIAL_EXISTS');
        throw e;
      }
    }),
    findById: (id) => guarded(async () => {
      const r = await db.selectFrom('credential').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : credentialFrom(r);
    }),
    findByName: (accountId, name) => guarded(async () => {
      const r = await db.selectFrom('credential').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
      return r === undefined ? undefined : credentialFrom(r);
    }),
    list: (accountId) => guarded(async () =>
      (await db.selectFrom('credential').selectAll().where('account_id', '=', accountId).orderBy('name').execute()).map(credentialFrom)),
    update: (id, expectedRevision, u) => guarded(async () => {
      const result = await db.updateTable('credential').set({
        ciphertext: toBytes(u.ciphertext), wrapped_dek: toBytes(u.wrappedDek), fingerprint: u.fingerprint,
        rotated_at: u.rotatedAt, revision: expectedRevision + 1,
        ...(u.kekWrappedDek === undefined ? {} : { kek_wrapped_dek: u.kekWrappedDek === null ? null : toBytes(u.kekWrappedDek) }),
      }).where('id', '=', id).where('revision', '=', expectedRevision).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    }),
    setCustody: (id, expectedRevision, custody, kekWrappedDek, kekId) => guarded(async () => {
      const result = await db.updateTable('credential').set({
        custody, kek_wrapped_dek: nullableBytes(kekWrappedDek), kek_id: kekId, revision: expectedRevision + 1,
      }).where('id', '=', id).where('revision', '=', expectedRevision).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    }),
    listByCustody: (custody) => guarded(async () =>
      (await db.selectFrom('credential').selectAll().where('custody', '=', custody).orderBy('created_at').orderBy('id').execute()).map(credentialFrom)),
    // Its nonce mark, checks and token bindings go with it: ON DELETE CASCADE, in this one statement.
    remove: (id) => guarded(async () => {
      const result = await db.deleteFrom('credential').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows === 1n;
    }),
  };

  const nonces: NonceRepo = {
    get: (credentialId) => guarded(async () => {
      const r = await db.selectFrom('credential_nonce').select('high_water').where('credential_id', '=', credentialId).executeTakeFirst();
      return r === undefined ? undefined : BigInt(r.high_water);
    }),
    advance: (credentialId, expected, next) => guarded(async () => {
      if (expected === undefined) {
        // DO NOTHING rather than catching the violation: in PostgreSQL a failed statement would
        // abort the caller's whole transaction.
        const r = await db.insertInto('credential_nonce').values({ credential_id: credentialId, high_water: next.toString() })
          .onConflict((oc) => oc.column('credential_id').doNothing()).executeTakeFirst();
        return r.numInsertedOrUpdatedRows === 1n;
      }
      const r = await db.updateTable('credential_nonce').set({ high_water: next.toString() })
        .where('credential_id', '=', credentialId).where('high_water', '=', expected.toString()).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
  };

  const tokens: TokenRepo = {
    insert: (row) => guarded(async () => {
      await db.insertInto('token').values({
        accessor: row.accessor, account_id: row.accountId, parent_accessor: row.parentAccessor, hash: toBytes(row.hash),
        label: row.label, policy: row.policy, created_at: row.createdAt, expires_at: row.expiresAt, uses_left: row.usesLeft,
        revoked_at: row.revokedAt,
      }).execute();
    }),
    findByHash: (hash) => guarded(async () => {
      const r = await db.selectFrom('token').selectAll().where('hash', '=', toBytes(hash)).executeTakeFirst();
      return r === undefined ? undefined : tokenFrom(r);
    }),
    findByAccessor: (accessor) => guarded(async () => {
      const r = await db.selectFrom('token').selectAll().where('accessor', '=', accessor).executeTakeFirst();
      return r === undefined ? undefined : tokenFrom(r);
    }),
    list: (accountId) => guarded(async () =>
      (await db.selectFrom('token').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('accessor').execute()).map(tokenFrom)),
    revoke: (accessors, at) => guarded(async () => {
      let changed = 0n;
      // In chunks: SQLite limits the number of bound parameters per statement.
      for (let i = 0; i < accessors.length; i += 500) {
        const r = await db.updateTable('token').set({ revoked_at: at })
          .where('accessor', 'in', accessors.slice(i, i + 500)).where('revoked_at', 'is', null).executeTakeFirst();
        changed += r.numUpdatedRows;
      }
      return Number(changed);
    }),
    consumeUse: (accessor) => guarded(async () => {
      const row = await db.selectFrom('token').select('uses_left').where('accessor', '=', accessor).executeTakeFirst();
      if (row === undefined) return false;
      if (row.uses_left === null) return true;
      const r = await db.updateTable('token').set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
        .where('accessor', '=', accessor).where('uses_left', '>', 0).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    setPolicy: (accessor, policy) => guarded(async () => {
      const r = await db.updateTable('token').set({ policy }).where('accessor', '=', accessor).where('revoked_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    revokeAll: (accountId, at) => guarded(async () => {
      const r = await db.updateTable('token').set({ revoked_at: at }).where('account_id', '=', accountId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    }),
  };

  const audit: AuditRepo = {
    append: (rows) => guarded(async () => {
      if (rows.length === 0) return;
      for (let i = 0; i < rows.length; i += 100) {
        await db.insertInto('audit_record').values(rows.slice(i, i + 100).map((r) => ({
          account_id: r.accountId, seq: r.seq, at: r.at, body: r.body, link: toBytes(r.link),
        }))).execute();
      }
    }),
    head: (accountId) => guarded(async () => {
      const r = await db.selectFrom('audit_record').select(['seq', 'link']).where('account_id', '=', accountId)
        .orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return r === undefined ? undefined : { seq: Number(r.seq), link: toBytes(r.link) };
    }),
    list: (accountId, fromSeq = 1, limit = 1_000_000) => guarded(async () =>
      (await db.selectFrom('audit_record').selectAll().where('account_id', '=', accountId).where('seq', '>=', fromSeq)
        .orderBy('seq').limit(limit).execute()).map((r) => ({
        accountId: r.account_id, seq: Number(r.seq), at: Number(r.at), body: r.body, link: toBytes(r.link),
      }))),
  };

  return { accounts, credentials, nonces, tokens, audit, ...createServerRepos(db, guarded) };
}
