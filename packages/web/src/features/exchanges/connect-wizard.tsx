// Connecting an exchange, step by step: pick it, create a key there with the right permissions,
// paste it (sealed in this browser before upload), see what the exchange says the key can do, and
// choose who may open it. The secret fields are uncontrolled: their text is read once into bytes
// and the fields emptied, so it never sits in React state.
import { findExchange } from '@keyward/protocol/exchange-ids';
import { useRef, useState, type FormEvent } from 'react';
import type { SessionAnswer } from '../../api/auth.js';
import { listExchanges, paperKey, refusedPermissions, serverInfo, setCustody, type KeyPermissions, type CredentialView, type Custody, type ExchangeChoice, type ExchangesAnswer } from '../../api/credentials.js';
import { codeOf } from '../../ui/error-words.js';
import { Field } from '../../ui/field.js';
import { LoadedView, Spinner } from '../../ui/loading.js';
import { Notice } from '../../ui/notice.js';
import { Steps } from '../../ui/steps.js';
import { reportError, useLoad } from '../../ui/use-load.js';
import { CustodyChooser } from './custody.js';
import { guideFor, PART_LABELS } from './guides.js';
import { PermissionList, PermissionRows } from './permissions.js';
import { ReauthCancelled, useGuard } from '../auth/reauth.js';
import { sealAndConnect } from './seal.js';

const STEPS = ['Exchange', 'Create a key', 'Paste it', 'Who can use it'];
type Part = 'secret' | 'passphrase' | 'privateKey';

type Stage =
  | { readonly step: 'pick' }
  | { readonly step: 'guide'; readonly exchange: ExchangeChoice }
  | { readonly step: 'key'; readonly exchange: ExchangeChoice }
  | { readonly step: 'done'; readonly exchange: ExchangeChoice; readonly credential: CredentialView };

export function ConnectWizard({ session, onConnected, onCancel, takenNames }: {
  readonly session: SessionAnswer;
  readonly onConnected: (c: CredentialView) => void;
  readonly onCancel?: () => void;
  readonly takenNames: readonly string[];
}) {
  const exchanges = useLoad(listExchanges);
  const [stage, setStage] = useState<Stage>({ step: 'pick' });
  const index = { pick: 0, guide: 1, key: 2, done: 3 }[stage.step];

  return (
    <section className="card wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">Connect an exchange</h2>
      <Steps steps={STEPS} current={index} />
      <LoadedView result={exchanges.result} label="Loading the exchanges this server connects…" onRetry={exchanges.reload}>
        {(answer) => {
          switch (stage.step) {
            case 'pick':
              return <PickExchange answer={answer} onPick={(exchange) => setStage({ step: 'guide', exchange })} onCancel={onCancel} />;
            case 'guide':
              return <Guide exchange={stage.exchange} onNext={() => setStage({ step: 'key', exchange: stage.exchange })} onBack={() => setStage({ step: 'pick' })} />;
            case 'key':
              return (
                <KeyForm session={session} exchange={stage.exchange} takenNames={takenNames}
                  onBack={() => setStage({ step: 'guide', exchange: stage.exchange })}
                  onConnected={(credential) => setStage({ step: 'done', exchange: stage.exchange, credential })} />
              );
            case 'done':
              return <Verified answer={answer} credential={stage.credential} onFinish={onConnected} />;
          }
        }}
      </LoadedView>
    </section>
  );
}

function PickExchange({ answer, onPick, onCancel }: { readonly answer: ExchangesAnswer; readonly onPick: (e: ExchangeChoice) => void; readonly onCancel: (() => void) | undefined }) {
  return (
    <div className="stack">
      <p>Which exchange is your account on?</p>
      <ul className="choice-grid">
        {answer.exchanges.map((e) => (
          <li key={e.id}><button type="button" className="choice" onClick={() => onPick(e)}>{e.name}</button></li>
        ))}
      </ul>
      {answer.exchanges.length === 0 && <Notice kind="info">This server does not connect any exchange yet.</Notice>}
      {onCancel !== undefined && <p><button type="button" className="link" onClick={onCancel}>Not now</button></p>}
    </div>
  );
}

function Guide({ exchange, onNext, onBack }: { readonly exchange: ExchangeChoice; readonly onNext: () => void; readonly onBack: () => void }) {
  // The address to restrict the key to; until it is known (or if the server does not say), the guide says so in general terms.
  const info = useLoad(serverInfo);
  const egress = info.result.state === 'ready' && typeof info.result.data.egressAddress === 'string' ? info.result.data.egressAddress : null;
  const guide = guideFor(exchange.id, exchange.name, egress);
  return (
    <div className="stack">
      <p>Create a new API key on {exchange.name} just for Keyward. It takes about two minutes.</p>
      <ol className="guide">
        {guide.steps.map((s) => <li key={s}>{s}</li>)}
      </ol>
      <Notice kind="info">
        Keyward can only trade with this key; it never signs a withdrawal or a transfer, and it refuses any key that could make one.
      </Notice>
      {guide.url !== null && (
        <p><a href={guide.url} target="_blank" rel="noreferrer noopener">Open {exchange.name}&apos;s API key page</a> (in a new tab)</p>
      )}
      <div className="actions">
        <button type="button" onClick={onNext}>I have the key</button>
        <button type="button" className="secondary" onClick={onBack}>Back</button>
      </div>
    </div>
  );
}

function KeyForm({ session, exchange, takenNames, onBack, onConnected }: {
  readonly session: SessionAnswer;
  readonly exchange: ExchangeChoice;
  readonly takenNames: readonly string[];
  readonly onBack: () => void;
  readonly onConnected: (c: CredentialView) => void;
}) {
  const forms = findExchange(exchange.id)?.secretForms ?? [['secret']];
  const [formIndex, setFormIndex] = useState(0);
  const parts: readonly Part[] = forms[formIndex] ?? ['secret'];
  const guide = guideFor(exchange.id, exchange.name);
  const suggested = [exchange.id, `${exchange.id}-2`, `${exchange.id}-3`].find((n) => !takenNames.includes(n)) ?? `${exchange.id}-${String(Date.now() % 1000)}`;
  const [name, setName] = useState(suggested);
  const [apiKey, setApiKey] = useState('');
  const refs = { secret: useRef<HTMLInputElement>(null), passphrase: useRef<HTMLInputElement>(null), privateKey: useRef<HTMLTextAreaElement>(null) };
  const [busy, setBusy] = useState<null | 'sealing' | 'checking'>(null);
  const [error, setError] = useState<{ message: string; refused: boolean; permissions: KeyPermissions | null } | null>(null);

  function takeBytes(part: Part): Uint8Array | null {
    if (!parts.includes(part)) return null;
    const el = refs[part].current;
    if (el === null) return null;
    // PEM keys keep their line breaks; a pasted secret loses the spaces a copy may add around it.
    const text = part === 'privateKey' ? el.value.trim() : el.value.replace(/^\s+|\s+$/g, '');
    el.value = '';
    return new TextEncoder().encode(text);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(null);
    if (takenNames.includes(name.trim())) {
      setError({ message: `You already have a key named "${name.trim()}". Pick another name.`, refused: false, permissions: null });
      return;
    }
    const typed = {
      name: name.trim(), exchange: exchange.id, apiKey: apiKey.trim(),
      secret: takeBytes('secret'), passphrase: takeBytes('passphrase'), privateKey: takeBytes('privateKey'),
    };
    setBusy('sealing');
    try {
      const credential = await sealAndConnect(session.account.id, typed, 'sealed', () => setBusy('checking'));
      setApiKey('');
      onConnected(credential);
    } catch (e) {
      setError({ message: reportError(e), refused: codeOf(e) === 'KW_CREDENTIAL_REFUSED', permissions: refusedPermissions(e) });
    } finally {
      setBusy(null);
    }
  }

  // On a sandbox server the exchange is paper money: one button fills the form with a paper key.
  const info = useLoad(serverInfo);
  const sandbox = info.result.state === 'ready' && info.result.data.sandbox && ['binance', 'kraken', 'coinbase', 'okx'].includes(exchange.id);
  async function fillPaperKey(withdraw: boolean): Promise<void> {
    setError(null);
    try {
      const k = await paperKey(exchange.id, withdraw);
      setApiKey(k.apiKey);
      const pem = k.secret.includes('BEGIN');
      const target = pem ? refs.privateKey.current : refs.secret.current;
      if (target !== null) target.value = k.secret;
      if (k.passphrase !== undefined && refs.passphrase.current !== null) refs.passphrase.current.value = k.passphrase;
    } catch (e) {
      setError({ message: reportError(e), refused: false, permissions: null });
    }
  }

  const secretInput = { type: 'password', autoComplete: 'off', spellCheck: false, autoCapitalize: 'off', autoCorrect: 'off', required: true } as const;
  return (
    <form onSubmit={(e) => void submit(e)} className="stack">
      <p>Paste the key from {exchange.name}. The secret is sealed in this browser with your account key before it is sent: the server never sees it in the clear.</p>
      {sandbox && (
        <Notice kind="info">
          This server trades on the built-in sandbox (paper money).{' '}
          <button type="button" className="link" onClick={() => void fillPaperKey(false)}>Fill in a paper key</button>
          {' '}or{' '}
          <button type="button" className="link" onClick={() => void fillPaperKey(true)}>one that can withdraw</button>, to see Keyward refuse it.
        </Notice>
      )}
      <Field label="Name for this key" value={name} onChange={(e) => setName(e.target.value)} required maxLength={60}
        pattern="[A-Za-z0-9 ._\-]+" hint="Letters, digits, spaces, dots, dashes. You will see it in Portfolio and Trade." />
      <Field label={guide.labels.apiKey ?? PART_LABELS.apiKey} value={apiKey} onChange={(e) => setApiKey(e.target.value)} required
        autoComplete="off" spellCheck={false} autoCapitalize="off" />
      {forms.length > 1 && (
        <p>
          <button type="button" className="link" onClick={() => setFormIndex((formIndex + 1) % forms.length)}>
            {parts.includes('privateKey') ? 'I have a secret key instead' : 'I have an Ed25519 private key instead'}
          </button>
        </p>
      )}
      {parts.includes('secret') && <Field label={guide.labels.secret ?? PART_LABELS.secret} inputRef={refs.secret} {...secretInput} />}
      {parts.includes('passphrase') && (
        <Field label={guide.labels.passphrase ?? PART_LABELS.passphrase} inputRef={refs.passphrase} {...secretInput}
          hint="The passphrase you chose when you created the key on the exchange." />
      )}
      {parts.includes('privateKey') && (
        <label className="field">
          <span>{guide.labels.privateKey ?? PART_LABELS.privateKey}</span>
          <textarea ref={refs.privateKey} rows={5} required autoComplete="off" spellCheck={false} className="secret-text" />
        </label>
      )}
      {busy !== null && (
        <p className="loading" role="status">
          <Spinner /> {busy === 'sealing' ? 'Sealing the key in this browser…' : `Asking ${exchange.name} what this key can do…`}
        </p>
      )}
      {error !== null && (
        <div className="stack" role="alert">
          <Notice kind="error">{error.message}</Notice>
          {error.permissions !== null && (
            <>
              <p>{exchange.name} says the refused key could:</p>
              <PermissionRows permissions={error.permissions} label="What the refused key could do" />
            </>
          )}
          {error.refused && <Notice kind="info">Create a new key on {exchange.name} with withdrawals and transfers switched off, then paste it here. Delete the refused key on the exchange.</Notice>}
          {!error.refused && <Notice kind="info">For your safety the secret fields were emptied. Paste them again to retry.</Notice>}
        </div>
      )}
      <div className="actions">
        <button type="submit" disabled={busy !== null}>Seal and connect</button>
        <button type="button" className="secondary" onClick={onBack} disabled={busy !== null}>Back</button>
      </div>
    </form>
  );
}

function Verified({ answer, credential, onFinish }: {
  readonly answer: ExchangesAnswer;
  readonly credential: CredentialView;
  readonly onFinish: (c: CredentialView) => void;
}) {
  const [current, setCurrent] = useState(credential);
  const [choice, setChoice] = useState<Custody>(credential.custody);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const guard = useGuard();

  async function finish(): Promise<void> {
    if (choice === current.custody) {
      onFinish(current);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const updated = await guard(() => setCustody(current.id, choice));
      setCurrent(updated);
      onFinish(updated);
    } catch (e) {
      setError(e instanceof ReauthCancelled ? 'The custody was not changed: your password was not confirmed.' : reportError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <Notice kind="success">Connected “{current.name}”. {findExchange(current.exchange)?.name ?? current.exchange} says this key can:</Notice>
      <PermissionList check={current.check} />
      {current.check?.warnings.map((w) => <Notice key={w} kind="warning">{w}</Notice>)}
      <CustodyChooser modes={answer.custodyModes} value={choice} onChange={setChoice} />
      {error !== null && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button type="button" onClick={() => void finish()} disabled={busy}>{busy ? 'Saving…' : 'Done'}</button>
      </div>
    </div>
  );
}
