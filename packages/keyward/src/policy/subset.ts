// A child token's policy may only narrow its parent's (DESIGN "Tokens and policy"). Null means
// "any" or "unlimited", so a child may turn null into a value but never a value into null.
import { isPolicyError, parsePolicy } from '@keyward/protocol/policy';
import { cidrsOutside } from './cidr.js';

export type SubsetResult = { ok: true } | { ok: false; reasons: string[] };

type Limit = 'maxOrderNotional' | 'maxDailyNotional' | 'priceBandPercent' | 'ordersPerMinute' | 'expiresAt';
const LIMITS: readonly Limit[] = ['maxOrderNotional', 'maxDailyNotional', 'priceBandPercent', 'ordersPerMinute', 'expiresAt'];

/**
 * Takes unknown values because policies arrive as stored JSON: both are validated here, and an
 * invalid one is never a subset or a superset of anything.
 */
export function isSubset(child: unknown, parent: unknown): SubsetResult {
  const c = parsePolicy(child);
  const p = parsePolicy(parent);
  if (isPolicyError(c) || isPolicyError(p)) {
    const reasons: string[] = [];
    if (isPolicyError(c)) reasons.push(`the child policy is not valid: ${c.error}`);
    if (isPolicyError(p)) reasons.push(`the parent policy is not valid: ${p.error}`);
    return { ok: false, reasons };
  }
  const reasons: string[] = [];
  if (c.credential !== p.credential) reasons.push(`the child names credential ${c.credential}, the parent ${p.credential}`);
  const extraActions = c.actions.filter((a) => !p.actions.includes(a));
  if (extraActions.length > 0) reasons.push(`the parent does not grant ${extraActions.join(', ')}`);
  if (p.symbols !== null) {
    const parentSymbols = p.symbols;
    if (c.symbols === null) reasons.push('the child allows any symbol; the parent lists its symbols');
    else {
      const extra = c.symbols.filter((s) => !parentSymbols.includes(s));
      if (extra.length > 0) reasons.push(`the parent does not allow symbols ${extra.slice(0, 10).join(', ')}`);
    }
  }
  for (const k of LIMITS) {
    const pv = p[k];
    const cv = c[k];
    if (pv === null) continue;
    if (cv === null) reasons.push(`the child has no ${k}; the parent's is ${pv}`);
    else if (cv > pv) reasons.push(`the child's ${k} ${cv} is above the parent's ${pv}`);
  }
  if (p.sourceCidrs !== null) {
    if (c.sourceCidrs === null) reasons.push('the child allows any source address; the parent lists CIDRs');
    else {
      const outside = cidrsOutside(c.sourceCidrs, p.sourceCidrs);
      if (outside.length > 0) reasons.push(`source CIDRs ${outside.slice(0, 10).join(', ')} are not inside the parent's`);
    }
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
