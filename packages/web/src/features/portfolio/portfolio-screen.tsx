// Total value, per exchange and per asset, allocation, and value over the last 30 days.
import { findExchange } from '@keyward/protocol/exchange-ids';
import { useMemo } from 'react';
import { getPortfolio, getPortfolioHistory, type Portfolio } from '../../api/trading.js';
import { DonutChart } from '../../ui/donut-chart.js';
import { formatDecimal, formatMoney, formatShare, formatTime } from '../../ui/format.js';
import { LineChart } from '../../ui/line-chart.js';
import { LoadedView, Spinner } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { useLoad } from '../../ui/use-load.js';
import { historyLine, recordSnapshot, type History } from './history.js';

const REFRESH_MS = 30_000;
const HISTORY_DAYS = 30;

async function loadAndRecord(): Promise<{ portfolio: Portfolio; history: History }> {
  // The portfolio first: reading it is what records the server's snapshot.
  const portfolio = await getPortfolio();
  const tab = recordSnapshot(portfolio.at, portfolio.total, portfolio.quote);
  // Without the history (an older server, or a failure) the tab's samples stand in; the balances still show.
  const server = await getPortfolioHistory(portfolio.quote, HISTORY_DAYS).then((h) => h.points, () => null);
  return { portfolio, history: historyLine(server, tab, { at: portfolio.at, value: portfolio.total }) };
}

export function PortfolioScreen({ onTrade }: { readonly onTrade: () => void }) {
  const { result, reload } = useLoad(loadAndRecord, '', REFRESH_MS);
  return (
    <div className="stack">
      <div className="screen-head">
        <h1>Portfolio</h1>
        <button type="button" className="secondary" onClick={reload} disabled={result.state !== 'ready' || result.refreshing}>
          {result.state === 'ready' && result.refreshing ? <><Spinner /> Refreshing</> : 'Refresh'}
        </button>
      </div>
      <LoadedView result={result} label="Asking your exchanges for balances…" onRetry={reload}>
        {({ portfolio, history }) => <PortfolioView portfolio={portfolio} history={history} onTrade={onTrade} />}
      </LoadedView>
    </div>
  );
}

interface AssetRow {
  readonly asset: string;
  readonly total: number;
  readonly amounts: string[];
  readonly value: number | null;
}

function byAsset(p: Portfolio): AssetRow[] {
  const rows = new Map<string, AssetRow>();
  for (const ex of p.exchanges) {
    for (const b of ex.balances) {
      const r = rows.get(b.asset) ?? { asset: b.asset, total: 0, amounts: [], value: 0 };
      rows.set(b.asset, {
        asset: b.asset, total: r.total + Number(b.total), amounts: [...r.amounts, b.total],
        value: r.value === null || b.value === null ? null : r.value + b.value,
      });
    }
  }
  return [...rows.values()].sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
}

function PortfolioView({ portfolio: p, history, onTrade }: { readonly portfolio: Portfolio; readonly history: History; readonly onTrade: () => void }) {
  const assets = useMemo(() => byAsset(p), [p]);
  const failed = p.exchanges.filter((e) => e.error !== null);
  return (
    <>
      <section className="card total" aria-labelledby="total-title">
        <h2 id="total-title" className="label">Total value</h2>
        <p className="big-number" data-testid="portfolio-total">{formatMoney(p.total, p.quote)}</p>
        <p className="muted">Valued in {p.quote} with each exchange&apos;s own prices · {formatTime(p.at)}</p>
        {failed.length > 0 && <Notice kind="warning">Not counted: {failed.map((e) => `${e.credential} (${e.error?.message ?? ''})`).join('; ')}</Notice>}
        <p><button type="button" onClick={onTrade}>Trade</button></p>
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="alloc-title">
          <h2 id="alloc-title">Allocation</h2>
          {p.allocation.length === 0 ? <p className="muted">Nothing to show yet: no balance has a known value.</p>
            : <DonutChart title="Allocation by asset" quote={p.quote} slices={p.allocation.map((a) => ({ label: a.asset, value: a.value, share: a.share }))} />}
        </section>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">{history.source === 'server' ? `Value over ${String(HISTORY_DAYS)} days` : 'Value over this session'}</h2>
          {history.points.length < 2
            ? <p className="muted">{history.source === 'server'
              ? 'Keyward records the total at most every 5 minutes, when you open Portfolio; the line starts with the second record.'
              : 'The line fills in as Keyward checks your balances (every 30 seconds while this page is open). Nothing is stored.'}</p>
            : <LineChart points={history.points} quote={p.quote} label={history.source === 'server' ? `Total value over ${String(HISTORY_DAYS)} days` : 'Total value over this session'} />}
          <p className="muted" data-testid="history-count">
            {history.source === 'server'
              ? `${String(history.points.length)} point${history.points.length === 1 ? '' : 's'} from the server's records and this reading.`
              : `${String(history.points.length)} snapshot${history.points.length === 1 ? '' : 's'} since you signed in (this server keeps no history).`}
          </p>
        </section>
      </div>

      <section className="card" aria-labelledby="exchanges-title">
        <h2 id="exchanges-title">By exchange</h2>
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Key</th><th scope="col">Exchange</th><th scope="col" className="num">Value</th><th scope="col" className="num">Share</th></tr></thead>
            <tbody>
              {p.exchanges.map((e) => (
                <tr key={e.credential}>
                  <td>{e.credential}</td>
                  <td>{findExchange(e.exchange)?.name ?? e.exchange}</td>
                  <td className="num">{e.error !== null ? <span className="error-text">{e.error.message}</span> : formatMoney(e.total, p.quote)}</td>
                  <td className="num">{e.total === null || p.total === 0 ? '—' : formatShare(e.total / p.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="assets-title">
        <h2 id="assets-title">By asset</h2>
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Asset</th><th scope="col" className="num">Amount</th><th scope="col" className="num">Value</th></tr></thead>
            <tbody>
              {assets.map((a) => (
                <tr key={a.asset}>
                  <td>{a.asset}</td>
                  <td className="num">{a.amounts.length === 1 ? formatDecimal(a.amounts[0] ?? null) : a.amounts.map((x) => formatDecimal(x)).join(' + ')}</td>
                  <td className="num">{a.value === null ? <span title="No price for this asset in the quote currency">unknown</span> : formatMoney(a.value, p.quote)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
