// SIGKILL at random moments during `credential rotate` and `passwd`, 200 times in all. After each
// kill the vault must open with either the old or the new state, never neither, and every other
// credential must be intact. Both outcomes must be seen, or the kills never landed on the write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KDF_DEFAULTS } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../../packages/keyward/src/crypto/index.js';
import { openSqliteStore } from '../../packages/keyward/src/store/index.js';
import { createLocalVault } from '../../packages/keyward/src/vault/index.js';
import { baseEnv, runCli, startCli, tempDir } from '../helpers/cli.js';

const KILLS_PER_COMMAND = 100;
const pw = (s: string): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });

async function readVault(path: string, password: string): Promise<Map<string, { apiKey: string; secret: string }> | 'wrong-password'> {
  const store = await openSqliteStore({ path, create: false });
  try {
    const vault = createLocalVault({ store, kdfDefaults: KDF_DEFAULTS, now: () => Date.now() });
    let unlocked;
    try {
      unlocked = await vault.unlock(pw(password));
    } catch (e) {
      if (e instanceof KeywardError && e.code === 'KW_VAULT_WRONG_PASSWORD') return 'wrong-password';
      throw e;
    }
    const all = await unlocked.vault.openAll();
    const out = new Map<string, { apiKey: string; secret: string }>();
    for (const [name, s] of all) {
      out.set(name, { apiKey: s.apiKey, secret: s.secret?.reveal((b) => b.toString()) ?? '' });
      s.release();
    }
    unlocked.vault.lock();
    return out;
  } finally {
    await store.close();
  }
}

/** Runs the command once to completion and returns how long it took. */
async function timed(args: string[], cwd: string, env: Record<string, string>, input: string): Promise<number> {
  const start = Date.now();
  const child = startCli(args, { cwd, env, input });
  const [code] = await once(child, 'exit') as [number | null];
  assert.equal(code, 0);
  return Date.now() - start;
}

/**
 * Half the kills spread over the whole run, half packed into its last 40%, where the write is.
 * On a shared machine a run's length drifts, so the scale adapts: if ten kills in a row land on
 * one side of the write, the next ones move towards the other.
 */
function killDelay(i: number, duration: number, scale: number): number {
  const d = duration * scale;
  return i % 2 === 0 ? Math.random() * d * 1.1 : d * (0.6 + Math.random() * 0.5);
}

function adapt(scale: number, recent: ('old' | 'new')[]): number {
  if (recent.length < 10) return scale;
  const last = recent.slice(-10);
  if (last.every((o) => o === 'old')) return scale * 1.3;
  if (last.every((o) => o === 'new')) return scale / 1.3;
  return scale;
}

async function killAt(args: string[], cwd: string, env: Record<string, string>, input: string, delayMs: number): Promise<void> {
  const child = startCli(args, { cwd, env, input });
  const exited = once(child, 'exit');
  await sleep(delayMs);
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  await exited;
}

function setup(): { work: string; env: Record<string, string>; db: string } {
  const work = tempDir('keyward-crash-');
  writeFileSync(join(work, 'p0'), 'password number zero\n');
  writeFileSync(join(work, 'p1'), 'password number one\n');
  const env = baseEnv(work);
  assert.equal(runCli(['init', '--password-file', 'p0'], { cwd: work, env }).status, 0);
  for (const [name, secret] of [['a', 'secret-a-0'], ['b', 'secret-b'], ['c', 'secret-c']] as const) {
    const r = runCli(['credential', 'add', name, '--exchange', 'binance', '--api-key', `key-${name}-0`, '--secret-stdin', '--password-file', 'p0'], { cwd: work, env, input: secret });
    assert.equal(r.status, 0, r.stderr);
  }
  return { work, env, db: join(work, 'home', 'vault.db') };
}

test(`SIGKILL during credential rotate, ${String(KILLS_PER_COMMAND)} times: old or new, never neither`, { timeout: 600_000 }, async () => {
  const { work, env, db } = setup();
  const rotate = (i: number): string[] => ['credential', 'rotate', 'a', '--api-key', `key-a-${String(i)}`, '--secret-stdin', '--password-file', 'p0'];
  let current = 0;
  const duration = await timed(rotate(1), work, env, 'secret-a-1');
  current = 1;
  const outcomes = { old: 0, new: 0 };
  const recent: ('old' | 'new')[] = [];
  let scale = 1;
  for (let i = 0; i < KILLS_PER_COMMAND; i++) {
    const next = current + 1;
    scale = adapt(scale, recent);
    await killAt(rotate(next), work, env, `secret-a-${String(next)}`, killDelay(i, duration, scale));
    const state = await readVault(db, 'password number zero');
    assert.notEqual(state, 'wrong-password');
    if (state === 'wrong-password') return;
    const a = state.get('a');
    assert.ok(a !== undefined, `kill ${String(i)}: credential a lost`);
    if (a.secret === `secret-a-${String(next)}`) {
      assert.equal(a.apiKey, `key-a-${String(next)}`, 'key and secret change together');
      outcomes.new++;
      recent.push('new');
      current = next;
    } else {
      assert.deepEqual(a, { apiKey: `key-a-${String(current)}`, secret: `secret-a-${String(current)}` }, `kill ${String(i)}: neither old nor new`);
      outcomes.old++;
      recent.push('old');
    }
    assert.deepEqual(state.get('b'), { apiKey: 'key-b-0', secret: 'secret-b' });
    assert.deepEqual(state.get('c'), { apiKey: 'key-c-0', secret: 'secret-c' });
    assert.equal(state.size, 3);
  }
  console.log(`rotate: ${String(outcomes.old)} kills left the old state, ${String(outcomes.new)} the new (run took ${String(duration)} ms)`);
  assert.ok(outcomes.old > 0 && outcomes.new > 0, `kills must land on both sides of the write: ${JSON.stringify(outcomes)}`);
});

test(`SIGKILL during passwd, ${String(KILLS_PER_COMMAND)} times: exactly one password opens the vault`, { timeout: 600_000 }, async () => {
  const { work, env, db } = setup();
  const passwords = ['password number zero', 'password number one'];
  let current = 0;
  const passwd = (from: number): string[] => ['passwd', '--password-file', `p${String(from)}`, '--new-password-file', `p${String(1 - from)}`];
  const duration = await timed(passwd(0), work, env, '');
  current = 1;
  const outcomes = { old: 0, new: 0 };
  const recent: ('old' | 'new')[] = [];
  let scale = 1;
  for (let i = 0; i < KILLS_PER_COMMAND; i++) {
    scale = adapt(scale, recent);
    await killAt(passwd(current), work, env, '', killDelay(i, duration, scale));
    const withOld = await readVault(db, passwords[current] ?? '');
    const withNew = await readVault(db, passwords[1 - current] ?? '');
    const newOpens = typeof withNew !== 'string';
    const opened = [withOld, withNew].filter((s) => s !== 'wrong-password');
    assert.equal(opened.length, 1, `kill ${String(i)}: exactly one password must open the vault`);
    const state = opened[0];
    if (state === undefined) return;
    assert.deepEqual(Object.fromEntries(state), {
      a: { apiKey: 'key-a-0', secret: 'secret-a-0' }, b: { apiKey: 'key-b-0', secret: 'secret-b' }, c: { apiKey: 'key-c-0', secret: 'secret-c' },
    });
    if (newOpens) {
      outcomes.new++;
      recent.push('new');
      current = 1 - current;
    } else {
      outcomes.old++;
      recent.push('old');
    }
  }
  console.log(`passwd: ${String(outcomes.old)} kills left the old password, ${String(outcomes.new)} the new (run took ${String(duration)} ms)`);
  assert.ok(outcomes.old > 0 && outcomes.new > 0, `kills must land on both sides of the write: ${JSON.stringify(outcomes)}`);
});
