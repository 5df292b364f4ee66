// Second factors: an authenticator app (TOTP), passkeys, recovery codes. Every change here needs a
// fresh password confirmation (the guard asks). Recovery codes are shown once, behind a step that
// asks the person to confirm they saved them.
import { useState, type FormEvent } from 'react';
import { addPasskey, confirmTotp, listSecondFactors, passkeyRegistrationOptions, removeSecondFactor, replaceRecoveryCodes, startTotp, type FactorView } from '../../api/security.js';
import { Field } from '../../ui/field.js';
import { Notice } from '../../ui/notice.js';
import { messageOf } from './messages.js';
import { formatTime } from './policy-words.js';
import { useGuard } from '../auth/reauth.js';
import { useLoad } from '../../ui/use-load.js';
import { createPasskey, hasWebAuthn } from '../../webauthn/index.js';

/** The QR code is an SVG string from our own server; as an <img> it cannot run script (no innerHTML). */
export const svgDataUrl = (svg: string): string => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** The base32 secret inside an otpauth:// URI, grouped by four for typing by hand. */
export function manualKeyOf(uri: string): string {
  try {
    return (new URL(uri).searchParams.get('secret') ?? '').replace(/(.{4})(?=.)/g, '$1 ');
  } catch {
    return '';
  }
}

export function FactorsPanel() {
  const guard = useGuard();
  const { result, reload } = useLoad(listSecondFactors);
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState<'none' | 'totp' | 'passkey'>('none');
  const [confirmRemove, setConfirmRemove] = useState<FactorView | null>(null);

  async function act(call: () => Promise<unknown>): Promise<void> {
    setError(null);
    try {
      await guard(call);
    } catch (e) {
      setError(messageOf(e));
    }
    reload();
  }

  if (codes !== null) return <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />;

  return (
    <section aria-labelledby="sc-factors-title">
      <h2 id="sc-factors-title">Second factors</h2>
      {result.state === 'loading' && <p role="status">Loading second factors…</p>}
      {result.state === 'error' && <Notice kind="error">{result.message}</Notice>}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {result.state === 'ready' && (
        <>
          {result.data.totp.length + result.data.passkeys.length === 0 && (
            <Notice kind="info">Only your password protects this account. Add an authenticator app or a passkey.</Notice>
          )}
          <h3>Authenticator apps</h3>
          <FactorList factors={result.data.totp} onRemove={setConfirmRemove} />
          <h3>Passkeys</h3>
          <FactorList factors={result.data.passkeys} onRemove={setConfirmRemove} />
          {confirmRemove !== null && (
            <div className="sc-confirm" role="alertdialog" aria-labelledby="sc-remove-factor">
              <p id="sc-remove-factor">
                Remove “{confirmRemove.label}”?{result.data.totp.length + result.data.passkeys.length === 1 ? ' It is your last second factor: your recovery codes go with it.' : ''}
              </p>
              <div className="sc-row">
                <button type="button" className="sc-danger" onClick={() => { const f = confirmRemove; setConfirmRemove(null); void act(() => removeSecondFactor(f.id)); }}>Yes, remove</button>
                <button type="button" className="sc-secondary" onClick={() => setConfirmRemove(null)}>Keep it</button>
              </div>
            </div>
          )}
          <div className="sc-row">
            <button type="button" onClick={() => setAdding('totp')} disabled={adding !== 'none'}>Add an authenticator app</button>
            <button type="button" onClick={() => setAdding('passkey')} disabled={adding !== 'none'}>Add a passkey</button>
          </div>
          {adding === 'totp' && <TotpEnrolment onDone={(c) => { setAdding('none'); reload(); if (c !== null) setCodes(c); }} onCancel={() => setAdding('none')} />}
          {adding === 'passkey' && <PasskeyEnrolment onDone={(c) => { setAdding('none'); reload(); if (c !== null) setCodes(c); }} onCancel={() => setAdding('none')} />}
          <h3>Recovery codes</h3>
          <p>{result.data.recoveryCodesLeft === 0 ? 'None: they come with your first second factor.' : `${String(result.data.recoveryCodesLeft)} unused recovery codes left.`}</p>
          {result.data.totp.length + result.data.passkeys.length > 0 && (
            <button type="button" className="sc-secondary" onClick={() => void act(async () => setCodes((await replaceRecoveryCodes()).recoveryCodes))}>
              Make new recovery codes (the old ones stop working)
            </button>
          )}
        </>
      )}
    </section>
  );
}

function FactorList({ factors, onRemove }: { readonly factors: readonly FactorView[]; readonly onRemove: (f: FactorView) => void }) {
  if (factors.length === 0) return <p className="sc-muted">None.</p>;
  return (
    <ul className="sc-list">
      {factors.map((f) => (
        <li key={f.id} className="sc-row">
          <span><strong>{f.label}</strong> <span className="sc-muted">added {formatTime(f.createdAt)}{f.usedAt === null ? '' : `, last used ${formatTime(f.usedAt)}`}</span></span>
          <button type="button" className="sc-secondary" onClick={() => onRemove(f)} aria-label={`Remove ${f.label}`}>Remove</button>
        </li>
      ))}
    </ul>
  );
}

function TotpEnrolment({ onDone, onCancel }: { readonly onDone: (codes: readonly string[] | null) => void; readonly onCancel: () => void }) {
  const guard = useGuard();
  const [setup, setSetup] = useState<{ otpauthUri: string; qrSvg: string } | null>(null);
  const [label, setLabel] = useState('Authenticator app');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function begin(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      setSetup(await guard(startTotp));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await guard(() => confirmTotp(code.trim(), label.trim() || 'Authenticator app'));
      onDone(r.recoveryCodes);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  if (setup === null) {
    return (
      <div className="sc-card">
        <p>You will scan a QR code with an authenticator app, then type the code it shows.</p>
        {error !== null && <Notice kind="error">{error}</Notice>}
        <div className="sc-row">
          <button type="button" disabled={busy} onClick={() => void begin()}>{busy ? 'Starting…' : 'Show the QR code'}</button>
          <button type="button" className="sc-secondary" onClick={onCancel}>Cancel</button>
        </div>
      </div>
    );
  }
  return (
    <form className="sc-card" onSubmit={(e) => void confirm(e)} aria-labelledby="sc-totp-title">
      <h3 id="sc-totp-title">Scan this with your authenticator app</h3>
      <img className="sc-qr" src={svgDataUrl(setup.qrSvg)} alt="QR code of the authenticator setup link" width={220} height={220} />
      <details>
        <summary>Cannot scan? Enter the key by hand</summary>
        <p className="sc-mono">{manualKeyOf(setup.otpauthUri)}</p>
        <label className="field">
          <span>Setup link (otpauth URI)</span>
          <input readOnly value={setup.otpauthUri} className="sc-mono" spellCheck={false} />
        </label>
      </details>
      <Field label="Name for this authenticator" value={label} onChange={(e) => setLabel(e.target.value)} />
      <Field label="Code from the app" autoComplete="one-time-code" inputMode="numeric" required value={code} onChange={(e) => setCode(e.target.value)} />
      {error !== null && <Notice kind="error">{error}</Notice>}
      <div className="sc-row">
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Turn on'}</button>
        <button type="button" className="sc-secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function PasskeyEnrolment({ onDone, onCancel }: { readonly onDone: (codes: readonly string[] | null) => void; readonly onCancel: () => void }) {
  const guard = useGuard();
  const [label, setLabel] = useState('Passkey');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const options = await guard(passkeyRegistrationOptions);
      const response = await createPasskey(options);
      const r = await guard(() => addPasskey(label.trim() || 'Passkey', response));
      onDone(r.recoveryCodes);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  if (!hasWebAuthn()) {
    return (
      <div className="sc-card">
        <Notice kind="error">This browser has no WebAuthn, so it cannot make a passkey. Try a current browser, or add an authenticator app.</Notice>
        <button type="button" className="sc-secondary" onClick={onCancel}>Close</button>
      </div>
    );
  }
  return (
    <form className="sc-card" onSubmit={(e) => void add(e)}>
      <Field label="Name for this passkey" value={label} onChange={(e) => setLabel(e.target.value)} />
      <p>Your browser will ask you to create the passkey (fingerprint, face, PIN or security key).</p>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <div className="sc-row">
        <button type="submit" disabled={busy}>{busy ? 'Waiting for the passkey…' : 'Create passkey'}</button>
        <button type="button" className="sc-secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { readonly codes: readonly string[]; readonly onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <section className="sc-card sc-once" aria-labelledby="sc-codes-title">
      <h2 id="sc-codes-title">Save your recovery codes</h2>
      <Notice kind="error">
        These are shown only now. Each code signs you in once if you lose your authenticator or passkey. Keep them somewhere safe, away from this device.
      </Notice>
      <ol className="sc-codes sc-mono" aria-label="Recovery codes">{codes.map((c) => <li key={c}>{c}</li>)}</ol>
      <div className="sc-row">
        <button type="button" className="sc-secondary" onClick={() => { navigator.clipboard.writeText(codes.join('\n')).then(() => setCopied(true), () => setCopied(false)); }}>Copy codes</button>
        {copied && <span role="status">Copied.</span>}
      </div>
      <label className="sc-check"><input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> I have saved these codes</label>
      <button type="button" disabled={!saved} onClick={onDone}>Done</button>
    </section>
  );
}
