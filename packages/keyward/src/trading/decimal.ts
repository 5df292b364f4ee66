// Amounts as decimal strings, computed as BigInts scaled by 10^18: never a float on the way to an
// exchange, and no rounding in a sum. Only the portfolio's valuation leaves as a number (2 dp),
// because it is for display and never goes back into a request.

const SCALE_DIGITS = 18;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^(-?)(\d{1,30})(?:\.(\d{1,30}))?$/;

/** A plain, positive-or-zero decimal as a person or a form types it: no sign, no exponent. */
export const PLAIN_DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

export type Scaled = bigint;

/** The value scaled by 10^18, or undefined for anything that is not a plain decimal. Digits past the 18th are cut. */
export function parseDecimal(text: string): Scaled | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const frac = (m[3] ?? '').slice(0, SCALE_DIGITS).padEnd(SCALE_DIGITS, '0');
  const v = BigInt(m[2] ?? '0') * SCALE + BigInt(frac);
  return m[1] === '-' ? -v : v;
}

/** The shortest plain form: no trailing zeros, no exponent ("0.00100000" → "0.001"). */
export function formatDecimal(v: Scaled): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const int = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int.toString()}${frac === '' ? '' : `.${frac}`}`;
}

/** An exchange's number in its shortest plain form; undefined when it is not a plain decimal. */
export function normaliseDecimal(text: unknown): string | undefined {
  const s = typeof text === 'number' && Number.isFinite(text) ? String(text) : text;
  if (typeof s !== 'string') return undefined;
  const v = parseDecimal(s);
  return v === undefined ? undefined : formatDecimal(v);
}

export function multiply(a: Scaled, b: Scaled): Scaled {
  return (a * b) / SCALE;
}

/** Rounded half away from zero to `dp` places, as a number for display. */
export function toRoundedNumber(v: Scaled, dp: number): number {
  const unit = 10n ** BigInt(SCALE_DIGITS - dp);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const rounded = ((abs + unit / 2n) / unit) * unit;
  return Number(formatDecimal(neg ? -rounded : rounded));
}

/** a / b as a number rounded to `dp` places; 0 when b is 0. */
export function ratio(a: Scaled, b: Scaled, dp: number): number {
  if (b === 0n) return 0;
  return toRoundedNumber((a * SCALE) / b, dp);
}

/** Rounded half away from zero to `dp` places, as the shortest plain decimal string. */
export function toRoundedString(v: Scaled, dp: number): string {
  const unit = 10n ** BigInt(SCALE_DIGITS - dp);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const rounded = ((abs + unit / 2n) / unit) * unit;
  return formatDecimal(neg ? -rounded : rounded);
}
