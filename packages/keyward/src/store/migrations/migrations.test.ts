// The two backends must describe the same tables and columns.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { dropSchema, postgresTestUrl, skipUnlessPostgres, testSchemaName } from '../../testing/index.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import { openPostgresStore } from '../postgres/postgres-store.js';

const skip = await skipUnlessPostgres('schema equality');
const schema = testSchemaName();
after(async () => {
  if (skip === false) await dropSchema(schema);
});

const common = (type: string): string => {
  const t = type.toLowerCase();
  if (t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'blob' || t === 'bytea') return 'blob';
  if (t === 'text') return 'text';
  return `?${t}`;
};

test('SQLite and PostgreSQL schemas have the same tables, columns, types and nullability', { skip }, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kw-mig-')), 'vault.db');
  await (await openSqliteStore({ path, create: true })).close();
  const raw = new BetterSqlite3(path, { readonly: true });
  const sqliteCols = new Set<string>();
  for (const { name } of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]) {
    for (const c of raw.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; pk: number }[]) {
      sqliteCols.add(`${name}.${c.name}:${common(c.type)}:${c.notnull === 1 || c.pk === 1 ? 'not null' : 'null'}`);
    }
  }
  raw.close();

  await (await openPostgresStore({ url: postgresTestUrl(), schema })).close();
  const client = new pg.Client({ connectionString: postgresTestUrl() });
  await client.connect();
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1', [schema]);
  await client.end();
  const pgCols = new Set(rows.map((r) => `${r.table_name}.${r.column_name}:${common(r.data_type)}:${r.is_nullable === 'NO' ? 'not null' : 'null'}`));
  assert.ok(sqliteCols.size > 10);
  assert.deepEqual([...sqliteCols].sort(), [...pgCols].sort());
});
