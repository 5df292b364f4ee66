// The app shell. For now one flow: sign up or sign in (with a second factor when the account has
// one), then an unlocked session. Exchanges, portfolio, trading and the security centre come next.
import { useState } from 'react';
import type { SessionAnswer } from '../api/auth.js';
import type { PendingSecondFactor } from '../features/auth/auth-flows.js';
import { AuthScreen } from '../features/auth/auth-screen.js';
import { SecondFactorForm } from '../features/auth/second-factor-form.js';
import { SignedIn } from '../features/auth/signed-in.js';

type Screen =
  | { readonly name: 'auth' }
  | { readonly name: 'second-factor'; readonly pending: PendingSecondFactor }
  | { readonly name: 'signed-in'; readonly session: SessionAnswer };

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'auth' });
  const toSession = (session: SessionAnswer): void => setScreen({ name: 'signed-in', session });
  const toAuth = (): void => setScreen({ name: 'auth' });

  switch (screen.name) {
    case 'auth':
      return <AuthScreen onSession={toSession} onSecondFactor={(pending) => setScreen({ name: 'second-factor', pending })} />;
    case 'second-factor':
      return <SecondFactorForm pending={screen.pending} onSession={toSession} onCancel={toAuth} />;
    case 'signed-in':
      return <SignedIn session={screen.session} onSignedOut={toAuth} />;
  }
}
