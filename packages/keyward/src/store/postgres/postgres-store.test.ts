import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { KeywardError } from '@keyward/protocol/errors';
import { dropSchema, postgresTestUrl, skipUnlessPostgres, testSchemaName } from '../../testing/index.js';
import { runStoreContract } from '../store.contract.js';
import { openPostgresStore } from './postgres-store.js';

const skip = await skipUnlessPostgres('PostgreSQL store contract');
const schema = testSchemaName();
after(async () => {
  if (skip === false) await dropSchema(schema);
});

runStoreContract('postgres', () => openPostgresStore({ url: postgresTestUrl(), schema }), { skip });

test('postgres: an unreachable server is KW_STORE_UNAVAILABLE', async () => {
  await assert.rejects(
    openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 }),
    (e: unknown) => e instanceof KeywardError && e.code === 'KW_STORE_UNAVAILABLE',
  );
});

test('postgres: a database from a newer Keyward is refused', { skip }, async () => {
  const s = testSchemaName();
  try {
    const store = await openPostgresStore({ url: postgresTestUrl(), schema: s });
    await store.close();
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: postgresTestUrl() });
    await c.connect();
    await c.query(`UPDATE ${s}.meta SET value = '99' WHERE key = 'format_version'`);
    await c.end();
    await assert.rejects(openPostgresStore({ url: postgresTestUrl(), schema: s }),
      (e: unknown) => e instanceof KeywardError && e.code === 'KW_VAULT_TOO_NEW');
  } finally {
    await dropSchema(s);
  }
});
