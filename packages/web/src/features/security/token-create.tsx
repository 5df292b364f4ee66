// Issue a token. Its value is shown here once, with a copy button and a warning, and dropped from
// the page when the person says it is saved: the server keeps only a keyed hash of it.
import { useState, type FormEvent } from 'react';
import { issueToken, type CredentialSummary, type IssuedToken, type TokenView } from '../../api/security.js';
import { Field } from '../../ui/field.js';
import { BotSnippet } from './bot-usage.js';
import { Notice } from '../../ui/notice.js';
import { messageOf } from './messages.js';
import { PolicyFields } from './policy-fields.js';
import { EMPTY_TOKEN_FORM, formFromPolicy, tokenFromForm, type TokenFormValues } from './policy-form.js';
import { describePolicy } from './policy-words.js';
import { useGuard } from '../auth/reauth.js';

interface Props {
  readonly credentials: readonly CredentialSummary[];
  /** A child narrows this token; its credential is fixed. */
  readonly parent: TokenView | null;
  readonly onIssued: () => void;
  readonly onClose: () => void;
}

export function TokenCreate({ credentials, parent, onIssued, onClose }: Props) {
  const guard = useGuard();
  const start: TokenFormValues = parent === null || parent.policy === 'root'
    ? { ...EMPTY_TOKEN_FORM, credential: credentials.length === 1 ? credentials[0]?.name ?? '' : '' }
    : { ...EMPTY_TOKEN_FORM, ...formFromPolicy(parent.policy) };
  const [values, setValues] = useState<TokenFormValues>(start);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedToken | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const t = tokenFromForm(values);
    if ('errors' in t) {
      setErrors(t.errors);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      setIssued(await guard(() => issueToken({ ...t, ...(parent === null ? {} : { parent: parent.accessor }) })));
      onIssued();
    } catch (e) {
      setErrors([messageOf(e)]);
    } finally {
      setBusy(false);
    }
  }

  if (issued !== null) {
    const credential = issued.policy === 'root' ? undefined : issued.policy.credential;
    const exchange = credentials.find((c) => c.name === credential)?.exchange ?? null;
    return <ShowOnce issued={issued} exchange={exchange} onDone={onClose} />;
  }

  return (
    <form className="sc-card" onSubmit={(e) => void submit(e)} aria-labelledby="token-create-title">
      <h3 id="token-create-title">{parent === null ? 'New token' : `New token under “${parent.label}”`}</h3>
      {parent !== null && <p>A child token can only narrow its parent’s policy.</p>}
      <Field label="Token name" required value={values.label} onChange={(e) => setValues({ ...values, label: e.target.value })} placeholder="e.g. grid bot" />
      <PolicyFields values={values} onChange={setValues} credentials={parent === null ? credentials : null} idPrefix="create" />
      <Field label="Lifetime (hours)" inputMode="decimal" value={values.ttlHours} onChange={(e) => setValues({ ...values, ttlHours: e.target.value })} aria-describedby="create-ttl-hint" />
      <small id="create-ttl-hint">Empty: the token does not expire.</small>
      <Field label="Uses" inputMode="numeric" value={values.uses} onChange={(e) => setValues({ ...values, uses: e.target.value })} aria-describedby="create-uses-hint" />
      <small id="create-uses-hint">How many requests it may make. Empty: unlimited.</small>
      {errors.length > 0 && <Notice kind="error">{errors.join('; ')}</Notice>}
      <div className="sc-row">
        <button type="submit" disabled={busy}>{busy ? 'Issuing…' : 'Issue token'}</button>
        <button type="button" className="sc-secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

function ShowOnce({ issued, exchange, onDone }: { readonly issued: IssuedToken; readonly exchange: string | null; readonly onDone: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <section className="sc-card sc-once" aria-labelledby="token-once-title">
      <h3 id="token-once-title">Token “{issued.label}” issued</h3>
      <Notice kind="error">
        Copy this token now. It is shown only this once; Keyward keeps only a hash of it. Anyone holding it can act within its policy.
      </Notice>
      <label className="field">
        <span>Your new token</span>
        <input readOnly value={issued.token} className="sc-mono" onFocus={(e) => e.target.select()} spellCheck={false} />
      </label>
      <div className="sc-row">
        <button type="button" onClick={() => void copy()}>Copy token</button>
        <button type="button" className="sc-secondary" onClick={onDone}>I have saved it</button>
      </div>
      {copied === 'yes' && <Notice kind="info">Copied to the clipboard.</Notice>}
      {copied === 'failed' && <Notice kind="error">The browser refused the clipboard; select the token and copy it by hand.</Notice>}
      {exchange !== null && <BotSnippet exchange={exchange} />}
      {issued.policy !== 'root' && <ul className="sc-words">{describePolicy(issued.policy).map((l) => <li key={l}>{l}</li>)}</ul>}
    </section>
  );
}
