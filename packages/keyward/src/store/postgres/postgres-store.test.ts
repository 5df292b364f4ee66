import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { KeywardError } from '@keyward/protocol/errors';
import { dropSchema, postgresGate, postgresTestUrl, testSchemaName } from '../../testing/postgres.js';
import { runStoreContract } from '../store.contract.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres.js';
import { openPostgresStore } from './postgres-store.js';

const gate = await postgresGate('PostgreSQL store');
const schema = testSchemaName();
const extraSchemas: string[] = [];
after(async () => {
  if (gate.reachable) for (const s of [schema, ...extraSchemas]) await dropSchema(s);
});
const freshSchema = (): string => {
  const s = testSchemaName();
  extraSchemas.push(s);
  return s;
};
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

async function sql<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: postgresTestUrl() });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

runStoreContract('postgres', () => openPostgresStore({ url: postgresTestUrl(), schema }), gate.options);

test('postgres: an unreachable server is KW_STORE_UNAVAILABLE', async () => {
  await assert.rejects(openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 }), isCode('KW_STORE_UNAVAILABLE'));
});

test('postgres: a schema name is a plain identifier or refused', async () => {
  await assert.rejects(openPostgresStore({ url: postgresTestUrl(), schema: 'x; DROP TABLE account' }), isCode('KW_INPUT_INVALID'));
});

test('postgres: a database from a newer Keyward is refused and nothing is written', gate.options(), async () => {
  for (const change of ["UPDATE %s.meta SET value = '99' WHERE key = 'format_version'", "INSERT INTO %s.schema_migrations VALUES (999, 'future', 0)"]) {
    const s = freshSchema();
    await (await openPostgresStore({ url: postgresTestUrl(), schema: s })).close();
    await sql(change.replace('%s', s));
    const snapshot = async (): Promise<unknown> => [
      await sql(`SELECT * FROM ${s}.schema_migrations ORDER BY version`),
      await sql(`SELECT * FROM ${s}.meta ORDER BY key`),
      await sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${s}' ORDER BY 1`),
    ];
    const before = await snapshot();
    await assert.rejects(openPostgresStore({ url: postgresTestUrl(), schema: s }), isCode('KW_VAULT_TOO_NEW'));
    assert.deepEqual(await snapshot(), before);
  }
});

test('postgres: nodes starting at once on a new schema migrate it once, one transaction per migration', gate.options(), async () => {
  const s = freshSchema();
  const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url: postgresTestUrl(), schema: s })));
  for (const store of stores) await store.close();
  const rows = await sql<{ version: number; name: string; applied_at: string }>(`SELECT * FROM ${s}.schema_migrations ORDER BY version`);
  assert.deepEqual(rows.map((r) => [r.version, r.name]), POSTGRES_MIGRATIONS.map((m) => [m.version, m.name]));
  assert.deepEqual(await sql(`SELECT key, value FROM ${s}.meta ORDER BY key`), [{ key: 'format_version', value: '1' }, { key: 'token_generation', value: '0' }]);
});
