// The second step of a sign-in: a code from the authenticator app, a passkey, or a recovery code,
// whichever the account has (second-factors.ts orders them). A passkey answers a challenge the
// server binds to this sign-in's ticket.
import { useState, type FormEvent } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import { Field } from '../../ui/field.js';
import { Notice } from '../../ui/notice.js';
import { hasWebAuthn } from '../../webauthn/index.js';
import type { PendingSecondFactor } from './auth-flows.js';
import { messageOf } from './messages.js';
import { codeFactor, FACTOR_LINKS, factorKinds, firstKind, type FactorKind } from './second-factors.js';

interface Props {
  readonly pending: PendingSecondFactor;
  readonly onSession: (s: SessionAnswer) => void;
  readonly onCancel: () => void;
}

export function SecondFactorForm({ pending, onSession, onCancel }: Props) {
  const kinds = factorKinds(pending.factors);
  const [kind, setKind] = useState<FactorKind>(firstKind(kinds, hasWebAuthn()) ?? 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function attempt(finish: () => Promise<SessionAnswer>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      onSession(await finish());
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setCode('');
      setBusy(false);
    }
  }

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (kind === 'passkey') void attempt(() => pending.completeWithPasskey());
    else void attempt(() => pending.complete(codeFactor(kind, code)));
  }

  return (
    <main>
      <h1>Second step</h1>
      <form onSubmit={submit}>
        {kind === 'passkey' ? (
          hasWebAuthn()
            ? <p>Your browser will ask for your passkey (fingerprint, face, PIN or security key).</p>
            : <Notice kind="error">This browser cannot use passkeys. Use another way below.</Notice>
        ) : (
          <Field
            label={kind === 'totp' ? 'Code from your authenticator app' : 'One of your recovery codes'}
            autoComplete="one-time-code" inputMode={kind === 'totp' ? 'numeric' : 'text'} required autoFocus
            value={code} onChange={(e) => setCode(e.target.value)}
          />
        )}
        {busy && kind === 'passkey' && <Notice kind="info">Waiting for your passkey…</Notice>}
        {error !== null && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy || (kind === 'passkey' && !hasWebAuthn())}>{kind === 'passkey' ? FACTOR_LINKS.passkey : 'Continue'}</button>
      </form>
      <p className="actions">
        {kinds.filter((k) => k !== kind).map((k) => (
          <button key={k} type="button" className="link" onClick={() => { setKind(k); setError(null); setCode(''); }}>{FACTOR_LINKS[k]}</button>
        ))}
        <button type="button" className="link" onClick={() => { pending.cancel(); onCancel(); }}>Cancel</button>
      </p>
    </main>
  );
}
