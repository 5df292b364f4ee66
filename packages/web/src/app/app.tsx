// The app: sign up or sign in (with a second factor when the account has one), then the signed-in
// shell (shell.tsx).
import { useCallback, useState } from 'react';
import type { SessionAnswer } from '../api/auth.js';
import type { PendingSecondFactor } from '../features/auth/auth-flows.js';
import { AuthScreen } from '../features/auth/auth-screen.js';
import { SecondFactorForm } from '../features/auth/second-factor-form.js';
import { Notice } from '../ui/notice.js';
import { Shell } from './shell.js';

type Screen =
  | { readonly name: 'auth'; readonly notice?: string }
  | { readonly name: 'second-factor'; readonly pending: PendingSecondFactor }
  | { readonly name: 'signed-in'; readonly session: SessionAnswer };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'auth' });
  const toSession = (session: SessionAnswer): void => setScreen({ name: 'signed-in', session });
  const toAuth = useCallback((notice?: string): void => setScreen(notice === undefined ? { name: 'auth' } : { name: 'auth', notice }), []);

  switch (screen.name) {
    case 'auth':
      return (
        <>
          {screen.notice !== undefined && <div className="banner"><Notice kind="info">{screen.notice}</Notice></div>}
          <AuthScreen onSession={toSession} onSecondFactor={(pending) => setScreen({ name: 'second-factor', pending })} />
        </>
      );
    case 'second-factor':
      return <SecondFactorForm pending={screen.pending} onSession={toSession} onCancel={() => toAuth()} />;
    case 'signed-in':
      return <Shell session={screen.session} onSignedOut={toAuth} />;
  }
}
