// A credential's open orders (with cancel) and its closed orders for the selected market.
import { useState, type ReactNode } from 'react';
import { cancelOrder, openOrders, orderHistory, type Order } from '../../api/trading.js';
import { formatDecimal, formatTime } from '../../ui/format.js';
import { LoadedView } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { reportError, useLoad } from '../../ui/use-load.js';

const STATUS: Readonly<Record<Order['status'], string>> = { open: 'Open', filled: 'Filled', cancelled: 'Cancelled', expired: 'Expired', rejected: 'Rejected' };

function OrderRow({ o, action }: { readonly o: Order; readonly action?: ReactNode }) {
  return (
    <tr>
      <td>{formatTime(o.createdAt)}</td>
      <td>{o.symbol}</td>
      <td className={o.side === 'buy' ? 'buy-text' : 'sell-text'}>{o.side === 'buy' ? 'Buy' : 'Sell'} {o.type}</td>
      <td className="num">{o.price === null ? 'market' : formatDecimal(o.price)}</td>
      <td className="num">{formatDecimal(o.filled)} / {formatDecimal(o.quantity)}</td>
      <td>{STATUS[o.status]}</td>
      {action !== undefined && <td>{action}</td>}
    </tr>
  );
}

export function OpenOrders({ credential, symbol, round, onChanged }: { readonly credential: string; readonly symbol: string; readonly round: number; readonly onChanged: () => void }) {
  const { result, reload } = useLoad(() => openOrders(credential), `${credential} ${String(round)}`, 10_000);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function cancel(o: Order): Promise<void> {
    setCancelling(o.id);
    setError(null);
    try {
      await cancelOrder(credential, o.id, o.symbol);
      reload();
      onChanged();
    } catch (e) {
      setError(reportError(e));
    } finally {
      setCancelling(null);
    }
  }

  return (
    <section className="card" aria-labelledby="open-title">
      <h2 id="open-title">Open orders</h2>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <LoadedView result={result} label="Loading open orders…" onRetry={reload}>
        {({ orders }) => (orders.length === 0 ? <p className="muted">No open orders on “{credential}”.</p> : (
          <div className="table-wrap">
            <table data-testid="open-orders">
              <thead><tr><th scope="col">Placed</th><th scope="col">Market</th><th scope="col">Order</th><th scope="col" className="num">Price</th><th scope="col" className="num">Filled</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {orders.map((o) => (
                  <OrderRow key={o.id} o={o} action={
                    <button type="button" className="secondary small" disabled={cancelling !== null} onClick={() => void cancel(o)}
                      aria-label={`Cancel ${o.side} ${o.quantity} ${o.symbol} at ${o.price ?? 'market'}`}>
                      {cancelling === o.id ? 'Cancelling…' : 'Cancel'}
                    </button>
                  } />
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </LoadedView>
      <p className="muted">Showing every market on this key; the ticket trades {symbol}.</p>
    </section>
  );
}

export function OrderHistory({ credential, symbol, round }: { readonly credential: string; readonly symbol: string; readonly round: number }) {
  const { result, reload } = useLoad(() => orderHistory(credential, symbol), `${credential} ${symbol} ${String(round)}`, 30_000);
  return (
    <section className="card" aria-labelledby="history-orders-title">
      <h2 id="history-orders-title">Order history · {symbol}</h2>
      <LoadedView result={result} label="Loading order history…" onRetry={reload}>
        {({ orders }) => (orders.length === 0 ? <p className="muted">No closed orders in {symbol} yet.</p> : (
          <div className="table-wrap">
            <table data-testid="order-history">
              <thead><tr><th scope="col">Placed</th><th scope="col">Market</th><th scope="col">Order</th><th scope="col" className="num">Price</th><th scope="col" className="num">Filled</th><th scope="col">Status</th></tr></thead>
              <tbody>{orders.slice(0, 50).map((o) => <OrderRow key={o.id} o={o} />)}</tbody>
            </table>
          </div>
        ))}
      </LoadedView>
    </section>
  );
}
