import { useState } from 'react';
import { signOut, type SessionAnswer } from '../../api/auth.js';
import { forgetCsrfToken } from '../../api/http.js';
import { Notice } from '../../ui/notice.js';
import { hasUserKey, wipeHeldKeys } from './held-keys.js';
import { messageOf } from './messages.js';

export function SignedIn({ session, onSignedOut }: { readonly session: SessionAnswer; readonly onSignedOut: () => void }) {
  const [error, setError] = useState<string | null>(null);

  async function leave(): Promise<void> {
    try {
      await signOut();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      // Wiped whatever the server answered: this tab is done with the key either way.
      wipeHeldKeys();
      forgetCsrfToken();
    }
    onSignedOut();
  }

  return (
    <main>
      <h1>Signed in</h1>
      <p>{session.account.email ?? session.account.id}</p>
      <Notice kind="info">
        {hasUserKey() ? 'Your keys are unlocked in this tab and in this session.' : 'Your keys are locked: sign in again to unlock them.'}
      </Notice>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <p><button type="button" onClick={() => void leave()}>Sign out</button></p>
    </main>
  );
}
