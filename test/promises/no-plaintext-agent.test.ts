// DESIGN.md promise, for the running gateway: the exchange secret is never in the agent's logs,
// the audit log, any response, the environment of a program started by `keyward exec`, or a core
// dump of the agent (gcore) taken while it holds the secret unlocked. The sandbox runs in its own
// process here: it is the exchange, and it knows the secret.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { request } from 'undici';
import { CLI, baseEnv, runCli, tempDir } from '../helpers/cli.js';

const work = tempDir('keyward-canary-agent-');
const env = baseEnv(work, { KEYWARD_PASSWORD_FILE: join(work, 'pw') });
writeFileSync(join(work, 'pw'), 'canary agent password');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts a CLI process and resolves with the first line matching `ready`. */
async function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const onData = (c: Buffer): void => { out += c.toString(); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const end = Date.now() + 20_000;
  for (;;) {
    const m = ready.exec(out);
    if (m !== null) return { child, match: m, output: () => out };
    if (Date.now() > end || child.exitCode !== null) throw new Error(`not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function encodings(s: string): Buffer[] {
  const b = Buffer.from(s);
  return [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('base64')), Buffer.from(b.toString('base64url')), Buffer.from(s, 'utf16le')];
}
function assertAbsent(hay: Buffer, secret: string, where: string): void {
  for (const needle of encodings(secret)) assert.equal(hay.indexOf(needle), -1, `the secret was found in ${where}`);
}
/** Searches a file too large to read at once, in chunks that overlap by the longest needle. */
function fileContains(path: string, needles: readonly Buffer[]): boolean {
  const overlap = Math.max(...needles.map((n) => n.length));
  const chunk = Buffer.alloc(64 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (let pos = 0; ; ) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) return false;
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (needles.some((needle) => window.includes(needle))) return true;
      carry = Buffer.from(window.subarray(Math.max(0, window.length - overlap)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

test('no secret in the agent\'s output, the audit log, responses, an exec\'d environment, or a core dump', { timeout: 120_000 }, async () => {
  const sandbox = await start(['sandbox', '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const sandboxUrl = sandbox.match[1] ?? '';
  const key = await (await request(`${sandboxUrl}/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"exchange":"binance"}' })).body.json() as { apiKey: string; secret: string };
  const SECRET = key.secret;
  assert.ok(SECRET.length >= 32);

  assert.equal(runCli(['init'], { cwd: work, env }).status, 0);
  assert.equal(runCli(['credential', 'add', 'bin', '--exchange', 'binance', '--api-key', key.apiKey, '--secret-stdin'], { cwd: work, env, input: SECRET }).status, 0);
  const issued = runCli(['token', 'create', '--credential', 'bin', '--allow', 'read,trade,cancel', '--token-file', join(work, 'token')], { cwd: work, env });
  assert.equal(issued.status, 0, issued.stderr);
  const token = readFileSync(join(work, 'token'), 'utf8').trim();

  const agent = await start(['agent', '--listen', '127.0.0.1:0', '--upstream', `binance=${sandboxUrl}/binance`], /listening on (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/);
  const gw = agent.match[1] ?? '';
  const responses: string[] = [];
  for (const [method, path, body] of [
    ['GET', '/binance/api/v3/account', ''],
    ['POST', '/binance/api/v3/order', 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=1000'],
    ['POST', '/binance/sapi/v1/capital/withdraw/apply', 'coin=BTC&address=x&amount=1'],
    ['GET', '/binance/api/v3/nope', ''],
  ] as const) {
    const res = await request(`${gw}${path}`, { method, headers: { 'x-mbx-apikey': token, 'content-type': 'application/x-www-form-urlencoded' }, body: body === '' ? null : body });
    responses.push(`${String(res.statusCode)} ${JSON.stringify(res.headers)} ${await res.body.text()}`);
  }
  assert.match(responses[0] ?? '', /^200 /, 'the account read went through');
  assert.match(responses[2] ?? '', /KW_POLICY_VALUE_EXIT/);
  for (const r of responses) assertAbsent(Buffer.from(r), SECRET, 'a gateway response');

  const exec = runCli(['exec', '--token-file', join(work, 'token'), '--gateway', gw, '--', process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'], { cwd: work, env });
  assert.equal(exec.status, 0, exec.stderr);
  const childEnv = JSON.parse(exec.stdout) as Record<string, string>;
  assert.equal(childEnv.KEYWARD_TOKEN, token);
  assert.equal(childEnv.KEYWARD_BINANCE_URL, `${gw}/binance`);
  assert.equal(childEnv.KEYWARD_PASSWORD_FILE, undefined, 'the bot learns nothing about the vault');
  assertAbsent(Buffer.from(exec.stdout), SECRET, 'the environment of an exec\'d program');

  // A core dump of the agent while it holds the secret unlocked (gdb's gcore, as root).
  const core = join(work, 'agent.core');
  // The agent re-launches itself hardened: the pid it prints is the process that holds the keys.
  const pid = Number(agent.match[2]);
  const g = spawnSync('gcore', ['-o', core, String(pid)], { encoding: 'utf8', timeout: 60_000 });
  const coreFile = `${core}.${String(pid)}`;
  assert.ok(existsSync(coreFile), `gcore made no core: ${g.stderr}`);
  assert.ok(statSync(coreFile).size > 10_000_000, 'a real core dump');
  // The agent forwards with undici (WebAssembly): without --disable-wasm-trap-handler V8 reserves
  // ~20 GB of guard space for its memory, and the dump would hold all of it.
  assert.ok(statSync(coreFile).size < 4_000_000_000, `a core of the agent's memory, not of reserved address space (${String(statSync(coreFile).size)} bytes)`);
  assert.ok(fileContains(coreFile, [Buffer.from(key.apiKey)]), 'the dump is searchable: the (public) API key is in it');
  assert.ok(!fileContains(coreFile, encodings(SECRET)), 'the secret was found in a core dump of the agent');
  rmSync(coreFile);

  agent.child.kill('SIGTERM');
  await once(agent.child, 'exit');
  assertAbsent(Buffer.from(agent.output()), SECRET, 'the agent\'s output');
  for (const f of filesUnder(join(work, 'home'))) assertAbsent(readFileSync(f), SECRET, f);
  assertAbsent(readFileSync(join(work, 'home', 'vault.db')), SECRET, 'the database and its audit log');
  const tail = runCli(['audit', 'tail', '-n', '100', '--json'], { cwd: work, env });
  assert.ok(tail.stdout.includes('KW_POLICY_VALUE_EXIT'), 'the audit log holds the refusal');
  assertAbsent(Buffer.from(tail.stdout), SECRET, 'the audit log');
});
