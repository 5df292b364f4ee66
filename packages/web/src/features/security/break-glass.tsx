// Break-glass: revoke every token, wipe every unlocked key, end every session, this one too. It is
// the button to press from a phone when a key or a bot is known to be compromised, so it asks for a
// typed phrase rather than a password (the password may be what was lost), and goes back to
// sign-in when done.
import { useState, type FormEvent } from 'react';
import { breakGlass } from '../../api/security.js';
import { forgetCsrfToken } from '../../api/http.js';
import { Notice } from '../../ui/notice.js';
import { wipeHeldKeys } from '../auth/held-keys.js';
import { messageOf } from './messages.js';

export const BREAK_GLASS_PHRASE = 'BREAK GLASS';

export function BreakGlassPanel({ onSignedOut }: { readonly onSignedOut: () => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const armed = typed.trim() === BREAK_GLASS_PHRASE;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!armed) return;
    setBusy(true);
    setError(null);
    try {
      await breakGlass();
      wipeHeldKeys();
      forgetCsrfToken();
      onSignedOut();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="sc-glass-title" className="sc-glass">
      <h2 id="sc-glass-title">Break glass</h2>
      <p>For when a token, a bot or this account may be in the wrong hands. At once, and without undo:</p>
      <ul>
        <li>every token is revoked: bots are refused from their next request;</li>
        <li>every exchange key the server holds open is wiped from its memory;</li>
        <li>every session ends, this one included: you go back to sign-in.</li>
      </ul>
      <p>Your exchange keys stay stored, sealed; sign in again to issue new tokens.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Type {BREAK_GLASS_PHRASE} to confirm</span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} />
        </label>
        {error !== null && <Notice kind="error">{error}</Notice>}
        <button type="submit" className="sc-danger" disabled={!armed || busy}>{busy ? 'Breaking glass…' : 'Break glass now'}</button>
      </form>
    </section>
  );
}
