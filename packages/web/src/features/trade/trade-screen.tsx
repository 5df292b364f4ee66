// Market and trade: pick a key and a market; the chart, the book, the ticket and the orders.
import { findExchange } from '@keyward/protocol/exchange-ids';
import { useEffect, useState } from 'react';
import type { CredentialView } from '../../api/credentials.js';
import { getBook, getTicker } from '../../api/trading.js';
import { SelectField } from '../../ui/field.js';
import { formatDecimal } from '../../ui/format.js';
import { LoadedView } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { useLoad } from '../../ui/use-load.js';
import { OrderBookView } from './order-book.js';
import { OpenOrders, OrderHistory } from './orders.js';
import { PriceChart, type PricePoint } from './price-chart.js';
import { TradeTicket } from './trade-ticket.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BTC/USDC', 'ETH/BTC'];
const MAX_POLLED = 720;

export function TradeScreen({ credentials }: { readonly credentials: readonly CredentialView[] }) {
  const [credentialName, setCredentialName] = useState(credentials[0]?.name ?? '');
  const [symbol, setSymbol] = useState('BTC/USDT');
  const [price, setPrice] = useState('');
  const [round, setRound] = useState(0);
  const credential = credentials.find((c) => c.name === credentialName) ?? credentials[0];
  const exchange = credential?.exchange ?? '';
  const market = `${exchange} ${symbol}`;

  const ticker = useLoad(() => getTicker(exchange, symbol), market, 5_000);
  const book = useLoad(() => getBook(exchange, symbol, 12), market, 3_000);
  const [polled, setPolled] = useState<{ market: string; points: PricePoint[] }>({ market, points: [] });

  useEffect(() => {
    if (ticker.result.state !== 'ready') return;
    const t = ticker.result.data;
    const last = t.last ?? t.bid ?? t.ask;
    if (last === null) return;
    const time = Math.floor(t.at / 1000);
    setPolled((p) => {
      const points = p.market === market ? p.points : [];
      const prev = points[points.length - 1];
      if (prev !== undefined && prev.time >= time) return p.market === market ? p : { market, points };
      return { market, points: [...points, { time, value: Number(last) }].slice(-MAX_POLLED) };
    });
  }, [ticker.result, market]);

  // A new market starts the ticket at its best bid: a sensible resting buy price.
  useEffect(() => { setPrice(''); }, [market]);
  useEffect(() => {
    if (price === '' && book.result.state === 'ready') setPrice(book.result.data.bids[0]?.[0] ?? '');
  }, [book.result, price]);

  if (credential === undefined) return <Notice kind="info">Connect an exchange first (Exchanges).</Notice>;
  const t = ticker.result.state === 'ready' ? ticker.result.data : null;
  return (
    <div className="stack">
      <div className="screen-head">
        <h1>Trade</h1>
        <div className="market-pick">
          <SelectField label="Key" value={credential.name} onChange={(e) => setCredentialName(e.target.value)}>
            {credentials.map((c) => <option key={c.id} value={c.name}>{c.name} ({findExchange(c.exchange)?.name ?? c.exchange})</option>)}
          </SelectField>
          <SelectField label="Market" value={symbol} onChange={(e) => setSymbol(e.target.value)}>
            {SYMBOLS.map((s) => <option key={s} value={s}>{s}</option>)}
          </SelectField>
        </div>
      </div>
      <p className="ticker" aria-live="polite">
        {t === null ? (ticker.result.state === 'error' ? <span className="error-text">{ticker.result.message}</span> : 'Loading prices…') : (
          <>Last <strong data-testid="last-price">{formatDecimal(t.last)}</strong> · Bid {formatDecimal(t.bid)} · Ask {formatDecimal(t.ask)}</>
        )}
      </p>
      <div className="trade-grid">
        <div className="trade-main stack">
          <PriceChart exchange={exchange} symbol={symbol} polled={polled.market === market ? polled.points : []} />
        </div>
        <div className="trade-side stack">
          <TradeTicket credential={credential.name} exchange={exchange} symbol={symbol} book={book.result.state === 'ready' ? book.result.data : null}
            price={price} onPrice={setPrice} onPlaced={() => setRound((r) => r + 1)} />
          <LoadedView result={book.result} label="Loading the order book…" onRetry={book.reload}>
            {(b) => <OrderBookView book={b} onPickPrice={setPrice} />}
          </LoadedView>
        </div>
      </div>
      <OpenOrders credential={credential.name} symbol={symbol} round={round} onChanged={() => setRound((r) => r + 1)} />
      <OrderHistory credential={credential.name} symbol={symbol} round={round} />
    </div>
  );
}
