// Fixed-point decimals held as bigint "atoms" of 10^-12. Balances, fills and fees must add up
// exactly: a float engine would leak 1e-17 dust into balances and make equality tests flaky.
// Twelve digits cover every step and tick size the sandbox lists (the finest is 1e-8).

export type Dec = bigint;

export const DIGITS = 12;
export const ONE: Dec = 10n ** 12n;
export const ZERO: Dec = 0n;

const PLAIN = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain non-negative decimal ("0.001", "65000", "1.50"), the only form exchanges accept
 * in order parameters. Exponents, signs, blanks and digits beyond the scale (unless zeros) are refused.
 */
export function parseDec(text: string): Dec | undefined {
  const m = PLAIN.exec(text);
  if (m === null) return undefined;
  const whole = m[1] ?? '0';
  let frac = m[2] ?? '';
  if (frac.length > DIGITS) {
    if (!/^0*$/.test(frac.slice(DIGITS))) return undefined;
    frac = frac.slice(0, DIGITS);
  }
  return BigInt(whole) * ONE + BigInt(frac.padEnd(DIGITS, '0'));
}

/** parseDec for constants written in this package: a typo is a programming error, not input. */
export function dec(text: string): Dec {
  const d = parseDec(text);
  if (d === undefined) throw new Error(`sandbox: bad decimal constant ${text}`);
  return d;
}

/** Product, truncated toward zero (the exchange never rounds a fill in the client's favour). */
export function mul(a: Dec, b: Dec): Dec {
  return (a * b) / ONE;
}

/** Quotient, truncated toward zero. */
export function div(a: Dec, b: Dec): Dec {
  if (b === 0n) throw new RangeError('sandbox: division by zero');
  return (a * ONE) / b;
}

export function min(a: Dec, b: Dec): Dec {
  return a < b ? a : b;
}

export function max(a: Dec, b: Dec): Dec {
  return a > b ? a : b;
}

/** Largest multiple of step that is <= d (d >= 0). */
export function floorTo(d: Dec, step: Dec): Dec {
  return d - (d % step);
}

/** Smallest multiple of step that is >= d (d >= 0). */
export function ceilTo(d: Dec, step: Dec): Dec {
  const r = d % step;
  return r === 0n ? d : d - r + step;
}

export function isMultipleOf(d: Dec, step: Dec): boolean {
  return d % step === 0n;
}

/** Exactly `places` decimals (Binance writes "0.00100000"); extra digits are truncated. */
export function toFixed(d: Dec, places: number): string {
  const negative = d < 0n;
  const abs = negative ? -d : d;
  const whole = abs / ONE;
  const frac = (abs % ONE).toString().padStart(DIGITS, '0').slice(0, places);
  const body = places > 0 ? `${whole.toString()}.${frac}` : whole.toString();
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Shortest exact form ("0.001", "65000"): what OKX, Coinbase and Kraken's APIs mostly print. */
export function toPlain(d: Dec): string {
  return toFixed(d, DIGITS).replace(/\.?0+$/, '') || '0';
}

/** Number of decimals a step such as 0.00001 implies (5): the precision exchanges advertise. */
export function decimalsOf(step: Dec): number {
  let places = 0;
  let unit = ONE;
  while (unit > step && places < DIGITS) {
    unit /= 10n;
    places += 1;
  }
  return places;
}

/**
 * A float (the price walk lives in log space) snapped to the nearest multiple of `step`.
 * Only the feed uses it; everything an order touches stays in atoms.
 */
export function fromFloat(value: number, step: Dec): Dec {
  const stepFloat = Number(step) / Number(ONE);
  const units = Math.max(1, Math.round(value / stepFloat));
  return BigInt(units) * step;
}

export function toFloat(d: Dec): number {
  return Number(d) / Number(ONE);
}
