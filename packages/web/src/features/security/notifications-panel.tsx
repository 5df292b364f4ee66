// The notification inbox: sign-ins, new devices, changes to factors, tokens and the allowlist.
import { useState } from 'react';
import { listNotifications, markNotificationsRead } from '../../api/security.js';
import { Notice } from '../../ui/notice.js';
import { messageOf } from './messages.js';
import { formatTime } from './policy-words.js';
import { useLoad } from '../../ui/use-load.js';

export function NotificationsPanel({ onRead }: { readonly onRead: () => void }) {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const { result, reload } = useLoad(() => listNotifications(unreadOnly));
  const [error, setError] = useState<string | null>(null);

  async function mark(ids: readonly string[] | 'all'): Promise<void> {
    setError(null);
    try {
      await markNotificationsRead(ids);
      reload();
      onRead();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const unread = result.state === 'ready' ? result.data.notifications.filter((n) => n.readAt === null).length : 0;
  return (
    <section aria-labelledby="sc-inbox-title">
      <h2 id="sc-inbox-title">Notifications</h2>
      <div className="sc-row">
        <label className="sc-check">
          <input type="checkbox" checked={unreadOnly} onChange={(e) => { setUnreadOnly(e.target.checked); reload(); }} /> Unread only
        </label>
        <button type="button" className="sc-secondary" disabled={unread === 0} onClick={() => void mark('all')}>Mark all read</button>
      </div>
      {result.state === 'loading' && <p role="status">Loading notifications…</p>}
      {result.state === 'error' && <Notice kind="error">{result.message}</Notice>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {result.state === 'ready' && result.data.notifications.length === 0 && <p>Nothing here.</p>}
      {result.state === 'ready' && result.data.notifications.length > 0 && (
        <ul className="sc-list">
          {result.data.notifications.map((n) => (
            <li key={n.id} className={n.readAt === null ? 'sc-card sc-unread' : 'sc-card'}>
              <h3>{n.readAt === null && <span className="sc-badge">new</span>} {n.title}</h3>
              <p>{n.body}</p>
              <p className="sc-muted">{formatTime(n.at)}</p>
              {n.readAt === null && <button type="button" className="sc-secondary" onClick={() => void mark([n.id])} aria-label={`Mark “${n.title}” read`}>Mark read</button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
