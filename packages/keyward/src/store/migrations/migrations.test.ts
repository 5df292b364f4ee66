// The two backends must describe the same tables, columns, keys and indexes: both are introspected
// live and mapped to one vocabulary (text, integer, blob).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { dropSchema, postgresGate, postgresTestUrl, testSchemaName } from '../../testing/postgres.js';
import { openSqliteStore } from '../sqlite/sqlite-store.js';
import { openPostgresStore } from '../postgres/postgres-store.js';
import { SQLITE_MIGRATIONS } from './sqlite.js';
import { POSTGRES_MIGRATIONS } from './postgres.js';

const gate = await postgresGate('schema equality');
const schema = testSchemaName();
after(async () => {
  if (gate.reachable) await dropSchema(schema);
});

const common = (type: string): string => {
  const t = type.toLowerCase();
  if (t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'blob' || t === 'bytea') return 'blob';
  if (t === 'text') return 'text';
  return `?${t}`;
};
const ON_DELETE: Record<string, string> = { CASCADE: 'cascade', 'NO ACTION': 'no action', c: 'cascade', a: 'no action', r: 'restrict', RESTRICT: 'restrict' };

function sqliteSchema(path: string): string[] {
  const raw = new BetterSqlite3(path, { readonly: true });
  const out: string[] = [];
  const all = <R>(q: string): R[] => raw.prepare(q).all() as R[];
  for (const { name: t } of all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")) {
    const cols = all<{ name: string; type: string; notnull: number; pk: number }>(`PRAGMA table_info(${t})`);
    for (const c of cols) out.push(`column ${t}.${c.name}:${common(c.type)}:${c.notnull === 1 || c.pk > 0 ? 'not null' : 'null'}`);
    out.push(`primary key ${t}(${cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name).join(',')})`);
    for (const i of all<{ name: string; origin: string }>(`PRAGMA index_list(${t})`)) {
      if (i.origin === 'pk') continue;
      const ic = all<{ name: string }>(`PRAGMA index_info(${i.name})`).map((c) => c.name).join(',');
      out.push(i.origin === 'u' ? `unique ${t}(${ic})` : `index ${i.name} ${t}(${ic})`);
    }
    for (const f of all<{ table: string; from: string; to: string; on_delete: string }>(`PRAGMA foreign_key_list(${t})`)) {
      out.push(`foreign key ${t}(${f.from}) -> ${f.table}(${f.to}) on delete ${ON_DELETE[f.on_delete] ?? f.on_delete}`);
    }
  }
  raw.close();
  return out.sort();
}

const PG_CONSTRAINTS = `
  SELECT c.contype, t.relname AS tbl, ft.relname AS ref, c.confdeltype,
    (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS cols,
    (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
       JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS ref_cols
  FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace
  LEFT JOIN pg_class ft ON ft.oid = c.confrelid
  WHERE s.nspname = $1 AND c.contype IN ('p', 'u', 'f')`;
const PG_INDEXES = `
  SELECT i.relname AS name, t.relname AS tbl,
    (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o)
       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n) AS cols
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace s ON s.oid = t.relnamespace
  WHERE s.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`;

async function postgresSchema(s: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: postgresTestUrl() });
  await client.connect();
  try {
    const out: string[] = [];
    const cols = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1', [s]);
    for (const r of cols.rows) out.push(`column ${r.table_name}.${r.column_name}:${common(r.data_type)}:${r.is_nullable === 'NO' ? 'not null' : 'null'}`);
    const cons = await client.query<{ contype: string; tbl: string; ref: string | null; confdeltype: string; cols: string; ref_cols: string | null }>(PG_CONSTRAINTS, [s]);
    for (const c of cons.rows) {
      if (c.contype === 'p') out.push(`primary key ${c.tbl}(${c.cols})`);
      else if (c.contype === 'u') out.push(`unique ${c.tbl}(${c.cols})`);
      else out.push(`foreign key ${c.tbl}(${c.cols}) -> ${c.ref ?? '?'}(${c.ref_cols ?? '?'}) on delete ${ON_DELETE[c.confdeltype] ?? c.confdeltype}`);
    }
    for (const i of (await client.query<{ name: string; tbl: string; cols: string }>(PG_INDEXES, [s])).rows) out.push(`index ${i.name} ${i.tbl}(${i.cols})`);
    return out.sort();
  } finally {
    await client.end();
  }
}

test('both backends know the same migrations, numbered 1, 2, 3… with no gaps', () => {
  const describe = (ms: typeof SQLITE_MIGRATIONS): string[] => ms.map((m) => `${String(m.version)} ${m.name}`);
  assert.deepEqual(describe(SQLITE_MIGRATIONS), describe(POSTGRES_MIGRATIONS));
  assert.deepEqual(SQLITE_MIGRATIONS.map((m) => m.version), SQLITE_MIGRATIONS.map((_, i) => i + 1));
});

test('SQLite and PostgreSQL schemas have the same tables, columns, types, nullability, keys and indexes', gate.options(), async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kw-mig-')), 'vault.db');
  await (await openSqliteStore({ path, create: true })).close();
  await (await openPostgresStore({ url: postgresTestUrl(), schema })).close();
  const sqlite = sqliteSchema(path);
  assert.ok(sqlite.filter((l) => l.startsWith('column')).length > 10);
  assert.ok(sqlite.some((l) => l === 'unique credential(account_id,name)'), 'the constraint behind KW_CREDENTIAL_EXISTS');
  assert.deepEqual(sqlite, await postgresSchema(schema));
});
