import { test } from 'node:test';
import assert from 'node:assert/strict';

import { classify, classRanges, quantileBreaks } from '../../src/breaks.js';

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

test('evenly spread values get five equal classes', () => {
  const values = range(100);
  const breaks = quantileBreaks(values, 5);
  assert.deepEqual(breaks, [21, 41, 61, 81]);
  const counts = [0, 0, 0, 0, 0];
  for (const v of values) counts[classify(v, breaks)] += 1;
  assert.deepEqual(counts, [20, 20, 20, 20, 20]);
});

test('order of the input does not matter', () => {
  const values = range(57);
  const shuffled = [...values].reverse();
  assert.deepEqual(quantileBreaks(shuffled), quantileBreaks(values));
});

test('breaks are ascending, distinct and inside the data', () => {
  const values = [3.2, 0.5, 9.9, 4.4, 4.4, 4.4, 7.1, 2.0, 8.8, 6.3, 1.1];
  const breaks = quantileBreaks(values, 5);
  assert.ok(breaks.length <= 4);
  for (let i = 1; i < breaks.length; i += 1) assert.ok(breaks[i] > breaks[i - 1]);
  assert.ok(breaks[0] > Math.min(...values));
  assert.ok(breaks[breaks.length - 1] <= Math.max(...values));
});

test('ties merge classes instead of leaving one empty', () => {
  const values = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3];
  const breaks = quantileBreaks(values, 5);
  assert.deepEqual(breaks, [2]);
  const used = new Set(values.map((v) => classify(v, breaks)));
  assert.equal(used.size, breaks.length + 1);
});

test('missing values are ignored, a constant or empty series has no breaks', () => {
  assert.deepEqual(quantileBreaks([null, undefined, NaN, 'x']), []);
  assert.deepEqual(quantileBreaks([]), []);
  assert.deepEqual(quantileBreaks([5, 5, 5]), []);
  assert.deepEqual(quantileBreaks([null, 1, 2, 3, 4, 5, NaN, 6, 7, 8, 9, 10]), quantileBreaks(range(10)));
});

test('classify puts missing values in no class and the maximum in the last', () => {
  const breaks = [10, 20];
  assert.equal(classify(null, breaks), null);
  assert.equal(classify(Number.NaN, breaks), null);
  assert.equal(classify(9.99, breaks), 0);
  assert.equal(classify(10, breaks), 1);
  assert.equal(classify(1e9, breaks), 2);
});

test('class ranges run from the minimum to the maximum through the breaks', () => {
  assert.deepEqual(classRanges([4, 1, 30, 12], [10, 20]), [[1, 10], [10, 20], [20, 30]]);
  assert.deepEqual(classRanges([null], [1]), []);
});
