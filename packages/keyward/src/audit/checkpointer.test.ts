import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecureBuffer, createEd25519Key } from '../crypto/index.js';
import { readCheckpoints } from './checkpoint.js';
import { createCheckpointer } from './checkpointer.js';

// A checkpoint is never ahead of the database: it is written only after the store says the records
// it names are in (a reader in another process would otherwise see a cut-off tail).
test('heads are checkpointed only once the store holds their records; until then they wait, and a newer head wins', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kw-checkpointer-')), 'checkpoints.jsonl');
  const signer = createEd25519Key(SecureBuffer.random(32));
  let storeHoldsThem = false;
  let locked = false;
  const cp = createCheckpointer({
    file, now: () => 7, signer: () => (locked ? null : signer),
    flushAudit: () => (storeHoldsThem ? Promise.resolve() : Promise.reject(new Error('the database is locked'))),
  });
  const seqs = (account: string): number[] => readCheckpoints(file, signer.publicKey, account).flatMap((l) => ('checkpoint' in l ? [l.checkpoint.seq] : []));
  cp.note('a', { seq: 3, link: Buffer.alloc(32, 3) });
  await cp.write();
  assert.deepEqual(seqs('a'), [], 'nothing while the records are not in');
  cp.note('a', { seq: 5, link: Buffer.alloc(32, 5) });
  cp.note('b', { seq: 1, link: Buffer.alloc(32, 1) });
  locked = true;
  storeHoldsThem = true;
  await cp.write();
  assert.deepEqual(seqs('a'), [], 'nothing without the signer');
  locked = false;
  await cp.write();
  assert.deepEqual(seqs('a'), [5]);
  assert.deepEqual(seqs('b'), [1]);
  await cp.write();
  assert.deepEqual(seqs('a'), [5], 'written once');
});
