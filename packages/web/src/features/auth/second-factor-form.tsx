import { useState, type FormEvent } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import { Field } from '../../ui/field.js';
import { Notice } from '../../ui/notice.js';
import type { PendingSecondFactor } from './auth-flows.js';
import { messageOf } from './messages.js';

interface Props {
  readonly pending: PendingSecondFactor;
  readonly onSession: (s: SessionAnswer) => void;
  readonly onCancel: () => void;
}

export function SecondFactorForm({ pending, onSession, onCancel }: Props) {
  const [kind, setKind] = useState<'totp' | 'recovery'>(pending.factors.includes('totp') ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSession(await pending.complete(kind === 'totp' ? { totp: code.trim() } : { recoveryCode: code.trim() }));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setCode('');
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>Second step</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field
          label={kind === 'totp' ? 'Code from your authenticator app' : 'One of your recovery codes'}
          autoComplete="one-time-code" inputMode={kind === 'totp' ? 'numeric' : 'text'} required autoFocus
          value={code} onChange={(e) => setCode(e.target.value)}
        />
        {error !== null && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>Continue</button>
      </form>
      <p>
        {pending.factors.includes('recovery') && kind === 'totp' && (
          <button type="button" className="link" onClick={() => setKind('recovery')}>Use a recovery code</button>
        )}{' '}
        <button type="button" className="link" onClick={() => { pending.cancel(); onCancel(); }}>Cancel</button>
      </p>
    </main>
  );
}
