// keyward copy: the secret reaches the clipboard tool on stdin only, and is cleared after the
// delay only if the clipboard still holds it. A fake xclip on PATH stands in for X11.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';

const SECRET = 'canary-clipboard-secret-5f2b9c';

// Records its argv and environment, keeps the clipboard in a file, and serves -out from it.
const FAKE_XCLIP = `#!/bin/sh
echo "$@" >> "$CLIP_DIR/argv.log"
env >> "$CLIP_DIR/env.log"
for a in "$@"; do
  if [ "$a" = "-out" ]; then cat "$CLIP_DIR/clipboard" 2>/dev/null; exit 0; fi
done
cat > "$CLIP_DIR/clipboard"
`;

function setup(): { work: string; env: Record<string, string>; clip: string } {
  const work = tempDir('keyward-copy-');
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xclip'), FAKE_XCLIP);
  chmodSync(join(bin, 'xclip'), 0o755);
  writeFileSync(join(work, 'pw'), 'correct horse battery staple\n');
  const env = baseEnv(work, { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':0', CLIP_DIR: work, KEYWARD_PASSWORD_FILE: join(work, 'pw') });
  assert.equal(runCli(['init'], { cwd: work, env }).status, 0);
  const add = runCli(['credential', 'add', 'b', '--exchange', 'binance', '--api-key', 'AKCOPY', '--secret-stdin'], { cwd: work, env, input: SECRET });
  assert.equal(add.status, 0, add.stderr);
  return { work, env, clip: join(work, 'clipboard') };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(50);
}

test('copy puts the secret on the clipboard through stdin, never argv or env, and clears it', async () => {
  const { work, env, clip } = setup();
  const r = runCli(['copy', 'b', '--clear-after', '1'], { cwd: work, env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'keyward: copied the secret of b to the clipboard; it will be cleared in 1 s\n');
  assert.equal(readFileSync(clip, 'utf8'), SECRET);
  await waitFor(() => readFileSync(clip, 'utf8') === '', 5000);
  assert.equal(readFileSync(clip, 'utf8'), '', 'cleared after the delay');
  assert.ok(!readFileSync(join(work, 'argv.log'), 'utf8').includes(SECRET));
  assert.ok(!readFileSync(join(work, 'env.log'), 'utf8').includes(SECRET));
});

test('the clipboard is left alone when it no longer holds the secret', async () => {
  const { work, env, clip } = setup();
  assert.equal(runCli(['copy', 'b', '--clear-after', '1'], { cwd: work, env }).status, 0);
  writeFileSync(clip, 'something the user copied since');
  await sleep(2500);
  assert.equal(readFileSync(clip, 'utf8'), 'something the user copied since');
});

test('--field api-key copies the API key; --clear-after 0 never clears', async () => {
  const { work, env, clip } = setup();
  const r = runCli(['copy', 'b', '--field', 'api-key', '--clear-after', '0'], { cwd: work, env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(clip, 'utf8'), 'AKCOPY');
  await sleep(1500);
  assert.equal(readFileSync(clip, 'utf8'), 'AKCOPY');
});

test('without xclip, xsel or wl-copy: a clear error, and nothing is decrypted', () => {
  const { work, env } = setup();
  const r = runCli(['copy', 'b'], { cwd: work, env: { ...env, PATH: '/nonexistent' } });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'keyward: error: No clipboard tool was found (xclip, xsel or wl-copy).\nkeyward: hint: install one of them, e.g. `apt install xclip`\n');
  assert.ok(!existsSync(join(work, 'clipboard')));
});
