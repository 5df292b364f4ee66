// KEK rotation rewraps DEKs and nothing else: the credential ciphertexts stay byte for byte, the
// new wrappings open under the new KEK only, and a bad row stops the whole batch.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, openEnvelope, sealEnvelope } from '../crypto/index.js';
import { openKeyFileKek } from './key-file-kek.js';
import { rewrapAll, type KekWrappedDek } from './rotate.js';
import type { KeyEncryptionKey } from './kek.js';
import { isOpenFailure } from './kek.contract.js';

const root = mkdtempSync(join(tmpdir(), 'keyward-rotate-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newKek = (): Promise<KeyEncryptionKey> => openKeyFileKek({ path: join(root, `k${String(++n)}`, 'kek.key') });

interface Credential extends KekWrappedDek { readonly ciphertext: Uint8Array; readonly plaintext: Buffer }

/** Credentials as the vault stores them: a DEK seals the secret, the KEK wraps the DEK. */
async function delegated(kek: KeyEncryptionKey, count: number): Promise<Credential[]> {
  const rows: Credential[] = [];
  for (let i = 0; i < count; i++) {
    const id = `cred-${String(i)}`;
    const dek = SecureBuffer.random(32);
    const plaintext = Buffer.from(`api-secret-${String(i)}`);
    const ciphertext = sealEnvelope(dek, plaintext, { owner: 'acct-1', record: id, purpose: PURPOSES.credential });
    const ad: AdFields = { owner: 'acct-1', record: id, purpose: PURPOSES.dataKey };
    rows.push({ id, kekId: kek.id, kekWrappedDek: await kek.wrap(dek, ad), ad, ciphertext, plaintext });
    dek.release();
  }
  return rows;
}

const snapshot = (rows: readonly Credential[]): Buffer[] => rows.map((r) => Buffer.from(r.ciphertext));

test('rotation rewraps every DEK; ciphertexts stay byte-identical and open through the new KEK', async () => {
  const from = await newKek();
  const to = await newKek();
  const rows = await delegated(from, 5);
  const ciphertextsBefore = snapshot(rows);
  const wrappingsBefore = rows.map((r) => Buffer.from(r.kekWrappedDek));

  const rewrapped = await rewrapAll(rows, from, to);

  assert.deepEqual(snapshot(rows), ciphertextsBefore, 'credential ciphertexts are untouched');
  assert.deepEqual(rows.map((r) => Buffer.from(r.kekWrappedDek)), wrappingsBefore, 'the input rows are not modified');
  assert.deepEqual(rewrapped.map((r) => r.id), rows.map((r) => r.id));
  for (const [i, r] of rewrapped.entries()) {
    const row = rows[i] as Credential;
    assert.equal(r.kekId, to.id);
    assert.notDeepEqual(Buffer.from(r.kekWrappedDek), wrappingsBefore[i]);
    const dek = await to.unwrap(r.kekWrappedDek, row.ad);
    const opened = openEnvelope(dek, row.ciphertext, { owner: 'acct-1', record: row.id, purpose: PURPOSES.credential });
    assert.ok(opened.reveal((b) => b.equals(row.plaintext)));
    await assert.rejects(from.unwrap(r.kekWrappedDek, row.ad), isOpenFailure, 'the old KEK cannot open the new wrapping');
    await assert.rejects(to.unwrap(row.kekWrappedDek, row.ad), isOpenFailure, 'the new KEK cannot open the old wrapping');
    dek.release();
    opened.release();
  }
  await Promise.all([from.close(), to.close()]);
});

test('rows already under the new KEK are skipped, so an interrupted rotation resumes', async () => {
  const from = await newKek();
  const to = await newKek();
  const rows = await delegated(from, 4);
  const firstPass = await rewrapAll(rows.slice(0, 2), from, to);
  const resumed: KekWrappedDek[] = [...firstPass.map((r, i) => ({ ...r, ad: (rows[i] as Credential).ad })), ...rows.slice(2)];
  const secondPass = await rewrapAll(resumed, from, to);
  assert.deepEqual(secondPass.map((r) => r.id), ['cred-2', 'cred-3']);
  await Promise.all([from.close(), to.close()]);
});

test('a row that names a third KEK is refused before any work', async () => {
  const from = await newKek();
  const to = await newKek();
  const rows = await delegated(from, 2);
  await assert.rejects(rewrapAll([...rows, { ...(rows[0] as Credential), id: 'odd', kekId: 'file:0000000000000000' }], from, to), /record odd is wrapped by file:0000000000000000/);
  await assert.rejects(rewrapAll(rows, from, from), RangeError);
  await Promise.all([from.close(), to.close()]);
});

test('one DEK that fails to open stops the batch with the opaque error, naming the record', async () => {
  const from = await newKek();
  const to = await newKek();
  const rows = await delegated(from, 3);
  const bad = Buffer.from((rows[1] as Credential).kekWrappedDek);
  bad[10] = (bad[10] ?? 0) ^ 1;
  const damaged = rows.map((r, i) => (i === 1 ? { ...r, kekWrappedDek: bad } : r));
  await assert.rejects(rewrapAll(damaged, from, to), (e: unknown) =>
    e instanceof KeywardError && e.code === 'KW_CRYPTO_OPEN_FAILED' && /record cred-1/.test(e.message));
  await Promise.all([from.close(), to.close()]);
});

test('a new KEK that does not give the DEK back is caught before anything is returned', async () => {
  const from = await newKek();
  const to = await newKek();
  const decoy = SecureBuffer.random(32);
  const liar: KeyEncryptionKey = {
    id: to.id,
    wrap: (dek, ad) => to.wrap(dek, ad),
    unwrap: async () => decoy.clone(),
    close: () => to.close(),
  };
  const rows = await delegated(from, 2);
  await assert.rejects(rewrapAll(rows, from, liar), /did not give back the data key of record cred-0/);
  decoy.release();
  await Promise.all([from.close(), to.close()]);
});
