// Allocation as an SVG donut with a legend that carries the numbers (the chart itself is
// decorative for screen readers; the legend is the accessible version).
import { formatMoney, formatShare } from './format.js';

export const CHART_COLOURS = ['#1f5fbf', '#e07b24', '#2f9e6e', '#b8407a', '#7b5cc4', '#c9a227', '#3c8fa8', '#8a8f98'];

export interface Slice {
  readonly label: string;
  readonly value: number;
  readonly share: number;
}

/** At most `max` slices; the rest are summed into "Other". */
export function topSlices(slices: readonly Slice[], max = 6): Slice[] {
  const sorted = [...slices].sort((a, b) => b.value - a.value);
  if (sorted.length <= max) return sorted;
  const rest = sorted.slice(max - 1);
  return [...sorted.slice(0, max - 1), {
    label: 'Other', value: rest.reduce((s, x) => s + x.value, 0), share: rest.reduce((s, x) => s + x.share, 0),
  }];
}

export function DonutChart({ slices, quote, title }: { readonly slices: readonly Slice[]; readonly quote: string; readonly title: string }) {
  const shown = topSlices(slices);
  const r = 15.915; // circumference 100: dash lengths are percentages
  let offset = 25;
  return (
    <figure className="donut">
      <svg viewBox="0 0 42 42" width="160" height="160" aria-hidden="true">
        <circle cx="21" cy="21" r={r} fill="none" stroke="#e6e9ee" strokeWidth="6" />
        {shown.map((s, i) => {
          const len = Math.max(0, s.share * 100);
          const el = (
            <circle key={s.label} cx="21" cy="21" r={r} fill="none" stroke={CHART_COLOURS[i % CHART_COLOURS.length]} strokeWidth="6"
              strokeDasharray={`${String(len)} ${String(100 - len)}`} strokeDashoffset={String(offset)} />
          );
          offset = (offset - len + 100) % 100;
          return el;
        })}
      </svg>
      <figcaption>
        <span className="sr-only">{title}</span>
        <ul className="legend">
          {shown.map((s, i) => (
            <li key={s.label}>
              <span className="swatch" style={{ background: CHART_COLOURS[i % CHART_COLOURS.length] }} aria-hidden="true" />
              <span className="legend-label">{s.label}</span>
              <span className="legend-value">{formatShare(s.share)} · {formatMoney(s.value, quote)}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
