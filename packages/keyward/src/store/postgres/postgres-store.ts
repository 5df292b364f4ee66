// PostgreSQL through pg and kysely, for servers with several stateless nodes. BIGINT columns
// (epoch milliseconds) are parsed to numbers: they stay far below 2^53.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { KeywardError } from '@keyward/protocol/errors';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { createRepos, type ErrorMapper } from '../repos.js';
import { BOOKKEEPING_SQL, FORMAT_VERSION, checkNotNewer, pending } from '../migrations/migration.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres.js';

export interface PostgresStoreOptions {
  readonly url: string;
  /** A schema to create (if missing) and use as search_path; tests use one per file. */
  readonly schema?: string;
  readonly connectTimeoutMs?: number;
}

const BIGINT_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === BIGINT_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function pgCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001', '3D000', '28P01', '28000']);

export const postgresErrors: ErrorMapper = {
  isUniqueViolation: (e) => pgCode(e) === '23505',
  map(e) {
    const code = pgCode(e);
    if (CONNECTION_CODES.has(code) || (e instanceof Error && /timeout|terminated|Connection/i.test(e.message) && code === '')) {
      return new KeywardError('KW_STORE_UNAVAILABLE', `The database cannot be reached (${code || 'connection error'}).`, { cause: e });
    }
    if (code === '40001' || code === '55P03') return new KeywardError('KW_VAULT_BUSY', undefined, { cause: e });
    return e;
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One migrator at a time across every node of a cluster.
    await client.query('SELECT pg_advisory_xact_lock(7426575)');
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
    let appliedMax = 0;
    let formatVersion: number | null = null;
    if (exists.rows[0]?.t !== null && exists.rows[0]?.t !== undefined) {
      appliedMax = (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0;
      const fmt = await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'format_version'");
      formatVersion = fmt.rows[0] === undefined ? null : Number(fmt.rows[0].value);
    }
    checkNotNewer(appliedMax, formatVersion, POSTGRES_MIGRATIONS);
    await client.query(BOOKKEEPING_SQL.postgres);
    for (const m of pending(appliedMax, POSTGRES_MIGRATIONS)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
    }
    await client.query("INSERT INTO meta (key, value) VALUES ('format_version', $1) ON CONFLICT (key) DO NOTHING", [String(FORMAT_VERSION)]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) throw new KeywardError('KW_INPUT_INVALID', 'Invalid schema name.');
  const config: pg.PoolConfig = {
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types,
    max: 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  };
  const pool = new pg.Pool(config);
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  try {
    if (options.schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await migrate(pool);
  } catch (e) {
    await pool.end();
    throw postgresErrors.map(e);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    ...createRepos(db, postgresErrors),
    async transaction(fn) {
      try {
        return await db.transaction().execute((trx) => fn(createRepos(trx, postgresErrors)));
      } catch (e) {
        throw postgresErrors.map(e);
      }
    },
    close: () => db.destroy(),
  };
}
