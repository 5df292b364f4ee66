/**
 * @module store
 * One storage interface; SQLite and PostgreSQL behind it. See README.md.
 */
export type {
  AccountRepo, AccountRow, AuditRepo, AuditRow, CredentialCheckRepo, CredentialCheckRow, CredentialRepo, CredentialRow, CredentialUpdate,
  Custody, KeyWrapUpdate, MetaRepo, NonceRepo, NotificationRepo, NotificationRow, PortfolioSnapshotRepo, PortfolioSnapshotRow, SecondFactorKind, SecondFactorRepo, SecondFactorRow,
  SessionRepo, SessionRow, Store, StoreTx, TokenKeyRepo, TokenKeyRow, TokenRepo, TokenRow,
} from './store.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { FORMAT_VERSION } from './migrations/migration.js';
