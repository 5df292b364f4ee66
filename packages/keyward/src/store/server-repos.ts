// The repositories a server's accounts need (second factors, sessions, notifications, token-bound
// key shares, credential checks, server-wide values), over kysely for both backends. The
// conditions that make a code or a counter single-use sit in the UPDATE's WHERE, so two racing
// requests cannot both pass: the database lets exactly one of them change the row.
import type { Kysely, Selectable } from 'kysely';
import type {
  NotificationTable, PortfolioSnapshotTable, SecondFactorTable, SessionTable, TokenCredentialKeyTable, Database,
} from './schema.js';
import type {
  CredentialCheckRepo, MetaRepo, NotificationRepo, NotificationRow, PortfolioSnapshotRepo, PortfolioSnapshotRow, SecondFactorRepo, SecondFactorRow, SessionRepo, SessionRow,
  StoreTx, TokenKeyRepo, TokenKeyRow,
} from './store.js';
import { credentialFrom, nullableNumber, toBytes } from './rows.js';

type ServerRepos = Pick<StoreTx, 'secondFactors' | 'sessions' | 'notifications' | 'tokenKeys' | 'credentialChecks' | 'meta' | 'portfolioSnapshots'>;
type Guarded = <T>(op: () => Promise<T>) => Promise<T>;

/** SQLite limits the number of bound parameters per statement. */
const CHUNK = 500;
const SESSION_LIST_LIMIT = 100;
const NOTIFICATION_LIST_LIMIT = 50;
const SNAPSHOT_LIST_LIMIT = 1000;

function snapshotFrom(r: Selectable<PortfolioSnapshotTable>): PortfolioSnapshotRow {
  return { accountId: r.account_id, at: Number(r.at), quote: r.quote, total: r.total };
}

function secondFactorFrom(r: Selectable<SecondFactorTable>): SecondFactorRow {
  return {
    id: r.id, accountId: r.account_id, kind: r.kind, label: r.label, secret: toBytes(r.secret), credentialId: r.credential_id,
    counter: nullableNumber(r.counter), lastStep: nullableNumber(r.last_step), transports: r.transports,
    createdAt: Number(r.created_at), usedAt: nullableNumber(r.used_at),
  };
}

function sessionFrom(r: Selectable<SessionTable>): SessionRow {
  return {
    id: r.id, accountId: r.account_id, createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at), reauthAt: nullableNumber(r.reauth_at), ip: r.ip, userAgent: r.user_agent, device: r.device,
    csrf: toBytes(r.csrf), endedAt: nullableNumber(r.ended_at), endReason: r.end_reason,
  };
}

function notificationFrom(r: Selectable<NotificationTable>): NotificationRow {
  return {
    id: r.id, accountId: r.account_id, at: Number(r.at), kind: r.kind, title: r.title, body: r.body,
    readAt: nullableNumber(r.read_at), emailedAt: nullableNumber(r.emailed_at),
  };
}

function tokenKeyFrom(r: Selectable<TokenCredentialKeyTable>): TokenKeyRow {
  return {
    tokenAccessor: r.token_accessor, credentialId: r.credential_id, serverShare: toBytes(r.server_share), kekId: r.kek_id,
    wrappedDek: toBytes(r.wrapped_dek), createdAt: Number(r.created_at),
  };
}

async function inChunks<T>(items: readonly T[], run: (chunk: T[]) => Promise<bigint>): Promise<number> {
  let total = 0n;
  for (let i = 0; i < items.length; i += CHUNK) total += await run(items.slice(i, i + CHUNK));
  return Number(total);
}

export function createServerRepos(db: Kysely<Database>, guarded: Guarded): ServerRepos {
  const secondFactors: SecondFactorRepo = {
    insert: (row) => guarded(async () => {
      await db.insertInto('second_factor').values({
        id: row.id, account_id: row.accountId, kind: row.kind, label: row.label, secret: toBytes(row.secret),
        credential_id: row.credentialId, counter: row.counter, last_step: row.lastStep, transports: row.transports,
        created_at: row.createdAt, used_at: row.usedAt,
      }).execute();
    }),
    list: (accountId) => guarded(async () =>
      (await db.selectFrom('second_factor').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute())
        .map(secondFactorFrom)),
    findByCredentialId: (credentialId) => guarded(async () => {
      const r = await db.selectFrom('second_factor').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return r === undefined ? undefined : secondFactorFrom(r);
    }),
    advanceTotpStep: (id, step) => guarded(async () => {
      const r = await db.updateTable('second_factor').set({ last_step: step })
        .where('id', '=', id).where('kind', '=', 'totp')
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    consumeRecovery: (id, at) => guarded(async () => {
      const r = await db.updateTable('second_factor').set({ used_at: at })
        .where('id', '=', id).where('kind', '=', 'recovery').where('used_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    updatePasskeyCounter: (id, counter, at) => guarded(async () => {
      // An authenticator that keeps no counter reports 0 every time (WebAuthn §6.1.1); any other
      // counter must grow, or the passkey may have been cloned.
      const r = await db.updateTable('second_factor').set({ counter, used_at: at })
        .where('id', '=', id).where('kind', '=', 'passkey')
        .where((eb) => counter === 0
          ? eb.or([eb('counter', 'is', null), eb('counter', '=', 0)])
          : eb.or([eb('counter', 'is', null), eb('counter', '<', counter)]))
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    remove: (id) => guarded(async () => {
      const r = await db.deleteFrom('second_factor').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows === 1n;
    }),
    removeKind: (accountId, kind) => guarded(async () => {
      const r = await db.deleteFrom('second_factor').where('account_id', '=', accountId).where('kind', '=', kind).executeTakeFirst();
      return Number(r.numDeletedRows);
    }),
  };

  const sessions: SessionRepo = {
    insert: (row) => guarded(async () => {
      await db.insertInto('session').values({
        id: row.id, account_id: row.accountId, created_at: row.createdAt, last_seen_at: row.lastSeenAt, expires_at: row.expiresAt,
        reauth_at: row.reauthAt, ip: row.ip, user_agent: row.userAgent, device: row.device, csrf: toBytes(row.csrf),
        ended_at: row.endedAt, end_reason: row.endReason,
      }).execute();
    }),
    findById: (id) => guarded(async () => {
      const r = await db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : sessionFrom(r);
    }),
    list: (accountId) => guarded(async () =>
      (await db.selectFrom('session').selectAll().where('account_id', '=', accountId)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(SESSION_LIST_LIMIT).execute()).map(sessionFrom)),
    touch: (id, at) => guarded(async () => {
      await db.updateTable('session').set({ last_seen_at: at }).where('id', '=', id).execute();
    }),
    setReauth: (id, at) => guarded(async () => {
      await db.updateTable('session').set({ reauth_at: at }).where('id', '=', id).execute();
    }),
    setCsrf: (id, csrf) => guarded(async () => {
      await db.updateTable('session').set({ csrf: toBytes(csrf) }).where('id', '=', id).execute();
    }),
    end: (id, at, reason) => guarded(async () => {
      const r = await db.updateTable('session').set({ ended_at: at, end_reason: reason })
        .where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
      return r.numUpdatedRows === 1n;
    }),
    endAll: (accountId, at, reason, exceptId) => guarded(async () => {
      let q = db.updateTable('session').set({ ended_at: at, end_reason: reason })
        .where('account_id', '=', accountId).where('ended_at', 'is', null);
      if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
      return Number((await q.executeTakeFirst()).numUpdatedRows);
    }),
    knownDevice: (accountId, device) => guarded(async () =>
      (await db.selectFrom('session').select('id').where('account_id', '=', accountId).where('device', '=', device).limit(1).executeTakeFirst()) !== undefined),
    knownAddress: (accountId, ip) => guarded(async () =>
      (await db.selectFrom('session').select('id').where('account_id', '=', accountId).where('ip', '=', ip).limit(1).executeTakeFirst()) !== undefined),
  };

  const notifications: NotificationRepo = {
    insert: (row) => guarded(async () => {
      await db.insertInto('notification').values({
        id: row.id, account_id: row.accountId, at: row.at, kind: row.kind, title: row.title, body: row.body,
        read_at: row.readAt, emailed_at: row.emailedAt,
      }).execute();
    }),
    list: (accountId, options = {}) => guarded(async () => {
      const limit = Math.max(0, Math.floor(options.limit ?? NOTIFICATION_LIST_LIMIT));
      let q = db.selectFrom('notification').selectAll().where('account_id', '=', accountId);
      if (options.unreadOnly === true) q = q.where('read_at', 'is', null);
      return (await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(notificationFrom);
    }),
    markRead: (accountId, ids, at) => guarded(() => inChunks(ids, async (chunk) =>
      (await db.updateTable('notification').set({ read_at: at })
        .where('account_id', '=', accountId).where('id', 'in', chunk).where('read_at', 'is', null).executeTakeFirst()).numUpdatedRows)),
    markEmailed: (id, at) => guarded(async () => {
      await db.updateTable('notification').set({ emailed_at: at }).where('id', '=', id).execute();
    }),
    unreadCount: (accountId) => guarded(async () => {
      const r = await db.selectFrom('notification').select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', '=', accountId).where('read_at', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    }),
  };

  const tokenKeys: TokenKeyRepo = {
    insert: (row) => guarded(async () => {
      await db.insertInto('token_credential_key').values({
        token_accessor: row.tokenAccessor, credential_id: row.credentialId, server_share: toBytes(row.serverShare),
        kek_id: row.kekId, wrapped_dek: toBytes(row.wrappedDek), created_at: row.createdAt,
      }).execute();
    }),
    find: (tokenAccessor, credentialId) => guarded(async () => {
      const r = await db.selectFrom('token_credential_key').selectAll()
        .where('token_accessor', '=', tokenAccessor).where('credential_id', '=', credentialId).executeTakeFirst();
      return r === undefined ? undefined : tokenKeyFrom(r);
    }),
    listForCredential: (credentialId) => guarded(async () =>
      (await db.selectFrom('token_credential_key').selectAll().where('credential_id', '=', credentialId)
        .orderBy('created_at').orderBy('token_accessor').execute()).map(tokenKeyFrom)),
    removeForTokens: (accessors) => guarded(() => inChunks(accessors, async (chunk) =>
      (await db.deleteFrom('token_credential_key').where('token_accessor', 'in', chunk).executeTakeFirst()).numDeletedRows)),
    removeForCredential: (credentialId) => guarded(async () =>
      Number((await db.deleteFrom('token_credential_key').where('credential_id', '=', credentialId).executeTakeFirst()).numDeletedRows)),
  };

  const credentialChecks: CredentialCheckRepo = {
    put: (row) => guarded(async () => {
      const values = { checked_at: row.checkedAt, ok: row.ok ? 1 : 0, result: row.result };
      await db.insertInto('credential_check').values({ credential_id: row.credentialId, ...values })
        .onConflict((oc) => oc.column('credential_id').doUpdateSet(values)).execute();
    }),
    get: (credentialId) => guarded(async () => {
      const r = await db.selectFrom('credential_check').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return r === undefined ? undefined
        : { credentialId: r.credential_id, checkedAt: Number(r.checked_at), ok: Number(r.ok) === 1, result: r.result };
    }),
    // Server accounts are those with a sign-in address; a local vault's keys are checked by its owner.
    listDue: (before) => guarded(async () =>
      (await db.selectFrom('credential')
        .innerJoin('account', 'account.id', 'credential.account_id')
        .leftJoin('credential_check', 'credential_check.credential_id', 'credential.id')
        .selectAll('credential')
        .where('account.email', 'is not', null)
        .where((eb) => eb.or([eb('credential_check.checked_at', 'is', null), eb('credential_check.checked_at', '<', before)]))
        .orderBy('credential.created_at').orderBy('credential.id')
        .execute()).map(credentialFrom)),
  };

  const meta: MetaRepo = {
    get: (key) => guarded(async () => {
      const r = await db.selectFrom('server_meta').select('value').where('key', '=', key).executeTakeFirst();
      return r === undefined ? undefined : toBytes(r.value);
    }),
    put: (key, value) => guarded(async () => {
      await db.insertInto('server_meta').values({ key, value: toBytes(value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: toBytes(value) })).execute();
    }),
    putIfAbsent: (key, value) => guarded(async () => {
      // DO NOTHING, then read: of racing writers the first commit wins and every one of them gets
      // its value (READ COMMITTED sees the winner's row once its INSERT waited on it).
      await db.insertInto('server_meta').values({ key, value: toBytes(value) })
        .onConflict((oc) => oc.column('key').doNothing()).execute();
      const r = await db.selectFrom('server_meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return toBytes(r.value);
    }),
  };

  const portfolioSnapshots: PortfolioSnapshotRepo = {
    record: (row) => guarded(async () => {
      const r = await db.insertInto('portfolio_snapshot')
        .values({ account_id: row.accountId, at: row.at, quote: row.quote, total: row.total })
        .onConflict((oc) => oc.columns(['account_id', 'at']).doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    }),
    list: (accountId, options = {}) => guarded(async () => {
      let q = db.selectFrom('portfolio_snapshot').selectAll().where('account_id', '=', accountId);
      if (options.since !== undefined) q = q.where('at', '>=', options.since);
      if (options.quote !== undefined) q = q.where('quote', '=', options.quote);
      return (await q.orderBy('at').limit(options.limit ?? SNAPSHOT_LIST_LIMIT).execute()).map(snapshotFrom);
    }),
    latest: (accountId, quote) => guarded(async () => {
      let q = db.selectFrom('portfolio_snapshot').selectAll().where('account_id', '=', accountId);
      if (quote !== undefined) q = q.where('quote', '=', quote);
      const r = await q.orderBy('at', 'desc').limit(1).executeTakeFirst();
      return r === undefined ? undefined : snapshotFrom(r);
    }),
  };

  return { secondFactors, sessions, notifications, tokenKeys, credentialChecks, meta, portfolioSnapshots };
}
