// PostgreSQL through pg and kysely, for servers with several stateless nodes. Conditional updates
// (WHERE revision = expected) are safe under the default READ COMMITTED: a second writer blocked
// on the row re-checks the WHERE against the committed row and updates nothing.
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { KeywardError } from '@keyward/protocol/errors';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { createRepos, transactionScope } from '../repos.js';
import { migratePostgres } from './postgres-migrate.js';
import { postgresErrors } from './postgres-errors.js';

export interface PostgresStoreOptions {
  readonly url: string;
  /** A schema to create (if missing) and use as search_path; tests use one per file. */
  readonly schema?: string;
  readonly connectTimeoutMs?: number;
}

// BIGINT columns hold epoch milliseconds and sequence numbers: numbers, refused past 2^53 rather
// than silently rounded.
const BIGINT_OID = 20;
function parseBigint(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new KeywardError('KW_INTERNAL_ERROR', 'A stored integer exceeds 2^53.');
  return n;
}
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT_OID ? parseBigint : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

// Interpolated into search_path and CREATE SCHEMA, so nothing but a plain identifier.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new KeywardError('KW_INPUT_INVALID', 'Invalid schema name.');
  const pool = new pg.Pool({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, schema);
  } catch (e) {
    await pool.end();
    throw postgresErrors.map(e);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    ...createRepos(db, postgresErrors),
    async transaction(fn) {
      const scope = transactionScope();
      try {
        return await db.transaction().execute(async (trx) => {
          return fn(createRepos(trx, postgresErrors, scope.assertOpen));
        });
      } catch (e) {
        throw postgresErrors.map(e);
      } finally {
        scope.end();
      }
    },
    close: () => db.destroy(),
    // A synchronous answer is not possible over the network; revocations will reach other nodes
    // by LISTEN/NOTIFY (the server). Until then nothing is cached on PostgreSQL.
    tokenGeneration: () => null,
    // Committed directly: nothing waits in a journal.
    flushAudit: () => Promise.resolve(),
    async appendAudit(rows) {
      try {
        await db.transaction().execute(async (trx) => {
          await sql`SET LOCAL synchronous_commit TO off`.execute(trx);
          await createRepos(trx, postgresErrors).audit.append(rows);
        });
      } catch (e) {
        throw postgresErrors.map(e);
      }
    },
  };
}
