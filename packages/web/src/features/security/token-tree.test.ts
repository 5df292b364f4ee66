import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenView } from '../../api/security.js';
import { buildTokenTree, flattenTree, liveInSubtree } from './token-tree.js';

const policy = {
  credential: 'k', actions: ['read'] as const, symbols: null, maxOrderNotional: null, maxDailyNotional: null,
  priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
};
const tok = (accessor: string, parent: string | null, createdAt: number, revokedAt: number | null = null): TokenView => ({
  accessor, parent, label: accessor, policy, createdAt, expiresAt: null, usesLeft: null, revokedAt,
});
const root: TokenView = { ...tok('root', null, 0), policy: 'root' };
const shape = (ts: readonly TokenView[]): string[] => flattenTree(buildTokenTree(ts)).map((n) => `${'-'.repeat(n.depth)}${n.token.accessor}`);

test('the root is hidden, its children are the top level, children follow their parent in creation order', () => {
  assert.deepEqual(shape([tok('b', 'root', 2), root, tok('a2', 'a', 4), tok('a', 'root', 1), tok('a1', 'a', 3), tok('a1x', 'a1', 5)]),
    ['a', '-a1', '--a1x', '-a2', 'b']);
});

test('a token whose parent is not listed is shown at the top, not dropped', () => {
  assert.deepEqual(shape([tok('orphan', 'gone', 1), tok('x', null, 0)]), ['x', 'orphan']);
});

test('a cycle cannot loop and places each token once', () => {
  const out = shape([tok('p', 'q', 1), tok('q', 'p', 2), tok('self', 'self', 3)]);
  assert.equal(out.length, 3);
  assert.deepEqual(new Set(out.map((s) => s.replace(/^-+/, ''))), new Set(['p', 'q', 'self']));
});

test('a revoke counts the live tokens of the subtree', () => {
  const [a] = buildTokenTree([root, tok('a', 'root', 1), tok('a1', 'a', 2), tok('a2', 'a', 3, 99), tok('a1x', 'a1', 4)]);
  assert.ok(a !== undefined);
  assert.equal(liveInSubtree(a), 3);
});

test('a deep chain is walked without recursion limits in the flattening', () => {
  const chain = [root, ...Array.from({ length: 2000 }, (_, i) => tok(`t${String(i)}`, i === 0 ? 'root' : `t${String(i - 1)}`, i))];
  assert.equal(flattenTree(buildTokenTree(chain)).length, 2000);
});
