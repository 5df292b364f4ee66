// The connected keys: what each may do (as last checked), who can open it, and the actions on it.
import { findExchange } from '@keyward/protocol/exchange-ids';
import { useState } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import { checkCredential, listExchanges, removeCredential, setCustody, type CredentialView, type Custody } from '../../api/credentials.js';
import { formatTime } from '../../ui/format.js';
import { LoadedView } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { reportError, useLoad } from '../../ui/use-load.js';
import { ConnectWizard } from './connect-wizard.js';
import { CustodyChooser, custodyTitle } from './custody.js';
import { PermissionList } from './permissions.js';
import { ReauthCancelled, useGuard } from '../auth/reauth.js';

export function ExchangesScreen({ session, credentials, onChanged }: {
  readonly session: SessionAnswer;
  readonly credentials: readonly CredentialView[];
  readonly onChanged: () => void;
}) {
  const [connecting, setConnecting] = useState(credentials.length === 0);
  return (
    <div className="stack">
      <div className="screen-head">
        <h1>Exchanges</h1>
        {!connecting && <button type="button" onClick={() => setConnecting(true)}>Connect an exchange</button>}
      </div>
      {connecting && (
        <ConnectWizard session={session} takenNames={credentials.map((c) => c.name)}
          onConnected={() => { setConnecting(false); onChanged(); }}
          {...(credentials.length === 0 ? {} : { onCancel: () => setConnecting(false) })} />
      )}
      {credentials.length === 0 && !connecting && <Notice kind="info">No exchange is connected yet.</Notice>}
      <ul className="card-list">
        {credentials.map((c) => <li key={c.id}><CredentialCard credential={c} onChanged={onChanged} /></li>)}
      </ul>
    </div>
  );
}

function CredentialCard({ credential, onChanged }: { readonly credential: CredentialView; readonly onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const guard = useGuard();
  const name = findExchange(credential.exchange)?.name ?? credential.exchange;

  async function act(label: string, fn: () => Promise<unknown>): Promise<void> {
    setBusy(label);
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(e instanceof ReauthCancelled ? 'Nothing changed: your password was not confirmed.' : reportError(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <article className="card" aria-labelledby={`cred-${credential.id}`}>
      <h2 id={`cred-${credential.id}`}>{credential.name} <span className="muted">· {name}</span></h2>
      <p className="muted">Fingerprint {credential.fingerprint} · connected {formatTime(credential.createdAt)}</p>
      <p><strong>Who can use it:</strong> {custodyTitle(credential.custody)}</p>
      <PermissionList check={credential.check} />
      {credential.check?.warnings.map((w) => <Notice key={w} kind="warning">{w}</Notice>)}
      {editing && <CustodyEditor credential={credential} busy={busy !== null}
        onSave={(c) => void act('custody', async () => { await guard(() => setCustody(credential.id, c)); setEditing(false); })}
        onCancel={() => setEditing(false)} />}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {confirmRemove ? (
        <div className="actions">
          <span>Remove “{credential.name}” from Keyward? Tokens that use it stop working. Also delete the key on {name}.</span>
          <button type="button" className="danger" disabled={busy !== null} onClick={() => void act('remove', () => removeCredential(credential.id))}>Remove</button>
          <button type="button" className="secondary" onClick={() => setConfirmRemove(false)}>Keep it</button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void act('check', () => checkCredential(credential.id))}>
            {busy === 'check' ? 'Checking…' : 'Check again'}
          </button>
          {!editing && <button type="button" className="secondary" onClick={() => setEditing(true)}>Change who can use it</button>}
          <button type="button" className="secondary" onClick={() => setConfirmRemove(true)}>Remove</button>
        </div>
      )}
    </article>
  );
}

function CustodyEditor({ credential, busy, onSave, onCancel }: {
  readonly credential: CredentialView;
  readonly busy: boolean;
  readonly onSave: (c: Custody) => void;
  readonly onCancel: () => void;
}) {
  const modes = useLoad(listExchanges);
  const [choice, setChoice] = useState<Custody>(credential.custody);
  return (
    <LoadedView result={modes.result} label="Loading custody modes…" onRetry={modes.reload}>
      {(answer) => (
        <div className="stack">
          <CustodyChooser modes={answer.custodyModes} value={choice} onChange={setChoice} />
          <div className="actions">
            <button type="button" disabled={busy || choice === credential.custody} onClick={() => onSave(choice)}>Save</button>
            <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
          </div>
        </div>
      )}
    </LoadedView>
  );
}
