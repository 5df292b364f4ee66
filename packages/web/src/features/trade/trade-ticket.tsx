// The order ticket: limit or market, buy or sell. "Review" asks the server what the order would
// cost and whether the policy and the balance allow it (review.ts; the browser's own estimate when
// the server has no preview route), and only then offers Confirm. The exchange answers on submit.
import { useEffect, useState, type FormEvent } from 'react';
import { placeOrder, type Order, type OrderBook, type OrderType, type Side } from '../../api/trading.js';
import { Field, Segmented } from '../../ui/field.js';
import { formatDecimal, formatNumber } from '../../ui/format.js';
import { Spinner } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { reportError } from '../../ui/use-load.js';
import { wordsFor } from '../../ui/error-words.js';
import { ApiError } from '../../api/http.js';
import { isPositiveDecimal, previewOrder } from './preview.js';
import { reviewOrder, type Review } from './review.js';

export function TradeTicket({ credential, exchange, symbol, book, price, onPrice, onPlaced }: {
  readonly credential: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly book: OrderBook | null;
  readonly price: string;
  readonly onPrice: (p: string) => void;
  readonly onPlaced: (o: Order) => void;
}) {
  const [side, setSide] = useState<Side>('buy');
  const [type, setType] = useState<OrderType>('limit');
  const [quantity, setQuantity] = useState('');
  const [review, setReview] = useState<Review | null>(null);
  const [busy, setBusy] = useState<'idle' | 'reviewing' | 'sending'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [placed, setPlaced] = useState<Order | null>(null);
  const [base = '', quote = ''] = symbol.split('/');
  // A price picked in the book, or another market, makes the preview stale.
  useEffect(() => { setReview(null); }, [price, symbol, credential]);

  const input = { exchange, side, type, quantity, ...(type === 'limit' ? { price } : {}), bids: book?.bids ?? [], asks: book?.asks ?? [] };
  const problem = !isPositiveDecimal(quantity) ? (quantity === '' ? null : 'Enter the amount as a plain number above zero, such as 0.01.')
    : type === 'limit' && !isPositiveDecimal(price) ? 'Enter a limit price as a plain number above zero.'
      : type === 'market' && book === null ? 'Waiting for the order book to price a market order…' : null;

  function edit<T>(set: (v: T) => void): (v: T) => void {
    return (v) => { set(v); setReview(null); setPlaced(null); setError(null); };
  }

  const order = { credential, symbol, side, type, quantity, ...(type === 'limit' ? { price } : {}) };

  async function startReview(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(null);
    setPlaced(null);
    if (!isPositiveDecimal(quantity) || (type === 'limit' && !isPositiveDecimal(price))) {
      setError(problem ?? 'This order cannot be priced yet.');
      return;
    }
    setBusy('reviewing');
    try {
      const r = await reviewOrder(order, () => previewOrder(input));
      if (r === null) setError(problem ?? 'This order cannot be priced yet.');
      setReview(r);
    } catch (e) {
      setError(reportError(e));
    } finally {
      setBusy('idle');
    }
  }

  async function confirm(): Promise<void> {
    setBusy('sending');
    setError(null);
    try {
      const order = await placeOrder({ credential, symbol, side, type, quantity, ...(type === 'limit' ? { price } : {}) });
      setPlaced(order);
      setReview(null);
      setQuantity('');
      onPlaced(order);
    } catch (e) {
      setError(reportError(e));
    } finally {
      setBusy('idle');
    }
  }

  const verb = side === 'buy' ? 'Buy' : 'Sell';
  const amount = (n: number | null, digits: number): string => (n === null ? '—' : `${formatNumber(n, digits)} ${quote}`);
  return (
    <section className="card ticket" aria-labelledby="ticket-title">
      <h2 id="ticket-title">Place an order</h2>
      <form onSubmit={(e) => void startReview(e)} className="stack">
        <Segmented label="Side" name="side" value={side} onChange={edit(setSide)} options={[{ value: 'buy', label: `Buy ${base}` }, { value: 'sell', label: `Sell ${base}` }]} />
        <Segmented label="Order type" name="type" value={type} onChange={edit(setType)} options={[{ value: 'limit', label: 'Limit' }, { value: 'market', label: 'Market' }]} />
        <Field label={`Amount (${base})`} inputMode="decimal" autoComplete="off" value={quantity} onChange={(e) => edit(setQuantity)(e.target.value.trim())} required />
        {type === 'limit'
          ? <Field label={`Limit price (${quote})`} inputMode="decimal" autoComplete="off" value={price} onChange={(e) => edit(onPrice)(e.target.value.trim())} required
            hint="Select a price in the order book to copy it here." />
          : <p className="muted">A market order fills now at the best prices in the book.</p>}
        {problem !== null && quantity !== '' && <p className="hint">{problem}</p>}
        {review === null && (
          <button type="submit" className={side === 'buy' ? 'buy' : 'sell'} disabled={busy !== 'idle'}>
            {busy === 'reviewing' ? <><Spinner /> Checking the order…</> : 'Review order'}
          </button>
        )}
      </form>

      {review !== null && (
        <div className="review stack" role="region" aria-label="Order preview">
          <h3>{verb} {formatDecimal(quantity)} {base}{type === 'limit' ? ` at ${formatDecimal(price)} ${quote}` : ' at market'}</h3>
          <dl className="facts">
            <dt>{type === 'market' ? 'Expected average price' : 'Price'}</dt><dd>{amount(review.price, 8)}</dd>
            <dt>Order value</dt><dd>{amount(review.notional, 2)}</dd>
            <dt>Estimated fee ({review.feeRate === null ? 'rate unknown' : `${(review.feeRate * 100).toFixed(2)}%`}, {review.liquidity})</dt><dd>{amount(review.fee, 4)}</dd>
            <dt>{side === 'buy' ? 'You pay about' : 'You receive about'}</dt><dd><strong>{amount(review.total, 2)}</strong></dd>
          </dl>
          <p className="muted">
            {review.liquidity === 'taker' ? 'This order should fill at once.' : 'This order waits in the book until the price reaches it.'} The fee is the
            exchange&apos;s standard rate; yours may be lower.
            {review.source === 'browser' && ' This server cannot check an order in advance: your policy and balance are checked when you confirm.'}
          </p>
          {review.allowed === true && <Notice kind="success">Keyward checked this order: your token policy and your balance allow it.</Notice>}
          {review.allowed === false && (
            <div className="notice notice-error" role="alert">
              <p>This order would not go through:</p>
              <ul aria-label="Why not">{review.reasons.map((r) => <li key={r}>{reasonWords(r)}</li>)}</ul>
            </div>
          )}
          {review.notes.map((w) => <Notice key={w} kind={review.source === 'browser' ? 'warning' : 'info'}>{sentence(w)}</Notice>)}
          <div className="actions">
            <button type="button" className={side === 'buy' ? 'buy' : 'sell'} disabled={busy !== 'idle' || review.allowed === false} onClick={() => void confirm()}>
              {busy === 'sending' ? <><Spinner /> Sending…</> : `Confirm ${verb.toLowerCase()}`}
            </button>
            <button type="button" className="secondary" disabled={busy !== 'idle'} onClick={() => setReview(null)}>Edit</button>
          </div>
        </div>
      )}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {placed !== null && (
        <Notice kind="success">
          Order {placed.status === 'open' ? 'placed: it is open' : placed.status === 'filled' ? 'filled' : placed.status} ({placed.side} {formatDecimal(placed.quantity)} {base}
          {placed.price === null ? '' : ` at ${formatDecimal(placed.price)}`}).
        </Notice>
      )}
    </section>
  );
}

/** The server's reasons start with a KW_* code for a policy refusal: its plain words, then the detail. */
function reasonWords(reason: string): string {
  const m = /^(KW_[A-Z_]+): ?(.*)$/s.exec(reason);
  if (m === null) return sentence(reason);
  const [, code = '', detail = ''] = m;
  return `${wordsFor(new ApiError(403, code, code, undefined))}${detail === '' ? '' : ` (${detail})`}`;
}

const sentence = (s: string): string => (s === '' ? s : `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?)]$/.test(s) ? '' : '.'}`);
