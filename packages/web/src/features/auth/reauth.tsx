// Sensitive changes ("fresh" routes: custody, second factors, tokens, password, e-mail, allowlist)
// answer 403 KW_REAUTH_REQUIRED until the password was confirmed in the last five minutes. One
// provider serves every screen: `useGuard()` wraps such a call; on that answer it asks for the
// password and the account's second factor (an app code, a passkey or a recovery code), derives
// the auth key here (the password never leaves the browser), POSTs /session/reauth, and runs the
// call once more. The password is read from an uncontrolled field into bytes and wiped, as at
// sign-in; the encryption key derived with it is wiped unused.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { prelogin, reauthenticate, reauthPasskeyOptions, type SecondFactor } from '../../api/auth.js';
import { ApiError } from '../../api/http.js';
import { listSecondFactors } from '../../api/security.js';
import { deriveSignIn, wipe, type KdfProgressEvent } from '../../crypto/index.js';
import { Dialog } from '../../ui/dialog.js';
import { Field } from '../../ui/field.js';
import { Spinner } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { getPasskeyAssertion, hasWebAuthn } from '../../webauthn/index.js';
import { messageOf } from './messages.js';
import { codeFactor, FACTOR_LINKS, factorKinds, firstKind, type FactorKind } from './second-factors.js';

export type Guard = <T>(call: () => Promise<T>) => Promise<T>;

/** The person closed the password prompt: the change was not made, and nothing went wrong. */
export class ReauthCancelled extends Error {
  constructor() {
    super('Not changed: this change needs your password.');
    this.name = 'ReauthCancelled';
  }
}

export const isReauthRequired = (e: unknown): boolean => e instanceof ApiError && e.code === 'KW_REAUTH_REQUIRED';

// Without a provider a guarded call simply runs: its KW_REAUTH_REQUIRED reaches the caller.
const GuardContext = createContext<Guard>((call) => call());

export const useGuard = (): Guard => useContext(GuardContext);

interface Waiting { resolve(): void; reject(e: Error): void }

export function ReauthProvider({ email, children }: { readonly email: string | null; readonly children: ReactNode }) {
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  // Two calls refused at once share one prompt.
  const asking = useRef<Promise<void> | null>(null);
  const guard = useCallback<Guard>(async (call) => {
    try {
      return await call();
    } catch (e) {
      if (!isReauthRequired(e)) throw e;
      asking.current ??= new Promise<void>((resolve, reject) => setWaiting({ resolve, reject })).finally(() => { asking.current = null; });
      await asking.current;
      return call();
    }
  }, []);
  return (
    <GuardContext.Provider value={guard}>
      {children}
      {waiting !== null && (
        <Dialog title="Confirm it is you" open onClose={() => { waiting.reject(new ReauthCancelled()); setWaiting(null); }}>
          <ReauthForm
            email={email}
            onDone={() => { waiting.resolve(); setWaiting(null); }}
            onCancel={() => { waiting.reject(new ReauthCancelled()); setWaiting(null); }}
          />
        </Dialog>
      )}
    </GuardContext.Provider>
  );
}

function ReauthForm({ email, onDone, onCancel }: { readonly email: string | null; readonly onDone: () => void; readonly onCancel: () => void }) {
  const password = useRef<HTMLInputElement>(null);
  const [kinds, setKinds] = useState<readonly FactorKind[] | null>(null);
  const [kind, setKind] = useState<FactorKind | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<'idle' | 'deriving' | 'waiting' | 'passkey'>('idle');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const choose = (k: readonly FactorKind[]): void => {
      if (!live) return;
      setKinds(k);
      setKind(firstKind(k, hasWebAuthn()));
    };
    // Unknown (the list failed): offer every kind; the server refuses one the account lacks.
    listSecondFactors().then((f) => choose(factorKinds(f)), () => choose(['totp', 'passkey', 'recovery']));
    return () => { live = false; };
  }, []);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const field = password.current;
    if (field === null || email === null || kinds === null) return;
    const bytes = new TextEncoder().encode(field.value);
    field.value = '';
    setBusy('waiting');
    setError(null);
    try {
      const onProgress = (e: KdfProgressEvent): void => setBusy(e.state === 'start' ? 'deriving' : 'waiting');
      const keys = await deriveSignIn(bytes, await prelogin(email), { onProgress });
      wipe(keys.encryptionKey);
      let factor: SecondFactor | Record<string, never> = {};
      if (kind === 'totp' || kind === 'recovery') factor = codeFactor(kind, code);
      else if (kind === 'passkey') {
        setBusy('passkey');
        factor = { passkey: await getPasskeyAssertion(await reauthPasskeyOptions()) };
      }
      await reauthenticate(keys.authKey, factor);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'KW_AUTH_FAILED' ? 'That password or second factor is not right.' : messageOf(e));
    } finally {
      wipe(bytes);
      setCode('');
      setBusy('idle');
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="stack">
      <p>
        This change needs your password again{kind === null ? '' : ' and your second factor'}. The password stays in this browser: only a
        proof of it is sent.
      </p>
      {email === null && <Notice kind="error">This account has no e-mail address to confirm with.</Notice>}
      <Field label="Your password" type="password" autoComplete="current-password" required autoFocus inputRef={password} />
      {(kind === 'totp' || kind === 'recovery') && (
        <Field
          label={kind === 'totp' ? 'Code from your authenticator app' : 'One of your recovery codes'}
          autoComplete="one-time-code" inputMode={kind === 'totp' ? 'numeric' : 'text'} required
          value={code} onChange={(e) => setCode(e.target.value)}
        />
      )}
      {kind === 'passkey' && !hasWebAuthn() && <Notice kind="error">This browser cannot use passkeys; use another second factor.</Notice>}
      {kind === 'passkey' && hasWebAuthn() && <Notice kind="info">After the password, your browser asks for your passkey.</Notice>}
      {kinds === null && <p className="loading" role="status"><Spinner /> Loading your second factors…</p>}
      {busy === 'deriving' && <p className="loading" role="status"><Spinner /> Checking your password (about a second)…</p>}
      {busy === 'passkey' && <p className="loading" role="status"><Spinner /> Waiting for your passkey…</p>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button type="submit" disabled={busy !== 'idle' || kinds === null || email === null}>Confirm</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
      {kinds !== null && kinds.length > 1 && (
        <p className="actions">
          {kinds.filter((k) => k !== kind).map((k) => (
            <button key={k} type="button" className="link" onClick={() => { setKind(k); setError(null); }}>{FACTOR_LINKS[k]}</button>
          ))}
        </p>
      )}
    </form>
  );
}
