import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ancestorsOf, subtreeOf } from './token-tree.js';

test('the subtree walk finds every descendant once, breadth first', () => {
  const nodes = [
    { accessor: 'root', parentAccessor: null }, { accessor: 'a', parentAccessor: 'root' }, { accessor: 'b', parentAccessor: 'root' },
    { accessor: 'a1', parentAccessor: 'a' }, { accessor: 'a11', parentAccessor: 'a1' }, { accessor: 'other', parentAccessor: null },
  ];
  assert.deepEqual(subtreeOf('root', nodes), ['root', 'a', 'b', 'a1', 'a11']);
  assert.deepEqual(subtreeOf('a', nodes), ['a', 'a1', 'a11']);
  assert.deepEqual(subtreeOf('b', nodes), ['b']);
});

test('a cycle injected into the parent links neither hangs the walk nor hides a node', () => {
  const nodes = [{ accessor: 'x', parentAccessor: 'z' }, { accessor: 'y', parentAccessor: 'x' }, { accessor: 'z', parentAccessor: 'y' }, { accessor: 'w', parentAccessor: 'z' }];
  assert.deepEqual(new Set(subtreeOf('x', nodes)), new Set(['x', 'y', 'z', 'w']));
  const parent = new Map(nodes.map((n) => [n.accessor, n.parentAccessor]));
  const r = ancestorsOf('w', (a) => parent.get(a));
  assert.equal(r.cycle, true);
  assert.deepEqual(r.chain, ['w', 'z', 'y', 'x']);
});

test('a deep chain (100,000 levels) is walked without recursion', () => {
  const nodes = Array.from({ length: 100_000 }, (_, i) => ({ accessor: `n${String(i)}`, parentAccessor: i === 0 ? null : `n${String(i - 1)}` }));
  assert.equal(subtreeOf('n0', nodes).length, 100_000);
});
