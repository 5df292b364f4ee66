// How the CLI talks (age's style): results on stdout; `keyward: error: …`, `keyward: hint: …` and
// `keyward: warning: …` on stderr, one line each. A user mistake never prints a stack trace.
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';

export function warn(message: string): void {
  process.stderr.write(`keyward: warning: ${message}\n`);
}

export function info(message: string): void {
  process.stderr.write(`keyward: ${message}\n`);
}

export function printError(e: unknown): number {
  if (isKeywardError(e)) {
    process.stderr.write(`keyward: error: ${oneLine(e.message)}\n`);
    if (e.hint !== undefined) process.stderr.write(`keyward: hint: ${oneLine(e.hint)}\n`);
    return e.exitCode;
  }
  // Not ours: a bug. Say so without dumping internals that might include data; KEYWARD_DEBUG is
  // not read here on purpose (no stack traces by environment), a developer runs the tests.
  const name = e instanceof Error ? e.name : typeof e;
  process.stderr.write(`keyward: error: internal error (${name}); please report it\n`);
  return 1;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

export function usageError(message: string): KeywardError {
  return new KeywardError('KW_INPUT_INVALID', message);
}

/** A fixed-width table; every column as wide as its widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function isoMinute(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
