// The price chart. lightweight-charts is loaded with import() on first use, so it is not part of
// the initial bundle. Candles when the exchange serves them; otherwise a line of the last prices
// this page has polled, and a sentence saying so.
import { useEffect, useRef, useState } from 'react';
import { getCandles, type Candles, type Interval } from '../../api/trading.js';
import { Loading } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { useLoad } from '../../ui/use-load.js';

export interface PricePoint {
  /** Epoch seconds. */
  readonly time: number;
  readonly value: number;
}

type Lib = typeof import('lightweight-charts');
let lib: Promise<Lib> | null = null;
const loadLib = (): Promise<Lib> => (lib ??= import('lightweight-charts'));

export function PriceChart({ exchange, symbol, polled }: { readonly exchange: string; readonly symbol: string; readonly polled: readonly PricePoint[] }) {
  const [interval, setInterval] = useState<Interval>('1m');
  const candles = useLoad(() => getCandles(exchange, symbol, interval), `${exchange} ${symbol} ${interval}`, 60_000);
  const hasCandles = candles.result.state === 'ready' && candles.result.data.supported && candles.result.data.candles.length > 0;
  return (
    <section className="card chart-card" aria-labelledby="chart-title">
      <div className="screen-head">
        <h2 id="chart-title">{symbol} price</h2>
        {hasCandles && (
          <label className="inline-field">
            <span className="sr-only">Candle interval</span>
            <select value={interval} onChange={(e) => setInterval(e.target.value as Interval)}>
              {(['1m', '5m', '15m', '1h', '4h', '1d'] as const).map((i) => <option key={i} value={i}>{i}</option>)}
            </select>
          </label>
        )}
      </div>
      {candles.result.state === 'loading' && <Loading label="Loading price history…" />}
      {candles.result.state === 'error' && <Notice kind="error">{candles.result.message}</Notice>}
      {candles.result.state === 'ready' && (hasCandles
        ? <ChartCanvas mode={{ kind: 'candles', data: candles.result.data }} label={`${symbol} candles`} />
        : (
          <>
            <Notice kind="info">
              No chart data from this exchange{candles.result.data.reason === null ? '' : ` (${candles.result.data.reason})`}.
              {' '}Showing the last price every 5 seconds since you opened this page instead.
            </Notice>
            {polled.length < 2 ? <Loading label="Collecting prices…" /> : <ChartCanvas mode={{ kind: 'line', data: polled }} label={`${symbol} last price`} />}
          </>
        ))}
    </section>
  );
}

type Mode = { readonly kind: 'candles'; readonly data: Candles } | { readonly kind: 'line'; readonly data: readonly PricePoint[] };

function ChartCanvas({ mode, label }: { readonly mode: Mode; readonly label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<{ chart: import('lightweight-charts').IChartApi; kind: Mode['kind']; series: import('lightweight-charts').ISeriesApi<'Candlestick'> | import('lightweight-charts').ISeriesApi<'Line'> } | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => () => { chart.current?.chart.remove(); chart.current = null; }, []);

  useEffect(() => {
    let live = true;
    loadLib().then((lw) => {
      const el = box.current;
      if (!live || el === null) return;
      if (chart.current !== null && chart.current.kind !== mode.kind) {
        chart.current.chart.remove();
        chart.current = null;
      }
      if (chart.current === null) {
        const c = lw.createChart(el, {
          autoSize: true, layout: { background: { color: 'transparent' }, textColor: '#3b4350', attributionLogo: false },
          grid: { vertLines: { color: '#eef0f3' }, horzLines: { color: '#eef0f3' } }, timeScale: { timeVisible: true, secondsVisible: mode.kind === 'line' },
        });
        const series = mode.kind === 'candles'
          ? c.addSeries(lw.CandlestickSeries, { upColor: '#2f9e6e', downColor: '#c0392b', borderVisible: false, wickUpColor: '#2f9e6e', wickDownColor: '#c0392b' })
          : c.addSeries(lw.LineSeries, { color: '#1f5fbf', lineWidth: 2 });
        chart.current = { chart: c, kind: mode.kind, series };
      }
      const t = (s: number) => s as import('lightweight-charts').UTCTimestamp;
      if (mode.kind === 'candles') {
        (chart.current.series as import('lightweight-charts').ISeriesApi<'Candlestick'>).setData(mode.data.candles.map((k) => ({
          time: t(Math.floor(k.time / 1000)), open: Number(k.open), high: Number(k.high), low: Number(k.low), close: Number(k.close),
        })));
      } else {
        (chart.current.series as import('lightweight-charts').ISeriesApi<'Line'>).setData(mode.data.map((p) => ({ time: t(p.time), value: p.value })));
      }
    }, () => { if (live) setFailed(true); });
    return () => { live = false; };
  }, [mode]);

  if (failed) return <Notice kind="error">The chart could not be loaded. Reload the page to try again.</Notice>;
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
