// keyward audit verify | tail
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { auditEntries, verifyAudit } from '../../main/index.js';
import { type CommandContext, currentPassword, homeOf } from '../context.js';
import { info, printJson, table } from '../output.js';

export function registerAudit(program: Command, ctx: () => CommandContext): void {
  const audit = program.command('audit').description('the tamper-evident log of every gateway request');
  const location = (c: CommandContext): { home: string; db: string | undefined } => ({ home: homeOf(c), db: c.globals.db ?? c.env.db });

  audit.command('verify')
    .description('check the MAC chain and the signed checkpoints; names any edit, insertion, deletion or cut tail')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const c = ctx();
      const pw = await currentPassword(c);
      const report = await verifyAudit(location(c), pw).finally(() => pw.release());
      if (o.json === true) printJson(report);
      else if (report.ok) info(`audit log verified: ${String(report.records)} records, ${String(report.checkpoints)} signed checkpoints`);
      else for (const p of report.problems) process.stdout.write(`${p.kind}: ${p.detail}\n`);
      if (!report.ok) {
        throw new KeywardError('KW_AUDIT_TAMPERED', `The audit log does not verify: ${String(report.problems.length)} problem${report.problems.length === 1 ? '' : 's'}.`);
      }
    });

  audit.command('tail')
    .description('the latest records')
    .option('--token <accessor>', 'only this token\'s requests')
    .option('-n, --lines <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (o: { token?: string; lines: string; json?: boolean }) => {
      const n = Number(o.lines);
      if (!Number.isSafeInteger(n) || n < 1) throw new KeywardError('KW_INPUT_INVALID', '--lines must be a whole number of at least 1.');
      const parsed = await auditEntries(location(ctx()));
      const decisions = new Map(parsed.filter((p) => p.kind === 'decision').map((p) => [p.seq, p]));
      const picked = parsed.filter((p) => o.token === undefined
        || (p.kind === 'decision' ? p.token === o.token : decisions.get(Number(p.decision))?.token === o.token)).slice(-n);
      if (o.json === true) return printJson(picked);
      if (picked.length === 0) return info('no records');
      process.stdout.write(table(['SEQ', 'TIME', 'TOKEN', 'EXCHANGE', 'REQUEST', 'ACTION', 'RESULT'], picked.map((p) => [
        String(p.seq), new Date(Number(p.at)).toISOString().replace('T', ' ').slice(0, 19),
        p.kind === 'decision' ? String(p.token ?? '-') : '', p.kind === 'decision' ? String(p.exchange) : '',
        p.kind === 'decision' ? `${String(p.method)} ${String(p.path)}` : `outcome of #${String(p.decision)}`,
        p.kind === 'decision' ? String(p.action) : '',
        p.kind === 'decision' ? (p.decision === 'allow' ? 'allowed' : `refused ${String(p.reason)}`) : `HTTP ${String(p.status ?? '-')} in ${String(p.latencyMs)} ms`,
      ])));
    });
}
