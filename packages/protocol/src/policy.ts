// The policy a token carries: the data the UI edits and the gateway enforces (DESIGN "Tokens and
// policy"). Isomorphic and dependency-free. parsePolicy is the only way in from JSON or a form:
// every key is required (a cap that is missing must not silently mean "unlimited"), unknown keys
// are refused (a misspelt cap must not be ignored), and withdraw and transfer are not actions a
// policy can hold. Notional limits are in the order's quote currency, e.g. USDT for BTCUSDT.

export const GRANTABLE_ACTIONS = ['read', 'trade', 'cancel'] as const;
export type GrantableAction = (typeof GRANTABLE_ACTIONS)[number];

export interface Policy {
  /** The credential's name, as in `keyward credential list`. */
  readonly credential: string;
  readonly actions: readonly GrantableAction[];
  /** The exchange's own symbols (BTCUSDT, XBTUSD, BTC-USD), compared exactly; null = any. */
  readonly symbols: readonly string[] | null;
  readonly maxOrderNotional: number | null;
  readonly maxDailyNotional: number | null;
  /** A limit buy above ref × (1 + p/100), or a sell below ref × (1 − p/100), is refused. */
  readonly priceBandPercent: number | null;
  readonly ordersPerMinute: number | null;
  /** IPv4 and IPv6 CIDRs (a bare address is a /32 or /128); null = any source. */
  readonly sourceCidrs: readonly string[] | null;
  /** Epoch milliseconds; requests at or after it are refused. */
  readonly expiresAt: number | null;
}

export interface PolicyError {
  /** Every problem found, joined with "; " (all at once, not the first one only). */
  readonly error: string;
}

export const POLICY_LIMITS = Object.freeze({
  maxSymbols: 1000,
  maxCidrs: 256,
  /** A band above 100% would put a sell's floor below zero: that is no band at all. */
  maxBandPercent: 100,
});

const POLICY_KEYS: readonly (keyof Policy)[] = [
  'credential', 'actions', 'symbols', 'maxOrderNotional', 'maxDailyNotional', 'priceBandPercent',
  'ordersPerMinute', 'sourceCidrs', 'expiresAt',
];
const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}$/;

export function parsePolicy(input: unknown): Policy | PolicyError {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { error: 'a policy is a JSON object' };
  const proto: unknown = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return { error: 'a policy is a plain object' };
  const o = input as Record<string, unknown>;
  const issues: string[] = [];
  for (const k of Object.keys(o)) if (!(POLICY_KEYS as readonly string[]).includes(k)) issues.push(`unknown key "${k.slice(0, 40)}"`);
  for (const k of POLICY_KEYS) if (!Object.hasOwn(o, k)) issues.push(`${k} is required (null where a limit does not apply)`);
  if (issues.length > 0) return { error: issues.join('; ') };

  const credential = o['credential'];
  if (typeof credential !== 'string' || !CREDENTIAL_NAME.test(credential)) issues.push('credential must be a credential name');
  const actions = stringList(o['actions'], 'actions', 3, issues, (a) => {
    if (a === 'withdraw' || a === 'transfer') return `${a} is not an action a policy can grant`;
    return (GRANTABLE_ACTIONS as readonly string[]).includes(a) ? null : `unknown action "${a.slice(0, 20)}"`;
  }, false);
  const symbols = stringList(o['symbols'], 'symbols', POLICY_LIMITS.maxSymbols, issues,
    (s) => SYMBOL.test(s) ? null : `"${s.slice(0, 40)}" is not an exchange symbol`, true);
  const sourceCidrs = stringList(o['sourceCidrs'], 'sourceCidrs', POLICY_LIMITS.maxCidrs, issues,
    (c) => parseCidr(c) === null ? `"${c.slice(0, 50)}" is not a CIDR (network bits only, e.g. 10.0.0.0/8, 2001:db8::/32)` : null, true);
  const maxOrderNotional = limit(o['maxOrderNotional'], 'maxOrderNotional', issues, (n) => n >= 0);
  const maxDailyNotional = limit(o['maxDailyNotional'], 'maxDailyNotional', issues, (n) => n >= 0);
  const priceBandPercent = limit(o['priceBandPercent'], 'priceBandPercent', issues,
    (n) => n > 0 && n <= POLICY_LIMITS.maxBandPercent, `a percentage in (0, ${POLICY_LIMITS.maxBandPercent}]`);
  const ordersPerMinute = limit(o['ordersPerMinute'], 'ordersPerMinute', issues, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number ≥ 0');
  const expiresAt = limit(o['expiresAt'], 'expiresAt', issues, (n) => Number.isSafeInteger(n) && n >= 0, 'epoch milliseconds');
  if (issues.length > 0) return { error: issues.join('; ') };
  const policy: Policy = Object.freeze({
    credential: credential as string, actions: actions as readonly GrantableAction[], symbols, maxOrderNotional,
    maxDailyNotional, priceBandPercent, ordersPerMinute, sourceCidrs, expiresAt,
  });
  PARSED.add(policy);
  return policy;
}

/** Every policy parsePolicy returned: frozen, lists included, so valid for as long as it lives. */
const PARSED = new WeakSet<object>();

/** Is this a policy parsePolicy made (then it needs no second check)? */
export function isParsedPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && PARSED.has(value);
}

export function isPolicyError(r: Policy | PolicyError): r is PolicyError {
  return Object.hasOwn(r, 'error');
}

function stringList(v: unknown, key: string, max: number, issues: string[], check: (s: string) => string | null, nullable: boolean): readonly string[] | null {
  if (v === null && nullable) return null;
  if (!Array.isArray(v)) {
    issues.push(`${key} must be a list${nullable ? ' or null' : ''}`);
    return null;
  }
  if (v.length > max) issues.push(`${key} has more than ${max} entries`);
  const seen = new Set<string>();
  for (const s of v.slice(0, max)) {
    if (typeof s !== 'string') { issues.push(`${key} must hold strings`); continue; }
    const problem = check(s);
    if (problem !== null) issues.push(problem);
    else if (seen.has(s)) issues.push(`${key} names "${s.slice(0, 40)}" twice`);
    seen.add(s);
  }
  return Object.freeze([...seen]);
}

function limit(v: unknown, key: string, issues: string[], ok: (n: number) => boolean, what = 'a number ≥ 0'): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    issues.push(`${key} must be ${what} or null`);
    return null;
  }
  return v;
}

// Addresses as 32- or 128-bit integers. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, which is how
// Node reports IPv4 clients of a dual-stack listener) is read as the IPv4 address it carries, and a
// CIDR written in that form as the IPv4 CIDR, so one client never has two spellings that match
// differently. The families are otherwise kept apart: ::/0 matches no IPv4 client.

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr extends IpAddress {
  readonly prefix: number;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    // Leading zeros are refused: some parsers read 010 as octal 8.
    if (!DECIMAL_OCTET.test(p) || Number(p) > 255) return null;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): bigint[] | null => {
    if (s === '') return [];
    const out: bigint[] = [];
    const parts = s.split(':');
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (HEX_GROUP.test(p)) out.push(BigInt(`0x${p}`));
      else return null;
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  let value = 0n;
  for (const g of [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail]) value = (value << 16n) | g;
  return value;
}

export function parseIpAddress(text: string): IpAddress | null {
  if (text.length > 45) return null;
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** A CIDR with no host bits set (10.0.0.1/8 is refused: it reads like one host and means 16M). */
export function parseCidr(text: string): Cidr | null {
  if (text.length > 49) return null;
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  if (prefixText !== null && !/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const v4 = parseIpv4(addrText);
  const v6 = v4 === null ? parseIpv6(addrText) : null;
  if (v4 === null && v6 === null) return null;
  const width = v4 !== null ? 32 : 128;
  let prefix = prefixText === null ? width : Number(prefixText);
  if (prefix > width) return null;
  let family: 4 | 6 = v4 !== null ? 4 : 6;
  let value = v4 ?? v6 ?? 0n;
  if (family === 6 && prefix >= 96 && value >> 32n === 0xffffn) {
    family = 4;
    value &= 0xffffffffn;
    prefix -= 96;
  }
  const bits = family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return null;
  return { family, value, prefix };
}
