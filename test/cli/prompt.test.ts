// The password and the secret are typed at a real terminal (a pty from util-linux `script`): the
// prompts appear, nothing typed is echoed, a mismatch is refused, and backspace edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, baseEnv, tempDir } from '../helpers/cli.js';

interface Session { output: () => string; type: (s: string) => void; waitFor: (text: string) => Promise<void>; done: Promise<number | null> }

function terminal(args: string[], env: Record<string, string>, cwd: string): Session {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('/usr/bin/script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  return {
    output: () => out,
    type: (s) => { child.stdin.write(s); },
    async waitFor(text) {
      const end = Date.now() + 15_000;
      while (!out.includes(text)) {
        if (Date.now() > end) throw new Error(`timed out waiting for "${text}"; got: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    done: once(child, 'exit').then(([code]) => code as number | null),
  };
}

test('init asks twice at the terminal without echo; credential add asks for the secret the same way', async () => {
  const work = tempDir('keyward-pty-');
  const env = { ...baseEnv(work), TERM: 'dumb' };
  const init = terminal(['init'], env, work);
  await init.waitFor('New vault password: ');
  init.type('typed-passw0rd-XYZ\r');
  await init.waitFor('Repeat it: ');
  init.type('typed-passw0rd-XYZ\r');
  assert.equal(await init.done, 0, init.output());
  assert.match(init.output(), /vault created at/);
  assert.ok(!init.output().includes('typed-passw0rd'), `the password was echoed: ${init.output()}`);

  const add = terminal(['credential', 'add', 'k', '--exchange', 'kraken', '--api-key', 'KEY'], env, work);
  await add.waitFor('Secret for k: ');
  // A typo, corrected with backspace: the stored secret must be the corrected one.
  add.type('c2VjcmV0LXR5cGVkx\x7f\r');
  await add.waitFor('Vault password: ');
  add.type('typed-passw0rd-XYZ\r');
  assert.equal(await add.done, 0, add.output());
  assert.ok(!add.output().includes('c2VjcmV0LXR5cGVk'), 'the secret was echoed');

  // The corrected secret is what was stored: the same secret through stdin gives the same fingerprint.
  const fp = /fingerprint (\S+)/.exec(add.output())?.[1];
  const again = terminal(['credential', 'add', 'k2', '--exchange', 'kraken', '--api-key', 'KEY'], env, work);
  await again.waitFor('Secret for k2: ');
  again.type('c2VjcmV0LXR5cGVk\r');
  await again.waitFor('Vault password: ');
  again.type('typed-passw0rd-XYZ\r');
  assert.equal(await again.done, 0);
  assert.equal(/fingerprint (\S+)/.exec(again.output())?.[1], fp);
});

test('two different passwords at init are refused and nothing is created', async () => {
  const work = tempDir('keyward-pty-');
  const env = { ...baseEnv(work), TERM: 'dumb' };
  const init = terminal(['init'], env, work);
  await init.waitFor('New vault password: ');
  init.type('first password\r');
  await init.waitFor('Repeat it: ');
  init.type('second password\r');
  assert.equal(await init.done, 1);
  assert.match(init.output(), /keyward: error: The two passwords do not match\./);
});
