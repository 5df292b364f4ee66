// "90s", "10m", "2h", "7d" -> milliseconds. One unit per value keeps mistakes visible.
import { KeywardError } from '@keyward/protocol/errors';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(raw: string, option: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(raw);
  if (m?.[1] === undefined || m[2] === undefined) throw new KeywardError('KW_INPUT_INVALID', `${option} must look like 90s, 10m, 2h or 7d.`);
  const ms = Number(m[1]) * (UNITS[m[2]] ?? 0);
  if (ms <= 0) throw new KeywardError('KW_INPUT_INVALID', `${option} must be more than zero.`);
  return ms;
}
