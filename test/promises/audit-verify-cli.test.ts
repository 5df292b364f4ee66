// `keyward audit verify` after a real agent session: the log verifies; then, done directly on the
// database, an edit, a deletion and a cut-off tail are each named, with a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { request } from 'undici';
import { entriesOf } from '../../packages/keyward/src/audit/index.js';
import { agent, makeVault, PASSWORD, policy, recordingUpstream, token } from '../helpers/agent.js';
import { baseEnv, runCli } from '../helpers/cli.js';

test('audit verify: clean after a session; edits, deletions and a cut tail are named', { timeout: 60_000 }, async () => {
  const upstream = await recordingUpstream();
  const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
  const t = await token(home, policy({ credential: 'b', actions: ['read'] }));
  const a = await agent(home, { binance: `${upstream.url}/binance` });
  for (let i = 0; i < 12; i++) await (await request(`${a.url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t.token } })).body.text();
  await a.close(); // writes the last signed checkpoint
  await upstream.close();
  writeFileSync(join(home, 'pw'), PASSWORD);
  const env = baseEnv(home, { KEYWARD_HOME: home, KEYWARD_PASSWORD_FILE: join(home, 'pw') });
  const db = join(home, 'vault.db');
  // 12 decisions and their 12 outcomes; outcomes share records (those that finish within 20 ms
  // of each other), so the number of records is read from the database.
  const raw = new BetterSqlite3(db, { readonly: true });
  const rows = raw.prepare('SELECT seq, body FROM audit_record ORDER BY seq').all() as { seq: number; body: string }[];
  raw.close();
  const kinds = rows.flatMap((r) => entriesOf(r.seq, r.body)).map((e) => e.kind);
  assert.deepEqual([kinds.filter((k) => k === 'decision').length, kinds.filter((k) => k === 'outcome').length], [12, 12]);
  const n = rows.length;
  const clean = runCli(['audit', 'verify'], { cwd: home, env });
  assert.equal(clean.status, 0, clean.stderr + clean.stdout);
  assert.match(clean.stderr, new RegExp(`^keyward: audit log verified: ${String(n)} records, \\d+ signed checkpoints\n$`));

  const pristine = join(home, 'pristine.db');
  copyFileSync(db, pristine);
  const tamper = (statement: string): { status: number | null; stdout: string; stderr: string } => {
    copyFileSync(pristine, db);
    const raw = new BetterSqlite3(db);
    raw.exec(statement);
    raw.close();
    return runCli(['audit', 'verify'], { cwd: home, env });
  };
  // Record 5 may be a decision or an outcome (outcomes are written in groups): both carry "at".
  const edited = tamper("UPDATE audit_record SET body = replace(body, '\"at\":', '\"at\":1') WHERE seq = 5");
  assert.equal(edited.status, 1);
  assert.match(edited.stdout, /^edited: record 5 was changed after it was written$/m);
  assert.match(edited.stderr, /keyward: error: The audit log does not verify/);
  const deleted = tamper('DELETE FROM audit_record WHERE seq = 7');
  assert.match(deleted.stdout, /^deleted: record 7 is missing$/m);
  const cut = tamper(`DELETE FROM audit_record WHERE seq > ${String(n - 4)}`);
  assert.match(cut.stdout, new RegExp(`^cut-tail: the log ends at record ${String(n - 4)}, but a signed checkpoint vouches for ${String(n)}: records ${String(n - 3)}-${String(n)} were removed$`, 'm'));
});
