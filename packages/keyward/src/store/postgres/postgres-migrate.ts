// Bringing a PostgreSQL schema up to date: one transaction per migration, each behind an advisory
// lock so that several nodes starting at once migrate one at a time, each re-reading the state
// under the lock. The state is checked before anything is written, so a database from a newer
// Keyward is refused untouched (the transaction holds only reads when it rolls back).
import type pg from 'pg';
import { BOOKKEEPING_SQL, FORMAT_VERSION, checkNotNewer, isCurrent, nextMigration, parseFormatVersion, type DbState } from '../migrations/migration.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres.js';

// Any constant: it only has to be the same for every Keyward node on one database.
const MIGRATION_LOCK = 7426575;

async function readState(client: pg.PoolClient): Promise<DbState> {
  const found = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if ((found.rows[0]?.t ?? null) === null) return { appliedMax: 0, formatVersion: null };
  const max = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const hasMeta = await client.query<{ t: string | null }>("SELECT to_regclass('meta')::text AS t");
  const fmt = (hasMeta.rows[0]?.t ?? null) === null
    ? undefined
    : (await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'format_version'")).rows[0]?.value;
  return { appliedMax: max.rows[0]?.v ?? 0, formatVersion: parseFormatVersion(fmt) };
}

/** One step: applies the next migration (or only records the format); false when there was nothing to do. */
async function step(client: pg.PoolClient, schema: string | undefined): Promise<boolean> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  if (schema !== undefined) {
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
  }
  const state = await readState(client);
  checkNotNewer(state, POSTGRES_MIGRATIONS);
  if (isCurrent(state, POSTGRES_MIGRATIONS)) return false;
  const next = nextMigration(state, POSTGRES_MIGRATIONS);
  await client.query(BOOKKEEPING_SQL.postgres);
  if (next !== undefined) {
    await client.query(next.sql);
    await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, Date.now()]);
  }
  await client.query("INSERT INTO meta (key, value) VALUES ('format_version', $1) ON CONFLICT (key) DO NOTHING", [String(FORMAT_VERSION)]);
  return true;
}

/** `schema` must already be validated as a plain identifier. */
export async function migratePostgres(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const client = await pool.connect();
  try {
    for (let more = true; more;) {
      await client.query('BEGIN');
      try {
        more = await step(client, schema);
        await client.query(more ? 'COMMIT' : 'ROLLBACK');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  } finally {
    client.release();
  }
}
