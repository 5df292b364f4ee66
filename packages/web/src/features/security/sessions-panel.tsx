// Sessions and devices: every live session of the account, this one marked; ending one wipes the
// keys it unlocked. Ending this one is signing out.
import { useState } from 'react';
import { endSession, listSessions, type SessionView } from '../../api/security.js';
import { Notice } from '../../ui/notice.js';
import { messageOf } from './messages.js';
import { formatTime } from './policy-words.js';
import { useLoad } from '../../ui/use-load.js';

/** "Firefox on Linux"-ish from a user-agent string; the raw string is one click away. */
export function deviceName(userAgent: string): string {
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
    : /Safari\//.test(userAgent) ? 'Safari' : /curl|node|undici/i.test(userAgent) ? 'A program' : 'A browser';
  const os = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Windows/.test(userAgent) ? 'Windows'
    : /Mac OS X|Macintosh/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : null;
  return os === null ? browser : `${browser} on ${os}`;
}

export function SessionsPanel({ onSignedOut }: { readonly onSignedOut: () => void }) {
  const { result, reload } = useLoad(listSessions);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function end(s: SessionView): Promise<void> {
    setBusy(s.id);
    setError(null);
    try {
      await endSession(s.id);
      if (s.current) onSignedOut();
      else reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="sc-sessions-title">
      <h2 id="sc-sessions-title">Sessions and devices</h2>
      {result.state === 'loading' && <p role="status">Loading sessions…</p>}
      {result.state === 'error' && <Notice kind="error">{result.message}</Notice>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {result.state === 'ready' && (
        <ul className="sc-list">
          {result.data.sessions.filter((s) => s.endedAt === null).map((s) => (
            <li key={s.id} className="sc-card">
              <h3>{deviceName(s.userAgent)}{s.current && <span className="sc-badge sc-badge-ok">this session</span>}</h3>
              <p>From {s.ip} · signed in {formatTime(s.createdAt)} · last seen {formatTime(s.lastSeenAt)}</p>
              <p className="sc-muted">{s.unlocked ? 'Keys unlocked' : 'Keys locked'} · device {s.device} · ends by {formatTime(s.expiresAt)}</p>
              <details><summary>Browser details</summary><p className="sc-mono">{s.userAgent || '(none sent)'}</p></details>
              <button type="button" className={s.current ? 'sc-secondary' : 'sc-danger'} disabled={busy !== null} onClick={() => void end(s)}
                aria-label={s.current ? 'End this session (sign out)' : `End the session from ${s.ip} (${deviceName(s.userAgent)})`}>
                {s.current ? 'Sign out here' : 'End session'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {result.state === 'ready' && result.data.sessions.some((s) => s.endedAt !== null) && (
        <details>
          <summary>Ended sessions</summary>
          <ul className="sc-list">
            {result.data.sessions.filter((s) => s.endedAt !== null).map((s) => (
              <li key={s.id}>{deviceName(s.userAgent)} from {s.ip}: ended {formatTime(s.endedAt ?? 0)} ({s.endReason ?? 'signed out'})</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
