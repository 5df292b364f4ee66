// The README's start command: `keyward serve --sandbox` on a fresh data directory prints the URL to
// open, answers, serves the gateway, and stops cleanly on SIGTERM. Bad configuration is refused
// before anything starts, with every problem at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { baseEnv, runCli, startCli, tempDir } from '../helpers/cli.js';

test('serve --sandbox prints the URL to open, answers on it, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const work = tempDir('keyward-serve-cli-');
  const child = startCli(['serve', '--sandbox', '--port', '0', '--gateway-port', '0', '--data-dir', join(work, 'data')], { cwd: work, env: baseEnv(work) });
  let out = '';
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
    const look = (): void => {
      const m = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
  });
  const info = await (await fetch(`${url}/api/v1/info`)).json() as { gatewayUrl: string; sandbox: boolean };
  assert.equal(info.sandbox, true);
  // The gateway answers public market data through the sandbox.
  const ticker = await fetch(`${info.gatewayUrl}/binance/api/v3/ticker/bookTicker?symbol=BTCUSDT`);
  assert.equal(ticker.status, 200, await ticker.text());
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit') as [number | null];
  assert.equal(code, 0, out);
});

test('serve refuses a non-loopback address without TLS, and reports every problem at once', () => {
  const work = tempDir('keyward-serve-cli-');
  const r = runCli(['serve', '--host', '0.0.0.0', '--port', 'eighty'], { cwd: work, env: baseEnv(work) });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /port/);
  assert.match(r.stderr, /TLS/);
});
