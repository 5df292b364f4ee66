// The CLI checks at start-up that secure memory really got locked, and says so when it did not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, baseEnv, runCli, tempDir } from '../helpers/cli.js';

test('no warning when locking works; a loud warning when RLIMIT_MEMLOCK is 0 and CAP_IPC_LOCK is dropped', () => {
  const work = tempDir('keyward-mlock-');
  const env = baseEnv(work);
  writeFileSync(join(work, 'pw'), 'correct horse battery staple');
  const init = runCli(['init', '--password-file', 'pw'], { cwd: work, env });
  assert.equal(init.status, 0);
  assert.doesNotMatch(init.stderr, /warning/);

  // Root bypasses RLIMIT_MEMLOCK through CAP_IPC_LOCK, so as root drop it from the bounding set too.
  const dropCap = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--bounding-set=-ipc_lock', '--inh-caps=-ipc_lock'] : [];
  const r = spawnSync('/usr/bin/prlimit', ['--memlock=0:0', ...dropCap,
    '/usr/bin/setsid', '--wait', process.execPath, CLI, 'credential', 'add', 'b', '--exchange', 'binance', '--api-key', 'K', '--secret-stdin', '--password-file', 'pw'],
  { cwd: work, env, input: 'some-secret' });
  const stderr = r.stderr.toString();
  assert.equal(r.status, 0, stderr);
  assert.match(stderr, /^keyward: warning: secure memory could NOT be locked \(RLIMIT_MEMLOCK 0 KiB, VmLck 0 KiB\): secrets may be swapped to disk/m);
});
