// Numbers as people read them: money with two decimals and thousands separators, prices and
// quantities with as many digits as they carry (never rounded away), shares as percentages.
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(value: number | null, quote: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  let f = moneyFormats.get(quote);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    moneyFormats.set(quote, f);
  }
  return `${f.format(value)} ${quote}`;
}

/** A decimal string with thousands separators on its integer part; the fraction is kept as sent. */
export function formatDecimal(s: string | null): string {
  if (s === null) return '—';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (m === null) return s;
  const [, sign = '', int = '', frac = ''] = m;
  return `${sign}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac.replace(/0+$/, '').replace(/\.$/, '')}`;
}

/** A number for display with up to `digits` decimals, trailing zeros dropped. */
export function formatNumber(n: number, digits = 8): string {
  if (!Number.isFinite(n)) return '—';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(n);
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share < 0.001 ? 2 : 1)}%`;
}

export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
