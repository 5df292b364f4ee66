// Sign up or sign in. The password is read from an uncontrolled input straight into bytes and the
// field is emptied, so it never sits in React state; the bytes are wiped when the attempt ends.
import { useRef, useState, type FormEvent } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import type { KdfProgressEvent } from '../../crypto/index.js';
import { Field } from '../../ui/field.js';
import { Notice } from '../../ui/notice.js';
import { signInAndUnlock, signUpAndUnlock, type PendingSecondFactor } from './auth-flows.js';
import { messageOf } from './messages.js';

const MIN_PASSWORD_LENGTH = 8;

interface Props {
  readonly onSession: (s: SessionAnswer) => void;
  readonly onSecondFactor: (p: PendingSecondFactor) => void;
}

export function AuthScreen({ onSession, onSecondFactor }: Props) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState<'idle' | 'deriving' | 'waiting'>('idle');
  const [error, setError] = useState<string | null>(null);
  const password = useRef<HTMLInputElement>(null);
  const repeat = useRef<HTMLInputElement>(null);

  const onProgress = (e: KdfProgressEvent): void => setBusy(e.state === 'start' ? 'deriving' : 'waiting');

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const field = password.current;
    if (field === null) return;
    if (mode === 'sign-up' && field.value !== repeat.current?.value) {
      setError('The two passwords differ.');
      return;
    }
    if (mode === 'sign-up' && [...field.value].length < MIN_PASSWORD_LENGTH) {
      setError(`Use at least ${String(MIN_PASSWORD_LENGTH)} characters.`);
      return;
    }
    const bytes = new TextEncoder().encode(field.value);
    field.value = '';
    if (repeat.current !== null) repeat.current.value = '';
    setError(null);
    setBusy('waiting');
    try {
      if (mode === 'sign-up') {
        onSession(await signUpAndUnlock(email, bytes, onProgress));
      } else {
        const r = await signInAndUnlock(email, bytes, onProgress);
        if ('factors' in r) onSecondFactor(r);
        else onSession(r);
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      bytes.fill(0);
      setBusy('idle');
    }
  }

  return (
    <main>
      <h1>{mode === 'sign-in' ? 'Sign in to Keyward' : 'Create a Keyward account'}</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="E-mail address" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" type="password" required inputRef={password} autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'} />
        {mode === 'sign-up' && <Field label="Password again" type="password" required inputRef={repeat} autoComplete="new-password" />}
        {mode === 'sign-up' && (
          <Notice kind="info">
            Your password never leaves this browser: it derives the key that opens your exchange keys. Nobody,
            including this server, can reset it for you.
          </Notice>
        )}
        {busy === 'deriving' && <Notice kind="info">Deriving your keys from the password (about a second)…</Notice>}
        {error !== null && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy !== 'idle'}>{mode === 'sign-in' ? 'Sign in' : 'Create account'}</button>
      </form>
      <p>
        <button type="button" className="link" onClick={() => { setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in'); setError(null); }}>
          {mode === 'sign-in' ? 'Create an account instead' : 'I already have an account'}
        </button>
      </p>
    </main>
  );
}
