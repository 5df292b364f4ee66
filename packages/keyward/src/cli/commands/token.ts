// keyward token create | list | revoke
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { isPolicyError, parsePolicy, type Policy } from '@keyward/protocol/policy';
import { issueToken, listTokens, revokeToken } from '../../main/index.js';
import { type CommandContext, currentPassword, homeOf } from '../context.js';
import { parseDuration } from '../duration.js';
import { info, isoMinute, printJson, table } from '../output.js';

interface CreateOptions {
  credential: string; parent?: string; allow: string; symbols?: string; maxNotional?: string; maxDailyNotional?: string;
  priceBand?: string; rate?: string; cidr: string[]; ttl?: string; uses?: string; label?: string; tokenFile?: string; json?: boolean;
}

function number(raw: string | undefined, option: string): number | null {
  if (raw === undefined) return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new KeywardError('KW_INPUT_INVALID', `${option} must be a number of at least 0.`);
  return n;
}

export function buildPolicy(o: CreateOptions, now: number): Policy {
  let rate: number | null = null;
  if (o.rate !== undefined) {
    const m = /^(\d+)\/m$/.exec(o.rate);
    if (m?.[1] === undefined) throw new KeywardError('KW_INPUT_INVALID', '--rate must look like 10/m (orders per minute).');
    rate = Number(m[1]);
  }
  const policy = parsePolicy({
    credential: o.credential,
    actions: o.allow.split(',').map((a) => a.trim()).filter((a) => a !== ''),
    symbols: o.symbols === undefined ? null : o.symbols.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    maxOrderNotional: number(o.maxNotional, '--max-notional'),
    maxDailyNotional: number(o.maxDailyNotional, '--max-daily-notional'),
    priceBandPercent: number(o.priceBand, '--price-band'),
    ordersPerMinute: rate,
    sourceCidrs: o.cidr.length === 0 ? null : o.cidr,
    expiresAt: o.ttl === undefined ? null : now + parseDuration(o.ttl, '--ttl'),
  });
  if (isPolicyError(policy)) throw new KeywardError('KW_INPUT_INVALID', `The policy is not valid: ${policy.error}.`);
  return policy;
}

function status(t: { revokedAt: number | null; expiresAt: number | null; usesLeft: number | null }, now: number): string {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  if (t.usesLeft === 0) return 'used up';
  return 'active';
}

export function registerToken(program: Command, ctx: () => CommandContext): void {
  const token = program.command('token').description('issue, list and revoke the tokens bots use instead of keys');
  const location = (c: CommandContext): { home: string; db: string | undefined } => ({ home: homeOf(c), db: c.globals.db ?? c.env.db });

  token.command('create')
    .description('issue a token for one credential, limited by a policy; printed once, stored only as a keyed hash')
    .requiredOption('--credential <name>', 'the credential the token signs with')
    .option('--parent <accessor>', 'issue under this token (the child can only narrow it)')
    .requiredOption('--allow <actions>', 'comma list of read, trade, cancel (withdrawals are never possible)')
    .option('--symbols <list>', 'comma list of the exchange\'s symbols, e.g. BTCUSDT,ETHUSDT')
    .option('--max-notional <n>', 'largest order, in the quote currency')
    .option('--max-daily-notional <n>', 'total of orders per UTC day, in the quote currency')
    .option('--price-band <pct>', 'refuse limit buys above (and sells below) the market by more than this percent')
    .option('--rate <n/m>', 'orders per minute, e.g. 10/m')
    .option('--cidr <cidr>', 'allowed source address range, repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .option('--ttl <duration>', 'lifetime, e.g. 7d')
    .option('--uses <n>', 'number of requests it can make')
    .option('--label <label>', 'a name to recognise it by', 'bot')
    .option('--token-file <file>', 'write the token to this file (mode 0600) instead of standard output')
    .option('--json', 'print JSON')
    .action(async (o: CreateOptions) => {
      const c = ctx();
      const now = Date.now();
      const policy = buildPolicy(o, now);
      if (o.tokenFile !== undefined && existsSync(o.tokenFile)) {
        throw new KeywardError('KW_INPUT_INVALID', `${o.tokenFile} already exists; a token file is never overwritten.`);
      }
      const uses = o.uses === undefined ? null : Number(o.uses);
      if (uses !== null && (!Number.isSafeInteger(uses) || uses < 1)) throw new KeywardError('KW_INPUT_INVALID', '--uses must be a whole number of at least 1.');
      const pw = await currentPassword(c);
      const issued = await issueToken(location(c), pw, {
        ...(o.parent === undefined ? {} : { parent: o.parent }),
        label: o.label ?? 'bot', policy, expiresAt: policy.expiresAt, uses,
      }).finally(() => pw.release());
      if (o.tokenFile !== undefined) {
        writeFileSync(o.tokenFile, `${issued.token}\n`, { mode: 0o600, flag: 'wx' });
        info(`token ${issued.row.accessor} written to ${o.tokenFile}`);
      } else if (o.json === true) {
        printJson({ token: issued.token, accessor: issued.row.accessor, policy });
      } else {
        process.stdout.write(`${issued.token}\n`);
        info(`token ${issued.row.accessor}: shown once, stored only as a keyed hash; revoke with \`keyward token revoke ${issued.row.accessor}\``);
      }
    });

  token.command('list')
    .description('the token tree, by accessor; never a token')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = await listTokens(location(ctx()));
      const now = Date.now();
      const view = rows.map((t) => {
        const p = JSON.parse(t.policy) as Policy;
        return { accessor: t.accessor, parent: t.parentAccessor, label: t.label, credential: p.credential, actions: p.actions, status: status(t, now), createdAt: t.createdAt, expiresAt: t.expiresAt, usesLeft: t.usesLeft, policy: p };
      });
      if (o.json === true) return printJson(view.map((v) => ({ ...v, createdAt: new Date(v.createdAt).toISOString(), expiresAt: v.expiresAt === null ? null : new Date(v.expiresAt).toISOString() })));
      if (view.length === 0) return info('no tokens yet; issue one with `keyward token create`');
      const depth = new Map<string, number>();
      const byAccessor = new Map(view.map((v) => [v.accessor, v]));
      const depthOf = (a: string, guard = 0): number => {
        const v = byAccessor.get(a);
        if (v === undefined || guard > 64) return 0;
        return depth.get(a) ?? (v.parent !== null && byAccessor.has(v.parent) ? depthOf(v.parent, guard + 1) + 1 : 0);
      };
      process.stdout.write(table(['ACCESSOR', 'LABEL', 'CREDENTIAL', 'ACTIONS', 'STATUS', 'CREATED', 'EXPIRES'],
        view.map((v) => [`${'  '.repeat(depthOf(v.accessor))}${v.accessor}`, v.label, v.credential, v.actions.join(','), v.status, isoMinute(v.createdAt), isoMinute(v.expiresAt)])));
    });

  token.command('revoke')
    .description('revoke a token and every token under it, effective at their next request')
    .argument('<accessor>')
    .action(async (accessor: string) => {
      const n = await revokeToken(location(ctx()), accessor);
      info(`revoked ${String(n)} token${n === 1 ? '' : 's'} (${accessor} and everything under it)`);
    });
}
