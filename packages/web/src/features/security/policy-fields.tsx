// The policy's fields, shared by "new token" and "narrow". Every empty field is said to mean "no
// limit" (or "any") right beside it, so leaving one blank is a visible choice.
import { GRANTABLE_ACTIONS, type GrantableAction } from '@keyward/protocol/policy';
import type { CredentialSummary } from '../../api/security.js';
import type { PolicyFormValues } from './policy-form.js';

const ACTION_LABELS: Readonly<Record<GrantableAction, string>> = { read: 'Read (balances, orders)', trade: 'Trade (place orders)', cancel: 'Cancel orders' };

interface Props<V extends PolicyFormValues> {
  readonly values: V;
  readonly onChange: (next: V) => void;
  /** null: the credential is fixed (narrowing keeps it). */
  readonly credentials: readonly CredentialSummary[] | null;
  readonly idPrefix: string;
}

export function PolicyFields<V extends PolicyFormValues>({ values, onChange, credentials, idPrefix }: Props<V>) {
  const set = (patch: Partial<PolicyFormValues>): void => onChange({ ...values, ...patch });
  const text = (key: keyof PolicyFormValues, label: string, hint: string, inputMode: 'decimal' | 'numeric' | 'text' = 'decimal') => (
    <label className="field">
      <span>{label}</span>
      <input
        inputMode={inputMode} value={values[key] as string} aria-describedby={`${idPrefix}-${key}-hint`}
        onChange={(e) => set({ [key]: e.target.value } as Partial<PolicyFormValues>)}
      />
      <small id={`${idPrefix}-${key}-hint`}>{hint}</small>
    </label>
  );
  return (
    <>
      {credentials === null ? (
        <p>Exchange key: <strong>{values.credential}</strong> (a token keeps its key)</p>
      ) : (
        <label className="field">
          <span>Exchange key</span>
          <select value={values.credential} required onChange={(e) => set({ credential: e.target.value })}>
            <option value="">Choose a key…</option>
            {credentials.map((c) => <option key={c.id} value={c.name}>{c.name} ({c.exchange})</option>)}
          </select>
        </label>
      )}
      <fieldset className="sc-actions">
        <legend>May</legend>
        {GRANTABLE_ACTIONS.map((a) => (
          <label key={a} className="sc-check">
            <input
              type="checkbox" checked={values.actions.includes(a)}
              onChange={(e) => set({ actions: e.target.checked ? [...values.actions, a] : values.actions.filter((x) => x !== a) })}
            />
            {ACTION_LABELS[a]}
          </label>
        ))}
        <small>Withdrawals and transfers are never possible through Keyward.</small>
      </fieldset>
      {text('symbols', 'Symbols', 'The exchange’s own symbols, e.g. BTCUSDT, separated by commas. Empty: any symbol.', 'text')}
      {text('maxOrderNotional', 'Max per order (quote currency)', 'Empty: no cap per order.')}
      {text('maxDailyNotional', 'Max per day (quote currency)', 'Empty: no daily cap.')}
      {text('priceBandPercent', 'Price band (%)', 'Limit orders further than this from the market are refused. Empty: no band.')}
      {text('ordersPerMinute', 'Requests per minute', 'Empty: no rate limit.', 'numeric')}
      {text('sourceCidrs', 'Source addresses (CIDRs)', 'e.g. 203.0.113.7, 10.0.0.0/8. Empty: any address.', 'text')}
      <label className="field">
        <span>Policy ends</span>
        <input type="datetime-local" value={values.policyEnds} onChange={(e) => set({ policyEnds: e.target.value })} aria-describedby={`${idPrefix}-ends-hint`} />
        <small id={`${idPrefix}-ends-hint`}>Empty: no end date (the token’s own lifetime still applies).</small>
      </label>
    </>
  );
}
