// Two processes writing at the same time: one wins, the other fails with a clear message, and
// the vault is never left half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, runCli, startCli, tempDir } from '../helpers/cli.js';

async function finish(child: ReturnType<typeof startCli>): Promise<{ status: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const [status] = await once(child, 'exit') as [number | null];
  return { status, stderr };
}

test('two concurrent passwd runs: exactly one wins and its password opens the vault', async () => {
  const work = tempDir('keyward-concurrent-');
  const env = baseEnv(work);
  writeFileSync(join(work, 'p0'), 'the original password');
  writeFileSync(join(work, 'pa'), 'password of process a');
  writeFileSync(join(work, 'pb'), 'password of process b');
  assert.equal(runCli(['init', '--password-file', 'p0'], { cwd: work, env }).status, 0);
  assert.equal(runCli(['credential', 'add', 'k', '--exchange', 'kraken', '--api-key', 'K', '--secret-stdin', '--password-file', 'p0'], { cwd: work, env, input: 'c2VjcmV0' }).status, 0);
  for (let round = 0; round < 3; round++) {
    const [a, b] = await Promise.all(['pa', 'pb'].map((p) => finish(startCli(['passwd', '--password-file', 'p0', '--new-password-file', p], { cwd: work, env }))));
    assert.ok(a && b);
    const winners = [a, b].filter((r) => r.status === 0);
    assert.equal(winners.length, 1, `exactly one wins: ${a.stderr} | ${b.stderr}`);
    const loser = a.status === 0 ? b : a;
    assert.equal(loser.status, 1);
    assert.match(loser.stderr, /^keyward: error: (The vault changed while this command ran; nothing was written\.|Wrong password, or the vault key record was altered\.)$/m);
    const winnerFile = a.status === 0 ? 'pa' : 'pb';
    const unlocked = runCli(['backup', 'export', join(work, `b${String(round)}`), '--password-file', winnerFile], { cwd: work, env });
    assert.equal(unlocked.status, 0, unlocked.stderr);
    // Reset for the next round.
    assert.equal(runCli(['passwd', '--password-file', winnerFile, '--new-password-file', 'p0'], { cwd: work, env }).status, 0);
  }
});
