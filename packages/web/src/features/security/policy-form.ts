// The policy form's text fields to a Policy, and back. Empty means "no limit" for a cap and "any"
// for a list, and the form says so beside each field; everything else goes through protocol's
// parsePolicy, the same check the server makes, so the form shows every problem at once before
// anything is sent.
import { isPolicyError, parsePolicy, type GrantableAction, type Policy } from '@keyward/protocol/policy';

export interface PolicyFormValues {
  readonly credential: string;
  readonly actions: readonly GrantableAction[];
  /** Symbols separated by commas, spaces or new lines; empty = any. */
  readonly symbols: string;
  readonly maxOrderNotional: string;
  readonly maxDailyNotional: string;
  readonly priceBandPercent: string;
  readonly ordersPerMinute: string;
  /** CIDRs separated by commas, spaces or new lines; empty = any address. */
  readonly sourceCidrs: string;
  /** A <input type="datetime-local"> value in the browser's time zone; empty = no end. */
  readonly policyEnds: string;
}

export interface TokenFormValues extends PolicyFormValues {
  readonly label: string;
  /** Hours; empty = no expiry. */
  readonly ttlHours: string;
  /** Empty = unlimited. */
  readonly uses: string;
}

export const EMPTY_TOKEN_FORM: TokenFormValues = {
  label: '', credential: '', actions: ['read'], symbols: '', maxOrderNotional: '', maxDailyNotional: '', priceBandPercent: '',
  ordersPerMinute: '', sourceCidrs: '', policyEnds: '', ttlHours: '24', uses: '',
};

export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== '');
}

function numberOrNull(text: string, name: string, issues: string[]): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n)) {
    issues.push(`${name} must be a number`);
    return null;
  }
  return n;
}

/** datetime-local text → epoch ms (the browser's zone); null when empty. */
function dateOrNull(text: string, issues: string[]): number | null {
  if (text.trim() === '') return null;
  const ms = new Date(text).getTime();
  if (!Number.isFinite(ms)) {
    issues.push('the policy end is not a date');
    return null;
  }
  return ms;
}

export function policyFromForm(v: PolicyFormValues): { policy: Policy } | { errors: string[] } {
  const issues: string[] = [];
  const symbols = splitList(v.symbols);
  const cidrs = splitList(v.sourceCidrs);
  const candidate = {
    credential: v.credential,
    actions: [...v.actions],
    symbols: symbols.length === 0 ? null : symbols,
    maxOrderNotional: numberOrNull(v.maxOrderNotional, 'max per order', issues),
    maxDailyNotional: numberOrNull(v.maxDailyNotional, 'max per day', issues),
    priceBandPercent: numberOrNull(v.priceBandPercent, 'price band', issues),
    ordersPerMinute: numberOrNull(v.ordersPerMinute, 'requests per minute', issues),
    sourceCidrs: cidrs.length === 0 ? null : cidrs,
    expiresAt: dateOrNull(v.policyEnds, issues),
  };
  if (v.credential === '') issues.push('choose an exchange key');
  if (v.actions.length === 0) issues.push('grant at least one action');
  if (issues.length > 0) return { errors: issues };
  const parsed = parsePolicy(candidate);
  if (isPolicyError(parsed)) return { errors: parsed.error.split('; ') };
  return { policy: parsed };
}

export function tokenFromForm(v: TokenFormValues): { label: string; policy: Policy; ttlSeconds?: number; uses?: number } | { errors: string[] } {
  const issues: string[] = [];
  const label = v.label.trim();
  if (label === '') issues.push('give the token a name');
  const ttl = numberOrNull(v.ttlHours, 'lifetime', issues);
  if (ttl !== null && !(ttl > 0)) issues.push('the lifetime must be more than 0 hours');
  const uses = numberOrNull(v.uses, 'uses', issues);
  if (uses !== null && !(Number.isSafeInteger(uses) && uses > 0)) issues.push('uses must be a whole number above 0');
  const p = policyFromForm(v);
  if ('errors' in p) issues.push(...p.errors);
  if (issues.length > 0 || 'errors' in p) return { errors: issues };
  return {
    label, policy: p.policy,
    ...(ttl === null ? {} : { ttlSeconds: Math.max(1, Math.round(ttl * 3600)) }),
    ...(uses === null ? {} : { uses }),
  };
}

const text = (n: number | null): string => (n === null ? '' : String(n));

function localDateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formFromPolicy(p: Policy): PolicyFormValues {
  return {
    credential: p.credential, actions: [...p.actions], symbols: (p.symbols ?? []).join(', '),
    maxOrderNotional: text(p.maxOrderNotional), maxDailyNotional: text(p.maxDailyNotional), priceBandPercent: text(p.priceBandPercent),
    ordersPerMinute: text(p.ordersPerMinute), sourceCidrs: (p.sourceCidrs ?? []).join(', '),
    policyEnds: p.expiresAt === null ? '' : localDateTime(p.expiresAt),
  };
}
