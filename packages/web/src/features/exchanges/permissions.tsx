import type { CredentialCheck, KeyPermissions } from '../../api/credentials.js';
import { formatTime } from '../../ui/format.js';

const ROWS: readonly { key: keyof Omit<KeyPermissions, 'ipAllowlist'>; yes: string; no: string; good: boolean }[] = [
  { key: 'read', yes: 'Read balances and orders', no: 'Cannot read balances', good: true },
  { key: 'trade', yes: 'Place and cancel orders', no: 'Cannot trade', good: true },
  { key: 'withdraw', yes: 'Withdraw funds', no: 'Cannot withdraw funds', good: false },
  { key: 'transfer', yes: 'Transfer between accounts', no: 'Cannot transfer funds', good: false },
  { key: 'ipRestricted', yes: 'Works only from allowed addresses', no: 'Works from any address', good: true },
];

/** What the exchange said the key may do, each line marked as reassuring or not. */
export function PermissionList({ check }: { readonly check: CredentialCheck | null }) {
  if (check === null) return <p>Not checked yet.</p>;
  const p = check.permissions;
  if (p === null) return <p>The exchange did not say what this key can do{check.refusal === null ? '.' : `: ${check.refusal}`}</p>;
  return (
    <>
      <PermissionRows permissions={p} />
      <p className="muted">Checked {formatTime(check.checkedAt)}</p>
    </>
  );
}

export function PermissionRows({ permissions: p, label }: { readonly permissions: KeyPermissions; readonly label?: string }) {
  return (
    <ul className="permissions" {...(label === undefined ? {} : { 'aria-label': label })}>
      {ROWS.map((r) => {
        const v = p[r.key];
        const ok = v === null ? null : v === r.good;
        return (
          <li key={r.key} className={ok === null ? 'unknown' : ok ? 'ok' : 'bad'}>
            <span aria-hidden="true">{ok === null ? '?' : ok ? '✓' : '!'}</span>{' '}
            {v === null ? `${r.yes}: the exchange does not say` : v ? r.yes : r.no}
            {r.key === 'ipRestricted' && v === true && p.ipAllowlist !== null ? ` (${p.ipAllowlist.join(', ')})` : ''}
          </li>
        );
      })}
    </ul>
  );
}
