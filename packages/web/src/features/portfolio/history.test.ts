import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearSnapshots, historyLine, recordSnapshot } from './history.js';

test('the server\'s points, oldest first, then the value just read', () => {
  const h = historyLine([{ at: 1000, total: 10 }, { at: 2000, total: 12 }], [{ at: 2500, value: 11 }], { at: 3000, value: 13 });
  assert.equal(h.source, 'server');
  assert.deepEqual(h.points, [{ at: 1000, value: 10 }, { at: 2000, value: 12 }, { at: 3000, value: 13 }]);
});

test('the value just read is not repeated when the server\'s last snapshot is that reading', () => {
  const h = historyLine([{ at: 1000, total: 10 }, { at: 3000, total: 13 }], [], { at: 3000, value: 13 });
  assert.equal(h.points.length, 2);
});

test('an empty history still draws from the value just read; the tab\'s samples are not mixed in', () => {
  const h = historyLine([], [{ at: 1, value: 1 }, { at: 2, value: 2 }], { at: 3, value: 3 });
  assert.deepEqual(h, { source: 'server', points: [{ at: 3, value: 3 }] });
});

test('no history from the server: this tab\'s samples', () => {
  clearSnapshots();
  recordSnapshot(1, 5, 'USDT');
  const tab = recordSnapshot(2, 6, 'USDT');
  assert.deepEqual(historyLine(null, tab, { at: 2, value: 6 }), { source: 'tab', points: [{ at: 1, value: 5 }, { at: 2, value: 6 }] });
  assert.equal(recordSnapshot(3, 7, 'EUR').length, 1, 'another quote starts a new line');
  clearSnapshots();
});
