// keyward sandbox [--port N] [--seed N] [--host H]: the offline exchange, until Ctrl-C.
// keyward sandbox key --exchange ID [--allow read,trade,withdraw] [--url URL]: a paper key from a running sandbox.
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { startSandbox } from '../../main/index.js';
import { info, printJson } from '../output.js';

function port(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new KeywardError('KW_INPUT_INVALID', `${name} must be a port number (0-65535).`);
  return n;
}

export function registerSandbox(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('run the sandbox exchange (Binance, Kraken, Coinbase, OKX dialects) on loopback')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8780')
    .option('--seed <n>', 'seed of the price walk (same seed, same market)', '1')
    .option('--host <host>', 'address to listen on; the admin routes are unauthenticated, keep it local', '127.0.0.1')
    .action(async (o: { port: string; seed: string; host: string }) => {
      const seed = Number(o.seed);
      if (!Number.isSafeInteger(seed)) throw new KeywardError('KW_INPUT_INVALID', '--seed must be an integer.');
      const running = await startSandbox({ host: o.host, port: port(o.port, '--port'), seed });
      process.stdout.write([
        `sandbox exchange listening on ${running.url} (seed ${String(seed)})`,
        `  exchanges: ${running.url}/binance  /kraken  /coinbase  /okx`,
        `  a paper key: keyward sandbox key --exchange binance --url ${running.url}`,
        '  (Ctrl-C to stop)',
        '',
      ].join('\n'));
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });

  sandbox
    .command('key')
    .description('create a paper API key on a running sandbox and print it (paper money: printing it is fine)')
    .requiredOption('--exchange <id>', 'binance, kraken, coinbase or okx')
    .option('--allow <perms>', 'comma list of read, trade, withdraw', 'read,trade')
    .option('--key-type <type>', 'hmac, ed25519 (binance, coinbase) or es256 (coinbase)')
    .option('--url <url>', 'the sandbox', 'http://127.0.0.1:8780')
    .action(async (o: { exchange: string; allow: string; keyType?: string; url: string }) => {
      const body = JSON.stringify({ exchange: o.exchange, permissions: o.allow.split(',').map((p) => p.trim()).filter((p) => p !== ''), ...(o.keyType === undefined ? {} : { keyType: o.keyType }) });
      let res: Response;
      try {
        res = await fetch(new URL('/admin/keys', o.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      } catch {
        throw new KeywardError('KW_INPUT_INVALID', `No sandbox answers at ${o.url}.`, { hint: 'start one with `keyward sandbox`' });
      }
      const answer = await res.json() as Record<string, unknown>;
      if (!res.ok) throw new KeywardError('KW_INPUT_INVALID', `The sandbox refused: ${String(answer.error)}.`);
      printJson(answer);
      info('paper key created; store it with `keyward credential add`');
    });
}
