// The Security centre: tokens (tree, policies, access logs, audit status), sessions and devices,
// second factors, password / e-mail / IP allowlist, the notification inbox, and break-glass. One
// section shows at a time, so it reads at a phone's width; the section buttons wrap.
import { useEffect, useState } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import { listNotifications } from '../../api/security.js';
import { AccountPanel } from './account-panel.js';
import { BreakGlassPanel } from './break-glass.js';
import { FactorsPanel } from './factors-panel.js';
import { isSessionGone } from './messages.js';
import { NotificationsPanel } from './notifications-panel.js';
import { SessionsPanel } from './sessions-panel.js';
import { TokensPanel } from './tokens-panel.js';
import './security.css';

export type SecuritySection = 'tokens' | 'sessions' | 'factors' | 'account' | 'inbox' | 'break-glass';

const SECTIONS: readonly { readonly id: SecuritySection; readonly label: string }[] = [
  { id: 'tokens', label: 'Tokens' },
  { id: 'sessions', label: 'Sessions and devices' },
  { id: 'factors', label: 'Second factors' },
  { id: 'account', label: 'Password and e-mail' },
  { id: 'inbox', label: 'Notifications' },
  { id: 'break-glass', label: 'Break glass' },
];

/** Sensitive changes here ask for the password through the ReauthProvider (../auth/reauth.tsx) the shell puts above. */
export function SecurityCentre(props: { session: SessionAnswer; onSignedOut(): void; onEmailChanged?: (email: string) => void; section?: SecuritySection }) {
  const { session, onSignedOut } = props;
  const [section, setSection] = useState<SecuritySection>(props.section ?? 'tokens');
  const [email, setEmail] = useState(session.account.email);
  const [unread, setUnread] = useState<number | null>(null);
  const [round, setRound] = useState(0);
  // Pressing a section's button again reloads it (e.g. after connecting a key in another tab).
  const [visit, setVisit] = useState(0);

  useEffect(() => {
    let live = true;
    listNotifications(true).then(
      (r) => { if (live) setUnread(r.notifications.length); },
      (e: unknown) => { if (live && isSessionGone(e)) onSignedOut(); },
    );
    return () => { live = false; };
  }, [round, section, onSignedOut]);

  return (
    <div className="sc">
      <header className="sc-head">
        <h1>Security</h1>
        <nav aria-label="Security sections" className="sc-nav">
          {SECTIONS.map((s) => (
            <button
              key={s.id} type="button" aria-current={section === s.id ? 'page' : undefined}
              className={s.id === 'break-glass' ? 'sc-nav-danger' : undefined} onClick={() => { setSection(s.id); setVisit((v) => v + 1); }}
            >
              {s.label}
              {s.id === 'inbox' && unread !== null && unread > 0 && <span className="sc-count" aria-label={`${String(unread)} unread`}>{unread}</span>}
            </button>
          ))}
        </nav>
      </header>
      <div key={visit} className="sc-panel">
        {section === 'tokens' && <TokensPanel />}
        {section === 'sessions' && <SessionsPanel onSignedOut={onSignedOut} />}
        {section === 'factors' && <FactorsPanel />}
        {section === 'account' && <AccountPanel session={session} email={email} onEmailChanged={(e) => { setEmail(e); props.onEmailChanged?.(e); }} />}
        {section === 'inbox' && <NotificationsPanel onRead={() => setRound((r) => r + 1)} />}
        {section === 'break-glass' && <BreakGlassPanel onSignedOut={onSignedOut} />}
      </div>
    </div>
  );
}
