// The signed-in app: a header with the account and sign-out, the navigation (a bottom bar on a
// phone), and one screen. While no exchange is connected, Portfolio and Trade give way to the
// welcome path.
import { useEffect, useRef, useState } from 'react';
import { signOut, type SessionAnswer } from '../api/auth.js';
import { listCredentials } from '../api/credentials.js';
import { forgetCsrfToken } from '../api/http.js';
import { wipeHeldKeys } from '../features/auth/held-keys.js';
import { ReauthProvider } from '../features/auth/reauth.js';
import { ExchangesScreen } from '../features/exchanges/exchanges-screen.js';
import { Welcome } from '../features/onboarding/welcome.js';
import { clearSnapshots } from '../features/portfolio/history.js';
import { PortfolioScreen } from '../features/portfolio/portfolio-screen.js';
import { SecurityCentre } from '../features/security/security-centre.js';
import { TradeScreen } from '../features/trade/trade-screen.js';
import { Icon } from '../ui/icons.js';
import { LoadedView } from '../ui/loading.js';
import { Notice } from '../ui/notice.js';
import { reportError, setSessionLostHandler, useLoad } from '../ui/use-load.js';
import { ROUTE_LABELS, ROUTES, useRoute, type Route } from './routes.js';

/** This tab forgets everything it held for the session: the user key, the CSRF token, the snapshots. */
export function forgetSession(): void {
  wipeHeldKeys();
  forgetCsrfToken();
  clearSnapshots();
}

export function Shell({ session, onSignedOut }: { readonly session: SessionAnswer; readonly onSignedOut: (notice?: string) => void }) {
  const [route, go] = useRoute();
  const [round, setRound] = useState(0);
  const credentials = useLoad(listCredentials, String(round));
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The address re-authentication derives from; the Security centre can change it.
  const [email, setEmail] = useState(session.account.email);
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    setSessionLostHandler(() => { forgetSession(); onSignedOut('Your session has ended. Sign in again to continue.'); });
    return () => setSessionLostHandler(null);
  }, [onSignedOut]);

  // Keyboard and screen-reader users land on the new screen, not on the link they left.
  useEffect(() => {
    if (firstRender.current) { firstRender.current = false; return; }
    main.current?.focus();
  }, [route]);

  async function leave(): Promise<void> {
    setLeaving(true);
    try {
      await signOut();
    } catch (e) {
      setError(reportError(e));
    } finally {
      // Wiped whatever the server answered: this tab is done with the key either way.
      forgetSession();
    }
    onSignedOut();
  }

  const list = credentials.result.state === 'ready' ? credentials.result.data.credentials : null;
  const current: Route = route ?? 'portfolio';
  const welcome = list !== null && list.length === 0 && (current === 'portfolio' || current === 'trade');

  return (
    <ReauthProvider email={email}>
      <div className="shell">
        {/* Screens live in the URL's hash, so the link moves focus itself rather than the hash. */}
        <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
        <header className="topbar">
          <span className="brand">Keyward</span>
          <nav aria-label="Main" className="nav">
            <ul>
              {ROUTES.map((r) => (
                <li key={r}>
                  <a href={`#/${r}`} aria-current={r === current ? 'page' : undefined} onClick={(e) => { e.preventDefault(); go(r); }}>
                    <span className="nav-icon"><Icon name={r} /></span>
                    <span className="nav-label">{ROUTE_LABELS[r]}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <span className="account-name" title={email ?? session.account.id}>{email ?? session.account.id}</span>
            <button type="button" className="secondary small" onClick={() => void leave()} disabled={leaving}>{leaving ? 'Signing out…' : 'Sign out'}</button>
          </div>
        </header>
        <main id="main" ref={main} tabIndex={-1} className="content">
          {error !== null && <Notice kind="error">{error}</Notice>}
          {current === 'security' ? (
            <SecurityCentre session={session} onEmailChanged={setEmail} onSignedOut={() => { forgetSession(); onSignedOut(); }} />
          ) : (
            <LoadedView result={credentials.result} label="Loading your exchanges…" onRetry={credentials.reload}>
              {({ credentials: creds }) => {
                if (welcome) return <Welcome session={session} onConnected={() => { setRound((r) => r + 1); go('portfolio'); }} onSecurity={() => go('security')} />;
                switch (current) {
                  case 'portfolio': return <PortfolioScreen onTrade={() => go('trade')} />;
                  case 'trade': return <TradeScreen credentials={creds} />;
                  case 'exchanges': return <ExchangesScreen session={session} credentials={creds} onChanged={() => setRound((r) => r + 1)} />;
                }
              }}
            </LoadedView>
          )}
        </main>
      </div>
    </ReauthProvider>
  );
}
