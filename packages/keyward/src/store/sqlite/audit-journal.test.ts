import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AuditRow } from '../store.js';
import { decodeRows, encodeRows, leftoverJournals, openJournal } from './audit-journal.js';

const row = (seq: number, accountId = 'acct', body = '{"kind":"decision","note":"a\\tb \\"q\\" é"}'): AuditRow =>
  ({ accountId, seq, at: 1_700_000_000_000 + seq, body, link: Buffer.alloc(32, seq) });

test('rows survive the journal byte for byte, whatever their account and body hold', () => {
  const rows = [row(1), row(2, 'a\tb"c\\d\né'), row(3, 'x', '{"raw":"tab\there"}'), { ...row(4), at: 1.5e-7 }];
  assert.deepEqual(decodeRows(encodeRows(rows).toString('utf8')), rows);
});

test('a body that is not one line is refused before anything is written', () => {
  assert.throws(() => encodeRows([row(1), row(2, 'acct', '{"a":\n1}')]), RangeError);
});

test('a last line cut short is dropped (its write never finished); a bad line before it is an error', () => {
  const whole = encodeRows([row(1), row(2)]).toString('utf8');
  assert.deepEqual(decodeRows(whole + whole.slice(0, 50)).map((r) => r.seq), [1, 2]);
  assert.throws(() => decodeRows(`garbage\n${whole}`), SyntaxError);
  assert.throws(() => decodeRows(whole.replace(/^[0-9a-f]{4}/, 'zzzz')), SyntaxError);
});

test('leftover journals: those of dead processes and of this one\'s closed stores, never a live one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-journal-'));
  const db = join(dir, 'vault.db');
  const live = openJournal(db); // this process, open: not a leftover
  const dead = join(dir, 'vault.db-audit-1-0-aaaaaaaaaaaa.journal'); // pid 1 did not start at tick 0
  const parentStart = readFileSync(`/proc/${String(process.ppid)}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? '';
  const otherLive = join(dir, `vault.db-audit-${String(process.ppid)}-${parentStart}-bbbbbbbbbbbb.journal`);
  const otherDb = join(dir, 'other.db-audit-1-0-cccccccccccc.journal');
  for (const f of [dead, otherLive, otherDb]) writeFileSync(f, '');
  assert.deepEqual(leftoverJournals(db).map((p) => basename(p)), [basename(dead)]);
  live.seal(); // sealed but still this store's
  assert.deepEqual(leftoverJournals(db).map((p) => basename(p)), [basename(dead)]);
});

test('a journal appends, empties for reuse, and keeps its 0600 mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-journal-'));
  const j = openJournal(join(dir, 'vault.db'));
  j.append([row(1)]);
  j.append([row(2), row(3)]);
  assert.deepEqual(decodeRows(readFileSync(j.path, 'utf8')).map((r) => r.seq), [1, 2, 3]);
  j.clear();
  j.append([row(4)]);
  assert.deepEqual(decodeRows(readFileSync(j.path, 'utf8')).map((r) => r.seq), [4]);
  assert.equal(statSync(j.path).mode & 0o777, 0o600);
  j.seal();
});
