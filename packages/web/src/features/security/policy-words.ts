// A token's policy in plain words, one line per limit, for the token tree and the confirmation
// before issuing. Every limit is named even when it is absent ("any symbol"), so a reader sees what
// a token may do rather than guessing from what is missing. Withdraw and transfer are never
// grantable (protocol/policy.ts), and the words say so on every token.
import type { GrantableAction, Policy } from '@keyward/protocol/policy';

const ACTION_WORDS: Readonly<Record<GrantableAction, string>> = {
  read: 'read the account (balances, orders)',
  trade: 'place orders',
  cancel: 'cancel orders',
};

const amount = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 8 });

/** "a, b and c" */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
}

export function describePolicy(p: Policy): string[] {
  const actions = (['read', 'trade', 'cancel'] as const).filter((a) => p.actions.includes(a));
  const lines = [
    actions.length === 0 ? 'May do nothing (no actions granted)' : `May ${listInWords(actions.map((a) => ACTION_WORDS[a]))} with the key "${p.credential}"`,
    'Never withdraws or transfers funds',
    p.symbols === null ? 'Any symbol' : p.symbols.length === 0 ? 'No symbol at all' : `Only ${listInWords([...p.symbols])}`,
    p.maxOrderNotional === null ? 'No cap per order' : `At most ${amount(p.maxOrderNotional)} (quote currency) per order`,
    p.maxDailyNotional === null ? 'No daily cap' : `At most ${amount(p.maxDailyNotional)} (quote currency) a day`,
    p.priceBandPercent === null ? 'No price band' : `Limit prices within ${amount(p.priceBandPercent)}% of the market`,
    p.ordersPerMinute === null ? 'No rate limit' : `At most ${amount(p.ordersPerMinute)} ${p.ordersPerMinute === 1 ? 'request' : 'requests'} a minute`,
    p.sourceCidrs === null ? 'From any address' : p.sourceCidrs.length === 0 ? 'From no address at all' : `Only from ${listInWords([...p.sourceCidrs])}`,
    p.expiresAt === null ? 'The policy has no end date' : `The policy ends ${formatTime(p.expiresAt)}`,
  ];
  return lines;
}

/** The token's own lifetime and use count, beside its policy. */
export function describeTokenLimits(t: { readonly expiresAt: number | null; readonly usesLeft: number | null; readonly revokedAt: number | null }, now: number): string[] {
  const out: string[] = [];
  if (t.revokedAt !== null) out.push(`Revoked ${formatTime(t.revokedAt)}`);
  else if (t.expiresAt !== null && t.expiresAt <= now) out.push(`Expired ${formatTime(t.expiresAt)}`);
  else out.push(t.expiresAt === null ? 'Does not expire' : `Expires ${formatTime(t.expiresAt)}`);
  if (t.usesLeft !== null) out.push(`${amount(t.usesLeft)} ${t.usesLeft === 1 ? 'use' : 'uses'} left`);
  return out;
}
