import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, canonicalRecord, entriesOf, type AuditRecord, type DecisionRecord, type OutcomeRecord, type OutcomesRecord } from './record.js';

// canonicalRecord takes a fast path for the gateway's record shapes; whatever the input, its
// bytes must be canonicalJson's, or every link written from now on would fail to verify.
const generic = (r: unknown): string => canonicalJson(r as Parameters<typeof canonicalJson>[0]);

const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0000nul', 'é ü 中文 😀', '\ud800 lone surrogate', '</script>', 'kwa_0123456789abcdef'];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1.5e-7, Number.MAX_SAFE_INTEGER, 1_700_000_000_000];

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

function decision(i: number): DecisionRecord {
  const s = (k: number): string => pick(STRINGS, i + k);
  const orNull = (k: number): string | null => ((i + k) % 3 === 0 ? null : s(k));
  return {
    kind: 'decision', at: pick(NUMBERS, i), token: orNull(1), credential: orNull(2), exchange: s(3), method: s(4), path: s(5), action: s(6),
    endpoint: s(7), order: i % 4 === 0 ? null : { symbol: s(8), side: 'buy', type: 'limit', quantity: s(9), price: i % 2 === 0 ? null : s(10), notional: pick(NUMBERS, i + 3) },
    decision: i % 2 === 0 ? 'allow' : 'deny', reason: orNull(11), sourceIp: orNull(12),
  };
}

function outcome(i: number): OutcomeRecord {
  return { kind: 'outcome', at: pick(NUMBERS, i), decision: pick(NUMBERS, i + 1), status: i % 3 === 0 ? null : pick(NUMBERS, i + 2), latencyMs: pick(NUMBERS, i + 4), error: i % 2 === 0 ? null : pick(STRINGS, i) };
}

function outcomes(i: number): OutcomesRecord {
  return { kind: 'outcomes', at: pick(NUMBERS, i), outcomes: Array.from({ length: i % 5 }, (_, k) => {
    const { kind: _kind, ...entry } = outcome(i + k);
    return entry;
  }) };
}

test('decision, outcome and grouped outcome records serialise exactly as canonicalJson does', () => {
  for (let i = 0; i < 200; i++) {
    for (const r of [decision(i), outcome(i), outcomes(i)] as AuditRecord[]) assert.equal(canonicalRecord(r), generic(r), JSON.stringify(r));
  }
});

test('a grouped outcome record reads as one entry per outcome, with the seq of the record holding it', () => {
  const r = outcomes(4);
  const entries = entriesOf(17, canonicalRecord(r));
  assert.equal(entries.length, 4);
  assert.deepEqual(entries.map((e) => e.seq), [17, 17, 17, 17]);
  assert.deepEqual(entries.map(({ seq: _seq, kind, ...rest }) => ({ kind, ...rest })), r.outcomes.map((o) => ({ kind: 'outcome', ...JSON.parse(JSON.stringify(o)) as object })));
  // Decisions, and outcomes written one record each (logs from before the grouping), are as stored.
  const asStored = (r: AuditRecord): object => JSON.parse(JSON.stringify(r)) as object;
  assert.deepEqual(entriesOf(3, canonicalRecord(outcome(1))), [{ seq: 3, ...asStored(outcome(1)) }]);
  assert.deepEqual(entriesOf(4, canonicalRecord(decision(1))), [{ seq: 4, ...asStored(decision(1)) }]);
});

test('records off the expected shape still get canonicalJson bytes', () => {
  const d = decision(1);
  const odd: unknown[] = [
    { ...d, extra: 'field' },
    { ...d, reason: undefined },
    Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'token')),
    { ...d, at: '12' },
    { ...d, order: { b: 1, a: [2, { d: null, c: 'x' }] } },
    { ...outcome(2), status: 'teapot' },
    { ...outcome(3), note: 'x' },
    { ...outcomes(3), outcomes: [{ ...outcome(1) }] },
    { ...outcomes(3), outcomes: [null, 1] },
    { ...outcomes(3), outcomes: 'none' },
    { ...outcomes(3), extra: 1 },
    Object.assign(Object.create({ inherited: 1 }) as object, d),
    // As many own keys as the shape, one of its names only on the prototype.
    Object.assign(Object.create({ token: 'kwa_inherited' }) as object, { ...Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'token')), extra: 'x' }),
  ];
  for (const r of odd) assert.equal(canonicalRecord(r as AuditRecord), generic(r), JSON.stringify(r));
});

test('non-finite numbers are refused on both paths', () => {
  assert.throws(() => canonicalRecord({ ...decision(2), at: Number.NaN }), RangeError);
  assert.throws(() => canonicalRecord({ ...outcome(2), latencyMs: Number.POSITIVE_INFINITY }), RangeError);
  assert.throws(() => canonicalRecord({ kind: 'outcomes', at: 1, outcomes: [{ ...outcomes(2).outcomes[0] as OutcomesRecord['outcomes'][number], latencyMs: Number.NaN }] }), RangeError);
  assert.throws(() => canonicalRecord({ ...decision(2), order: { notional: Number.NEGATIVE_INFINITY } }), RangeError);
});
