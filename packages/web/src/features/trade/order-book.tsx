import type { Level, OrderBook } from '../../api/trading.js';
import { formatDecimal } from '../../ui/format.js';

/** Best asks (lowest last, next to the spread) over best bids; a price can be picked for the ticket. */
export function OrderBookView({ book, onPickPrice, rows = 8 }: { readonly book: OrderBook; readonly onPickPrice: (price: string) => void; readonly rows?: number }) {
  const asks = book.asks.slice(0, rows).toReversed();
  const bids = book.bids.slice(0, rows);
  const bestBid = book.bids[0]?.[0];
  const bestAsk = book.asks[0]?.[0];
  const spread = bestBid !== undefined && bestAsk !== undefined ? Number(bestAsk) - Number(bestBid) : null;
  const max = Math.max(...[...asks, ...bids].map(([, q]) => Number(q)), 0);
  const row = (side: 'ask' | 'bid') => ([price, qty]: Level) => (
    <tr key={`${side}-${price}`} className={side}>
      <td className="num">
        <button type="button" className="price-pick" onClick={() => onPickPrice(price)} aria-label={`Use ${side === 'ask' ? 'ask' : 'bid'} price ${price}`}>
          {formatDecimal(price)}
        </button>
      </td>
      <td className="num depth" style={{ backgroundSize: `${String(max === 0 ? 0 : (Number(qty) / max) * 100)}% 100%` }}>{formatDecimal(qty)}</td>
    </tr>
  );
  return (
    <section className="card" aria-labelledby="book-title">
      <h2 id="book-title">Order book</h2>
      {book.asks.length === 0 && book.bids.length === 0 ? <p className="muted">The book is empty.</p> : (
        <table className="book">
          <caption className="sr-only">Asks above, bids below; select a price to use it in the ticket</caption>
          <thead><tr><th scope="col" className="num">Price</th><th scope="col" className="num">Amount</th></tr></thead>
          <tbody>{asks.map(row('ask'))}</tbody>
          <tbody><tr className="spread"><td colSpan={2}>Spread {spread === null ? '—' : formatDecimal(String(Number(spread.toFixed(10))))}</td></tr></tbody>
          <tbody>{bids.map(row('bid'))}</tbody>
        </table>
      )}
    </section>
  );
}
