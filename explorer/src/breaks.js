// Class breaks for the choropleth: pure functions over plain numbers, tested by node --test.

/**
 * Quantile class breaks: the thresholds that split `values` into `classes` groups of about equal
 * size. Returns the inner thresholds, ascending and distinct (so at most `classes - 1` of them);
 * a value v belongs to class i when breaks[i-1] <= v < breaks[i]. Non-numbers and non-finite
 * values are ignored; ties can merge classes, never produce empty ones.
 */
export function quantileBreaks(values, classes = 5) {
  const sorted = values
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (sorted.length === 0 || classes < 2) return [];
  const breaks = [];
  for (let i = 1; i < classes; i += 1) {
    // The first value of the i-th group when the sorted values are cut into equal parts.
    const at = sorted[Math.ceil((i * sorted.length) / classes)];
    if (at === undefined) continue;
    // A threshold equal to the minimum would leave the first class empty.
    if (at > sorted[0] && (breaks.length === 0 || at > breaks[breaks.length - 1])) {
      breaks.push(at);
    }
  }
  return breaks;
}

/** The class (0-based) of `value` under `breaks`, or null when it is not a number. */
export function classify(value, breaks) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  let i = 0;
  while (i < breaks.length && value >= breaks[i]) i += 1;
  return i;
}

/** The [low, high] range of each class: the data's min and max close the outer classes. */
export function classRanges(values, breaks) {
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (finite.length === 0) return [];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const edges = [min, ...breaks, max];
  return edges.slice(0, -1).map((low, i) => [low, edges[i + 1]]);
}
