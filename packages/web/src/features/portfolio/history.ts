// The portfolio's value over time. The server keeps it (GET /api/v1/portfolio/history: a snapshot
// at most every 5 minutes, taken when the portfolio is read); the value just read is added as the
// line's last point. Only a server without that route, or one that fails to answer it, leaves the
// line to the samples this tab took since sign-in (held in this module, never in storage).
import type { ValuePoint } from '../../api/trading.js';
import type { Point } from '../../ui/line-chart.js';

const MAX_POINTS = 720;
let points: Point[] = [];
let quote: string | null = null;

export function recordSnapshot(at: number, value: number, inQuote: string): readonly Point[] {
  if (quote !== inQuote) points = [];
  quote = inQuote;
  const last = points[points.length - 1];
  if (last === undefined || at > last.at) points = [...points, { at, value }].slice(-MAX_POINTS);
  return points;
}

export function snapshots(): readonly Point[] {
  return points;
}

export function clearSnapshots(): void {
  points = [];
  quote = null;
}

export interface History {
  /** 'server': the account's stored history; 'tab': this tab's samples (the fallback). */
  readonly source: 'server' | 'tab';
  readonly points: readonly Point[];
}

/** `server` is null when the server gave no history; `now` is the value just read. */
export function historyLine(server: readonly ValuePoint[] | null, tab: readonly Point[], now: Point): History {
  if (server === null) return { source: 'tab', points: tab };
  const line = server.filter((p) => Number.isFinite(p.total)).map((p) => ({ at: p.at, value: p.total }));
  const last = line[line.length - 1];
  if (last === undefined || now.at > last.at) line.push(now);
  return { source: 'server', points: line };
}
