// keyward sign: print a request exactly as Keyward would send it, signed with a given key, clock
// and nonce. For checking a signature against an exchange's docs, or debugging a bot.
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import type { SecureBuffer } from '../../crypto/index.js';
import { signRequest } from '../../main/index.js';
import { printJson } from '../output.js';
import { readSecretFile, readSecretStdin } from '../secret-input.js';

interface SignOptions {
  exchange: string; method: string; url: string; body?: string; header: string[]; apiKey: string;
  secretStdin?: boolean; passphraseFile?: string; privateKeyFile?: string; time?: string; nonce?: string; json?: boolean;
}

function integer(name: string, raw: string | undefined): bigint | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,20}$/.test(raw)) throw new KeywardError('KW_INPUT_INVALID', `${name} must be a whole number.`);
  return BigInt(raw);
}

export function registerSign(program: Command): void {
  program
    .command('sign')
    .description('print a request exactly as it would be sent, signed (for checking signatures)')
    .requiredOption('--exchange <id>', 'the exchange adapter')
    .requiredOption('--method <method>', 'GET, POST, DELETE, ...')
    .requiredOption('--url <url>', 'https://host/path?query, or /path?query for the exchange\'s own host')
    .option('--body <body>', 'the request body as sent (a form or JSON)')
    .option('--header <header>', '"Name: value", repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .requiredOption('--api-key <key>', 'the API key')
    .option('--secret-stdin', 'read the secret from standard input')
    .option('--passphrase-file <file>', 'read the API passphrase from a file')
    .option('--private-key-file <file>', 'read a PEM or base64 private key from a file')
    .option('--time <ms>', 'the clock, in milliseconds since the epoch (default: now)')
    .option('--nonce <n>', 'the nonce for exchanges that need one (default: the time in ms)')
    .option('--json', 'print JSON')
    .action((o: SignOptions) => {
      const headers: Record<string, string> = {};
      for (const h of o.header) {
        const colon = h.indexOf(':');
        if (colon < 1) throw new KeywardError('KW_INPUT_INVALID', `--header must look like "Name: value", got "${h.slice(0, 40)}".`);
        headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
      }
      const time = integer('--time', o.time);
      const parts: { secret?: SecureBuffer; passphrase?: SecureBuffer; privateKey?: SecureBuffer } = {};
      try {
        if (o.secretStdin === true) parts.secret = readSecretStdin('secret');
        if (o.passphraseFile !== undefined) parts.passphrase = readSecretFile(o.passphraseFile, 'passphrase');
        if (o.privateKeyFile !== undefined) parts.privateKey = readSecretFile(o.privateKeyFile, 'private key');
        if (parts.secret === undefined && parts.privateKey === undefined) {
          throw new KeywardError('KW_SECRET_MISSING', 'A secret is needed to sign.', { hint: 'pass --secret-stdin or --private-key-file FILE' });
        }
        const signed = signRequest({
          exchange: o.exchange, method: o.method, url: o.url, headers, apiKey: o.apiKey,
          ...(o.body === undefined ? {} : { body: Buffer.from(o.body, 'utf8') }),
          ...parts,
          timeMs: Number(time ?? BigInt(Date.now())),
          ...(o.nonce === undefined ? {} : { nonce: integer('--nonce', o.nonce) ?? 0n }),
        });
        if (o.json === true) return printJson(signed);
        const lines = [`${signed.method} ${signed.url}`, ...Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`)];
        process.stdout.write(lines.join('\n') + '\n' + (signed.body === '' ? '' : `\n${signed.body}\n`));
      } finally {
        parts.secret?.release();
        parts.passphrase?.release();
        parts.privateKey?.release();
      }
    });
}
