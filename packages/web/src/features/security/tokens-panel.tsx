// The token tree: each token's policy in plain words, its access log, and narrow / add a child /
// revoke (with everything under it). Revoked and expired tokens stay listed, marked, behind a
// toggle. The audit chain's verification status heads the panel.
import { useState, type FormEvent } from 'react';
import { auditStatus, changeTokenPolicy, listCredentials, listTokens, revokeToken, type TokenView } from '../../api/security.js';
import { Notice } from '../../ui/notice.js';
import { AccessLog } from './access-log.js';
import { BotSnippet } from './bot-usage.js';
import { messageOf } from './messages.js';
import { PolicyFields } from './policy-fields.js';
import { formFromPolicy, policyFromForm, type PolicyFormValues } from './policy-form.js';
import { describePolicy, describeTokenLimits } from './policy-words.js';
import { useGuard } from '../auth/reauth.js';
import { TokenCreate } from './token-create.js';
import { buildTokenTree, liveInSubtree, type TokenNode } from './token-tree.js';
import { useLoad } from '../../ui/use-load.js';

const loadTokens = async () => {
  const [t, c] = await Promise.all([listTokens(), listCredentials()]);
  return { tokens: t.tokens, credentials: c.credentials };
};

export function TokensPanel() {
  const { result, reload } = useLoad(loadTokens);
  const [creating, setCreating] = useState<{ parent: TokenView | null } | null>(null);
  const [showEnded, setShowEnded] = useState(false);

  return (
    <section aria-labelledby="sc-tokens-title">
      <h2 id="sc-tokens-title">Tokens</h2>
      <AuditStatusLine />
      {result.state === 'loading' && <p role="status">Loading tokens…</p>}
      {result.state === 'error' && <Notice kind="error">{result.message} <button type="button" className="link" onClick={reload}>Try again</button></Notice>}
      {result.state === 'ready' && (() => {
        const { tokens, credentials } = result.data;
        const now = Date.now();
        const isLive = (t: TokenView): boolean => t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now);
        const tree = buildTokenTree(showEnded ? tokens : tokens.filter((t) => t.policy === 'root' || isLive(t)));
        const ended = tokens.filter((t) => t.policy !== 'root' && !isLive(t)).length;
        return (
          <>
            <div className="sc-row">
              <button type="button" onClick={() => setCreating({ parent: null })} disabled={credentials.length === 0}>New token</button>
              {ended > 0 && (
                <label className="sc-check"><input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} /> Show {ended} revoked or expired</label>
              )}
            </div>
            {credentials.length === 0 && <Notice kind="info">Connect an exchange key first: every token acts with one key.</Notice>}
            {credentials[0] !== undefined && (
              <details className="sc-card">
                <summary>How a bot uses a token</summary>
                <BotSnippet exchange={credentials[0].exchange} />
              </details>
            )}
            {creating !== null && (
              <TokenCreate credentials={credentials} parent={creating.parent} onIssued={reload} onClose={() => setCreating(null)} />
            )}
            {tree.length === 0 ? <p>No tokens yet.</p> : (
              <ul className="sc-tree" aria-label="Token tree">
                {tree.map((n) => <TokenItem key={n.token.accessor} node={n} now={now} onChanged={reload} onAddChild={(t) => setCreating({ parent: t })} />)}
              </ul>
            )}
          </>
        );
      })()}
    </section>
  );
}

function AuditStatusLine() {
  const { result, reload } = useLoad(auditStatus);
  return (
    <div className="sc-audit" aria-live="polite">
      {result.state === 'loading' && <p role="status">Verifying the audit log…</p>}
      {result.state === 'error' && <Notice kind="error">Audit log not verified: {result.message}</Notice>}
      {result.state === 'ready' && (result.data.ok
        ? <Notice kind="info">Audit log verified: {result.data.records} records chain correctly, {result.data.checkpoints} signed checkpoints match.</Notice>
        : (
          <Notice kind="error">
            Audit log does NOT verify: {result.data.problems.map((p) => p.detail).join('; ')}
          </Notice>
        ))}
      <button type="button" className="link" onClick={reload}>Verify again</button>
    </div>
  );
}

type Open = 'none' | 'log' | 'narrow' | 'revoke';

function TokenItem({ node, now, onChanged, onAddChild }: { readonly node: TokenNode; readonly now: number; readonly onChanged: () => void; readonly onAddChild: (t: TokenView) => void }) {
  const t = node.token;
  const [open, setOpen] = useState<Open>('none');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const live = t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now);
  const toggle = (o: Open): void => { setOpen(open === o ? 'none' : o); setError(null); };
  const titleId = `tok-${t.accessor}`;

  async function revoke(): Promise<void> {
    setBusy(true);
    try {
      await revokeToken(t.accessor);
      setOpen('none');
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className={live ? 'sc-token' : 'sc-token sc-ended'} aria-labelledby={titleId}>
      <div className="sc-token-head">
        <h3 id={titleId}>{t.label}</h3>
        <span className="sc-mono sc-muted">{t.accessor}</span>
        {!live && <span className="sc-badge">{t.revokedAt !== null ? 'revoked' : 'expired'}</span>}
      </div>
      {t.policy !== 'root' && <ul className="sc-words">{describePolicy(t.policy).map((l) => <li key={l}>{l}</li>)}</ul>}
      <p className="sc-muted">{describeTokenLimits(t, now).join(' · ')}</p>
      <div className="sc-row" role="group" aria-label={`Actions for ${t.label}`}>
        <button type="button" className="sc-secondary" aria-expanded={open === 'log'} onClick={() => toggle('log')}>Access log</button>
        {live && <button type="button" className="sc-secondary" aria-expanded={open === 'narrow'} onClick={() => toggle('narrow')}>Change policy</button>}
        {live && <button type="button" className="sc-secondary" onClick={() => onAddChild(t)}>Add child token</button>}
        {live && <button type="button" className="sc-danger" aria-expanded={open === 'revoke'} onClick={() => toggle('revoke')}>Revoke</button>}
      </div>
      {open === 'revoke' && (
        <div className="sc-confirm" role="alertdialog" aria-labelledby={`${titleId}-revoke`}>
          <p id={`${titleId}-revoke`}>
            Revoke “{t.label}”{liveInSubtree(node) > 1 ? ` and the ${String(liveInSubtree(node) - 1)} tokens under it` : ''}? Bots using {liveInSubtree(node) > 1 ? 'them' : 'it'} are refused from their next request. This cannot be undone.
          </p>
          <div className="sc-row">
            <button type="button" className="sc-danger" disabled={busy} onClick={() => void revoke()}>{busy ? 'Revoking…' : 'Yes, revoke'}</button>
            <button type="button" className="sc-secondary" onClick={() => setOpen('none')}>Keep it</button>
          </div>
        </div>
      )}
      {open === 'narrow' && t.policy !== 'root' && <NarrowForm token={t} start={formFromPolicy(t.policy)} onDone={() => { setOpen('none'); onChanged(); }} />}
      {open === 'log' && <AccessLog accessor={t.accessor} label={t.label} />}
      {error !== null && <Notice kind="error">{error}</Notice>}
      {node.children.length > 0 && (
        <ul className="sc-tree" aria-label={`Tokens under ${t.label}`}>
          {node.children.map((c) => <TokenItem key={c.token.accessor} node={c} now={now} onChanged={onChanged} onAddChild={onAddChild} />)}
        </ul>
      )}
    </li>
  );
}

function NarrowForm({ token, start, onDone }: { readonly token: TokenView; readonly start: PolicyFormValues; readonly onDone: () => void }) {
  const guard = useGuard();
  const [values, setValues] = useState(start);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const p = policyFromForm(values);
    if ('errors' in p) {
      setErrors(p.errors);
      return;
    }
    setBusy(true);
    try {
      // Narrowing needs only the session; widening asks for the password (the guard handles it).
      await guard(() => changeTokenPolicy(token.accessor, p.policy));
      onDone();
    } catch (e) {
      setErrors([messageOf(e)]);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="sc-card" onSubmit={(e) => void submit(e)} aria-label={`Change the policy of ${token.label}`}>
      <p>Narrowing takes effect at once. Widening asks for your password and must stay within the parent token’s policy.</p>
      <PolicyFields values={values} onChange={setValues} credentials={null} idPrefix={`narrow-${token.accessor}`} />
      {errors.length > 0 && <Notice kind="error">{errors.join('; ')}</Notice>}
      <div className="sc-row">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save policy'}</button>
        <button type="button" className="sc-secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
