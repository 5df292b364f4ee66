// Property tests over a small seeded generator (no dependency). A failure names its seed and case:
// rerun with POLICY_SEED=<seed> to reproduce it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, type GrantableAction, type Policy } from '@keyward/protocol/policy';
import { cidrContains } from './cidr.js';
import { decide, type ClassifiedRequest, type DecideInput, type OrderFacts } from './decide.js';
import { isSubset } from './subset.js';

const SEED = Number(process.env['POLICY_SEED'] ?? 0x5eed_2022);
const CASES = 3000;

/** mulberry32: 32-bit state, good enough to spread test cases, not for anything secret. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number): boolean => next() < p;
  const subset = <T>(xs: readonly T[], keep = 0.5): T[] => xs.filter(() => chance(keep));
  return { int, pick, chance, subset };
}
type Rng = ReturnType<typeof rng>;

const NOW = Date.UTC(2025, 0, 1, 12);
const ACTIONS: readonly GrantableAction[] = ['read', 'trade', 'cancel'];
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'ILLQUSDT', 'SOLUSDT'];
const CIDRS = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '::ffff:10.1.0.0/112', '192.0.2.0/24', '192.0.2.5',
  '::/0', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::5'];
const IPS = ['10.1.2.3', '10.2.0.1', '::ffff:10.1.2.3', '192.0.2.5', '192.0.2.6', '2001:db8::1', '2001:db8:1::5', '11.0.0.1', '::1', 'garbage'];
const NOTIONALS = [0, 50, 100, 500, 1000, 5000, 100_000];
const BANDS = [1, 5, 10, 50, 100];
const RATES = [0, 1, 5, 10, 60, 1000];

function maybe<T>(r: Rng, make: () => T): T | null {
  return r.chance(0.35) ? null : make();
}

function randomPolicy(r: Rng): Policy {
  return {
    credential: r.pick(['binance-main', 'binance-main', 'kraken-bot']),
    actions: r.subset(ACTIONS, 0.75),
    symbols: maybe(r, () => r.subset(SYMBOLS, 0.7)),
    maxOrderNotional: maybe(r, () => r.pick(NOTIONALS)),
    maxDailyNotional: maybe(r, () => r.pick(NOTIONALS)),
    priceBandPercent: maybe(r, () => r.pick(BANDS)),
    ordersPerMinute: maybe(r, () => r.pick(RATES)),
    sourceCidrs: maybe(r, () => r.subset(CIDRS)),
    expiresAt: maybe(r, () => NOW + r.int(4) * 60_000),
  };
}

/** A child built to be a subset of `p`: each field kept, or narrowed within the pools. */
function narrow(r: Rng, p: Policy): Policy {
  const lower = <T extends number>(v: number | null, pool: readonly T[]): number | null =>
    v === null ? maybe(r, () => r.pick(pool)) : r.chance(0.5) ? v : r.pick(pool.filter((x) => x <= v).concat([v as T]));
  const cidrsUnder = (parent: readonly string[]): string[] => CIDRS.filter((c) => {
    const cc = parseCidr(c);
    return cc !== null && parent.some((pc) => { const pp = parseCidr(pc); return pp !== null && cidrContains(pp, cc); });
  });
  return {
    credential: p.credential,
    actions: r.subset(p.actions, 0.75),
    symbols: p.symbols === null ? maybe(r, () => r.subset(SYMBOLS, 0.7)) : r.subset(p.symbols, 0.7),
    maxOrderNotional: lower(p.maxOrderNotional, NOTIONALS),
    maxDailyNotional: lower(p.maxDailyNotional, NOTIONALS),
    priceBandPercent: lower(p.priceBandPercent, BANDS),
    ordersPerMinute: lower(p.ordersPerMinute, RATES),
    sourceCidrs: p.sourceCidrs === null ? maybe(r, () => r.subset(CIDRS)) : r.subset(cidrsUnder(p.sourceCidrs)),
    expiresAt: p.expiresAt === null ? maybe(r, () => NOW + r.int(4) * 60_000) : p.expiresAt - r.int(2) * 60_000,
  };
}

function mutate(r: Rng, p: Policy): Policy {
  const other = randomPolicy(r);
  const key = r.pick(Object.keys(p) as (keyof Policy)[]);
  return { ...p, [key]: other[key] };
}

/** Tame values look like a bot's orders; wild ones add what a hostile or buggy client sends. */
function either<T>(r: Rng, wild: boolean, tame: readonly T[], odd: readonly T[]): T {
  return r.pick(wild ? [...tame, ...odd] : tame);
}

function randomOrder(r: Rng, wild: boolean): OrderFacts {
  const quantity = either(r, wild, [null, '1', '2.5', '10', '0.001'], ['1e2', '-1', '']);
  const price = either(r, wild, [null, '90', '95', '99.5', '100', '104', '105', '120', '1000'], ['0x64', 'abc']);
  const quoteQuantity = r.chance(0.3) ? either(r, wild, ['50', '100', '999', '1000', '6000'], ['x']) : null;
  const honest = quoteQuantity !== null ? Number(quoteQuantity) : quantity !== null && price !== null ? Number(quantity) * Number(price) : null;
  return {
    symbol: r.pick([...SYMBOLS, 'DOGEUSDT']),
    side: either(r, wild, ['buy', 'sell'], ['hold' as 'buy']),
    type: r.pick(['limit', 'market', 'stop_market', 'limit_maker']),
    quantity, price, quoteQuantity,
    notional: either(r, wild, [honest], [null, 1, 1e9, Number.NaN]),
  };
}

function randomRequest(r: Rng, action: string, wild = r.chance(0.5)): ClassifiedRequest {
  const order = r.chance(action === 'trade' ? (wild ? 0.9 : 1) : 0.1) ? randomOrder(r, wild) : null;
  return {
    action: action as ClassifiedRequest['action'],
    endpoint: `POST /x/${action}`,
    isPublic: r.chance(0.15),
    symbol: r.chance(0.3) ? null : order?.symbol ?? r.pick([...SYMBOLS, 'DOGEUSDT']),
    order,
  };
}

function randomInput(r: Rng, policy: Policy, request: ClassifiedRequest, wild = r.chance(0.5)): DecideInput {
  return {
    request, policy,
    usage: {
      notionalToday: either(r, wild, [0, 0, 100, 900, 4500, 4999, 10_000], [Number.NaN, -1]),
      ordersLastMinute: either(r, wild, [0, 0, 0, 1, 4, 9, 10], [50, -1, 0.5]),
    },
    market: wild && r.chance(0.2) ? null : {
      referencePrice: either(r, wild, [100, 100, 100, 99, 101], [null, 0, Number.NaN]),
      depth: either(r, wild, [60, 500, 1e6, 1e6], [null, 0, Number.NaN]),
    },
    now: NOW + (r.int(3) - 1) * 60_000 + r.pick([0, 1, -1]),
    sourceIp: either(r, wild, IPS.slice(0, 7), IPS.slice(7)),
  };
}

test('withdraw and transfer are never allowed, whatever the policy (even one that names them)', () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const base = randomPolicy(r);
    const policy = r.chance(0.3) ? { ...base, actions: [...base.actions, r.pick(['withdraw', 'transfer'])] } as unknown as Policy : base;
    const action = r.pick(['withdraw', 'transfer']);
    const d = decide(randomInput(r, policy, randomRequest(r, action)));
    assert.ok(!d.allow && d.code === 'KW_POLICY_VALUE_EXIT', `seed ${SEED} case ${i}: ${JSON.stringify(d)}`);
  }
});

test('unknown requests are never allowed, whatever the policy', () => {
  const r = rng(SEED + 1);
  for (let i = 0; i < CASES; i++) {
    const action = r.pick(['unknown', 'unknown', 'admin', '', 'READ', 'Trade']);
    const d = decide(randomInput(r, randomPolicy(r), randomRequest(r, action)));
    assert.ok(!d.allow && d.code === 'KW_POLICY_UNKNOWN_REQUEST', `seed ${SEED} case ${i}: ${JSON.stringify(d)}`);
  }
});

test('isSubset is reflexive', () => {
  const r = rng(SEED + 2);
  for (let i = 0; i < CASES; i++) {
    const p = randomPolicy(r);
    assert.deepEqual(isSubset(p, p), { ok: true }, `seed ${SEED} case ${i}: ${JSON.stringify(p)}`);
  }
});

test('isSubset is transitive (along narrowing chains, and over random triples)', () => {
  const r = rng(SEED + 3);
  let randomHits = 0;
  for (let i = 0; i < CASES; i++) {
    const p = randomPolicy(r);
    const c = narrow(r, p);
    const g = narrow(r, c);
    const why = `seed ${SEED} case ${i}: ${JSON.stringify({ p, c, g })}`;
    assert.ok(isSubset(c, p).ok && isSubset(g, c).ok, `the generator must narrow; ${why}`);
    assert.ok(isSubset(g, p).ok, why);
    // The same chain with one field of one link replaced at random: it may stay a chain or not,
    // which tests the relation on triples the narrowing generator did not shape.
    const triple = [g, c, p].map((x) => x);
    const k = r.int(3);
    triple[k] = mutate(r, triple[k] as Policy);
    const [a, b, d] = triple as [Policy, Policy, Policy];
    if (isSubset(a, b).ok && isSubset(b, d).ok) {
      randomHits++;
      assert.ok(isSubset(a, d).ok, `seed ${SEED} case ${i}: ${JSON.stringify({ a, b, d })}`);
    }
  }
  assert.ok(randomHits > 0, 'random triples never formed a chain: the check above was vacuous');
});

test('a child that is a subset never allows what its parent refuses', () => {
  const r = rng(SEED + 4);
  let childAllowed = 0;
  let tradesAllowed = 0;
  for (let i = 0; i < CASES * 5; i++) {
    // Half the cases open the gates (expiry, source, actions, symbols) on both sides and send a
    // tame trade, so that many requests reach the order checks, where the arithmetic is.
    const focus = r.chance(0.5);
    const open = (p: Policy): Policy => ({ ...p, actions: ACTIONS, symbols: null, sourceCidrs: null, expiresAt: null });
    const parent = focus ? open(randomPolicy(r)) : randomPolicy(r);
    // A narrowed child, or one with a field redrawn: isSubset must then catch any widening.
    const narrowed = r.chance(0.5) ? narrow(r, parent) : mutate(r, narrow(r, parent));
    const child = focus ? open(narrowed) : narrowed;
    if (!isSubset(child, parent).ok) continue;
    const action = focus ? 'trade' : r.pick(['read', 'trade', 'trade', 'cancel', 'withdraw', 'unknown']);
    const wild = !focus && r.chance(0.5);
    const shared = randomInput(r, parent, randomRequest(r, action, wild), wild);
    const byChild = decide({ ...shared, policy: child });
    if (!byChild.allow) continue;
    childAllowed++;
    if (shared.request.action === 'trade') tradesAllowed++;
    const byParent = decide(shared);
    assert.ok(byParent.allow, `seed ${SEED} case ${i}: parent refused ${JSON.stringify(byParent)} what child allowed; ${JSON.stringify({ parent, child, shared })}`);
  }
  assert.ok(childAllowed > 500 && tradesAllowed > 300, `only ${childAllowed} allowed cases (${tradesAllowed} trades): the generator is too strict to test anything`);
});
