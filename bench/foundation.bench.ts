// Foundation benchmarks (issue: crypto core and vault). Run with `npm run bench`.
// Ratios are taken within one run, so a busy machine slows both sides alike.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KDF_DEFAULTS } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, argon2id, createHmacKey } from '../packages/keyward/src/crypto/index.js';
import { openSqliteStore } from '../packages/keyward/src/store/index.js';
import { createLocalVault } from '../packages/keyward/src/vault/index.js';
import { msMedian, nsPerOp, printTable, type Row } from './lib.js';

export async function runFoundationBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const pw = SecureBuffer.from(Buffer.from('benchmark password'), { wipeSource: true });
  const salt = randomBytes(16);
  const argonMs = await msMedian(() => argon2id(pw, salt, KDF_DEFAULTS).release(), 5);
  rows.push({ name: 'Argon2id m=64MiB t=3 p=1 (median of 5)', value: argonMs, unit: 'ms' });

  const message = randomBytes(200);
  for (const hash of ['sha256', 'sha512'] as const) {
    const raw = randomBytes(64);
    const key = createHmacKey(hash, SecureBuffer.from(Buffer.from(raw), { wipeSource: true }));
    const out = Buffer.alloc(key.outputBytes);
    const ours = nsPerOp(() => key.digestInto(message, out));
    const node = nsPerOp(() => createHmac(hash, raw).update(message).digest());
    key.release();
    rows.push({ name: `HMAC-${hash.toUpperCase()} 200 B, secure memory`, value: 1e9 / ours, unit: 'ops/s' });
    rows.push({ name: `HMAC-${hash.toUpperCase()} 200 B, node:crypto createHmac`, value: 1e9 / node, unit: 'ops/s' });
    rows.push({ name: `HMAC-${hash.toUpperCase()} throughput ratio secure/node`, value: node / ours, unit: 'x', goal: '>= 0.7', met: node / ours >= 0.7 });
  }

  // A vault of 1,000 credentials at the default KDF parameters.
  const store = await openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'kw-bench-')), 'vault.db'), create: true });
  const vault = createLocalVault({ store, kdfDefaults: KDF_DEFAULTS, now: () => Date.now() });
  await vault.init(pw);
  const { vault: filler } = await vault.unlock(pw);
  for (let i = 0; i < 1000; i++) {
    await filler.add(`cred-${String(i).padStart(4, '0')}`, 'binance', { apiKey: randomBytes(32).toString('hex'), secret: SecureBuffer.random(48) });
  }
  filler.lock();
  const totals: number[] = [];
  const beyond: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    const { vault: v } = await vault.unlock(pw);
    const all = await v.openAll();
    const total = Number(process.hrtime.bigint() - t0) / 1e6;
    for (const s of all.values()) s.release();
    v.lock();
    const a0 = process.hrtime.bigint();
    argon2id(pw, salt, KDF_DEFAULTS).release();
    const argon = Number(process.hrtime.bigint() - a0) / 1e6;
    totals.push(total);
    beyond.push(total - argon);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  rows.push({ name: 'unlock + open 1,000 credentials (median of 5)', value: median(totals), unit: 'ms' });
  rows.push({ name: 'the same, beyond the one Argon2id derivation', value: median(beyond), unit: 'ms', goal: '< 250 ms', met: median(beyond) < 250 });
  await store.close();
  pw.release();
  printTable('Foundation: crypto core and vault', rows);
  return rows;
}
