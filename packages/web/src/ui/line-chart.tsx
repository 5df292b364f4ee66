// A small SVG line of values over time (the portfolio's value during this session).
import { formatMoney, formatTime } from './format.js';

export interface Point {
  readonly at: number;
  readonly value: number;
}

export function linePath(points: readonly Point[], width: number, height: number, pad = 4): string {
  if (points.length === 0) return '';
  const xs = points.map((p) => p.at);
  const ys = points.map((p) => p.value);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number): number => (x1 === x0 ? width / 2 : pad + ((x - x0) / (x1 - x0)) * (width - 2 * pad));
  const sy = (y: number): number => (y1 === y0 ? height / 2 : height - pad - ((y - y0) / (y1 - y0)) * (height - 2 * pad));
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.at).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
}

export function LineChart({ points, quote, label }: { readonly points: readonly Point[]; readonly quote: string; readonly label: string }) {
  const first = points[0];
  const last = points[points.length - 1];
  const summary = first === undefined || last === undefined ? label
    : `${label}: from ${formatMoney(first.value, quote)} at ${formatTime(first.at)} to ${formatMoney(last.value, quote)} at ${formatTime(last.at)}`;
  return (
    <svg className="line-chart" viewBox="0 0 600 140" preserveAspectRatio="none" role="img" aria-label={summary}>
      <path d={linePath(points, 600, 140)} fill="none" stroke="#1f5fbf" strokeWidth="2" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
