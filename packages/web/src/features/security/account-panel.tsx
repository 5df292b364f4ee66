// The account's sign-in settings: password, e-mail address, IP allowlist. The password change
// rewraps the user key in this browser (src/crypto changePassword) with the key this tab holds; the
// server gets the new auth key and wrapped key, and ends every other session.
import { useRef, useState, type FormEvent } from 'react';
import { getSession, type SessionAnswer } from '../../api/auth.js';
import { changeEmail, changePasswordOnServer, setIpAllowlist } from '../../api/security.js';
import { changePassword, wipe } from '../../crypto/index.js';
import { Field } from '../../ui/field.js';
import { Notice } from '../../ui/notice.js';
import { hasUserKey, withUserKey } from '../auth/held-keys.js';
import { checkAllowlist, savedAllowlist } from './allowlist.js';
import { messageOf } from './messages.js';
import { useGuard } from '../auth/reauth.js';
import { useLoad } from '../../ui/use-load.js';

const MIN_PASSWORD_LENGTH = 8;

interface Props {
  readonly session: SessionAnswer;
  readonly email: string | null;
  readonly onEmailChanged: (email: string) => void;
}

export function AccountPanel({ session, email, onEmailChanged }: Props) {
  return (
    <section aria-labelledby="sc-account-title">
      <h2 id="sc-account-title">Password, e-mail and allowed addresses</h2>
      <PasswordForm session={session} />
      <EmailForm email={email} onEmailChanged={onEmailChanged} />
      <AllowlistForm />
    </section>
  );
}

function PasswordForm({ session }: { readonly session: SessionAnswer }) {
  const guard = useGuard();
  const next = useRef<HTMLInputElement>(null);
  const again = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'done'; ended: number } | { kind: 'error'; message: string }>({ kind: 'idle' });

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const a = next.current;
    const b = again.current;
    if (a === null || b === null) return;
    if (a.value !== b.value) return setState({ kind: 'error', message: 'The two passwords differ.' });
    if ([...a.value].length < MIN_PASSWORD_LENGTH) return setState({ kind: 'error', message: `Use at least ${String(MIN_PASSWORD_LENGTH)} characters.` });
    const bytes = new TextEncoder().encode(a.value);
    a.value = '';
    b.value = '';
    setState({ kind: 'busy' });
    try {
      // Derived once: if the server asks for the current password first, only the upload is retried.
      const { body } = await withUserKey((key) => changePassword(key, session.account.id, bytes, session.account.kdf));
      const r = await guard(() => changePasswordOnServer(body));
      setState({ kind: 'done', ended: r.otherSessionsEnded });
    } catch (e) {
      setState({ kind: 'error', message: messageOf(e) });
    } finally {
      wipe(bytes);
    }
  }

  return (
    <form className="sc-card" onSubmit={(e) => void submit(e)} aria-labelledby="sc-password-title">
      <h3 id="sc-password-title">Change password</h3>
      {!hasUserKey() && <Notice kind="error">Your keys are not unlocked in this tab: sign out and in again to change the password.</Notice>}
      <p>Your exchange keys stay as they are; only the key that opens them is wrapped again. Every other session is signed out.</p>
      <Field label="New password" type="password" autoComplete="new-password" required inputRef={next} />
      <Field label="New password again" type="password" autoComplete="new-password" required inputRef={again} />
      {state.kind === 'busy' && <Notice kind="info">Deriving keys from the new password…</Notice>}
      {state.kind === 'done' && <Notice kind="info">Password changed. {state.ended} other sessions were signed out.</Notice>}
      {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
      <button type="submit" disabled={state.kind === 'busy' || !hasUserKey()}>Change password</button>
    </form>
  );
}

function EmailForm({ email, onEmailChanged }: { readonly email: string | null; readonly onEmailChanged: (e: string) => void }) {
  const guard = useGuard();
  const [value, setValue] = useState(email ?? '');
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'done' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setState({ kind: 'busy' });
    try {
      const r = await guard(() => changeEmail(value.trim()));
      onEmailChanged(r.email);
      setState({ kind: 'done' });
    } catch (e) {
      setState({ kind: 'error', message: messageOf(e) });
    }
  }
  return (
    <form className="sc-card" onSubmit={(e) => void submit(e)} aria-labelledby="sc-email-title">
      <h3 id="sc-email-title">E-mail address</h3>
      <p>You sign in with it and notices go to it. The old address is told about the change.</p>
      <Field label="E-mail address" type="email" autoComplete="email" required value={value} onChange={(e) => setValue(e.target.value)} />
      {state.kind === 'done' && <Notice kind="info">E-mail address changed.</Notice>}
      {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
      <button type="submit" disabled={state.kind === 'busy' || value.trim() === (email ?? '')}>Change e-mail address</button>
    </form>
  );
}

// GET /session answers what is saved and the address the server sees this browser at (the one it
// checks the list against), so the editor starts from the truth rather than from an empty field.
const loadAllowlist = async (): Promise<{ address: string; saved: readonly string[] | null }> => {
  const s = await getSession();
  return { address: s.address, saved: s.ipAllowlist };
};

function AllowlistForm() {
  const guard = useGuard();
  const { result, reload } = useLoad(loadAllowlist);
  const loaded = result.state === 'ready' ? result.data : null;
  return loaded === null
    ? (
      <div className="sc-card">
        <h3>IP allowlist</h3>
        {result.state === 'error'
          ? <Notice kind="error">{result.message} <button type="button" className="link" onClick={reload}>Try again</button></Notice>
          : <p role="status">Loading the saved list…</p>}
      </div>
    )
    : <AllowlistEditor key={(loaded.saved ?? []).join(',')} address={loaded.address} saved={loaded.saved} guard={guard} onSaved={reload} />;
}

function AllowlistEditor({ address, saved, guard, onSaved }: {
  readonly address: string;
  readonly saved: readonly string[] | null;
  readonly guard: ReturnType<typeof useGuard>;
  readonly onSaved: () => void;
}) {
  const start = savedAllowlist(saved, address);
  const [text, setText] = useState(start.text);
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const check = checkAllowlist(text, address);

  async function save(cidrs: string[] | null): Promise<void> {
    setState({ kind: 'busy' });
    try {
      await guard(() => setIpAllowlist(cidrs));
      onSaved();
    } catch (e) {
      setState({ kind: 'error', message: messageOf(e) });
    }
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (check.errors.length > 0) return setState({ kind: 'error', message: check.errors.join('; ') });
    void save(check.cidrs);
  }

  return (
    <form className="sc-card" onSubmit={submit} aria-labelledby="sc-allow-title">
      <h3 id="sc-allow-title">IP allowlist</h3>
      <p>Only these addresses may sign in or use this app. Saving replaces the whole list.</p>
      <p data-testid="allowlist-saved">
        {start.entries.length === 0 ? 'Saved now: no list, so any address may sign in.' : `Saved now: ${start.entries.join(', ')}.`}
      </p>
      <Notice kind="info">You are connecting from {address}. It must stay on the list, or you are locked out at once.</Notice>
      {!start.coversAddress && (
        <Notice kind="warning">
          {address} is not on the saved list. The server let this request through, so it sees you at another address than the one checked, or
          the list changed since; save a list that includes {address}.
        </Notice>
      )}
      <label className="field">
        <span>Allowed addresses and CIDRs</span>
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder={address} spellCheck={false} aria-describedby="sc-allow-hint" />
        <small id="sc-allow-hint">One per line or separated by commas.</small>
      </label>
      {check.coversCurrent === false && <Notice kind="error">{address} is not on this list: the server will refuse it, because it would lock you out.</Notice>}
      {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
      <div className="sc-row">
        <button type="submit" disabled={state.kind === 'busy' || check.cidrs === null || check.coversCurrent === false}>Save allowlist</button>
        <button type="button" className="sc-secondary" disabled={state.kind === 'busy' || saved === null} onClick={() => void save(null)}>Allow any address</button>
      </div>
    </form>
  );
}
