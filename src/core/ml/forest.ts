/**
 * Random-forest regression: CART regression trees (splits chosen by the largest drop in the sum of
 * squared errors), each grown on a bootstrap sample of the rows and, at each split, a random subset
 * of the features; the forest predicts the mean of its trees. Seeded: the same data, options and
 * seed give the same trees, hence the same JSON.
 */
import { type Random, bootstrapIndices, mulberry32, shuffledIndices } from './random.js';

/** A flat tree: a leaf `{value}` or a split `{feature, threshold, left, right}` (indices into the array). */
export type TreeNode =
  | { value: number }
  | { feature: number; threshold: number; left: number; right: number };

export interface ForestOptions {
  trees?: number;
  maxDepth?: number;
  /** A node with fewer rows is a leaf. */
  minSamplesSplit?: number;
  /** Each side of a split keeps at least this many rows. */
  minSamplesLeaf?: number;
  /** Features tried at each split (default ⌈p/3⌉, the usual choice for regression). */
  maxFeatures?: number;
  seed?: number;
}

export interface ForestModel {
  kind: 'forest';
  features: number;
  options: Required<ForestOptions>;
  trees: TreeNode[][];
}

export const FOREST_DEFAULTS = {
  trees: 50,
  maxDepth: 8,
  minSamplesSplit: 4,
  minSamplesLeaf: 2,
  seed: 42,
} as const;

interface Split {
  feature: number;
  threshold: number;
  gain: number;
}

function mean(y: readonly number[], rows: readonly number[]): number {
  return rows.reduce((s, i) => s + y[i]!, 0) / rows.length;
}

/** The best split of `rows` on one feature: scan sorted values with running sums. */
function bestSplitOn(
  X: readonly (readonly number[])[],
  y: readonly number[],
  rows: readonly number[],
  feature: number,
  minLeaf: number,
): Split | undefined {
  const sorted = [...rows].sort((a, b) => X[a]![feature]! - X[b]![feature]! || a - b);
  const n = sorted.length;
  let totalSum = 0;
  let totalSq = 0;
  for (const i of sorted) {
    totalSum += y[i]!;
    totalSq += y[i]! ** 2;
  }
  const parentSse = totalSq - totalSum ** 2 / n;
  let best: Split | undefined;
  let leftSum = 0;
  let leftSq = 0;
  for (let k = 0; k < n - 1; k++) {
    const i = sorted[k]!;
    leftSum += y[i]!;
    leftSq += y[i]! ** 2;
    const left = k + 1;
    const right = n - left;
    const here = X[i]![feature]!;
    const next = X[sorted[k + 1]!]![feature]!;
    if (here === next || left < minLeaf || right < minLeaf) continue;
    const rightSum = totalSum - leftSum;
    const sse = leftSq - leftSum ** 2 / left + (totalSq - leftSq - rightSum ** 2 / right);
    const gain = parentSse - sse;
    if (gain > 1e-12 * Math.max(1, Math.abs(parentSse)) && (best === undefined || gain > best.gain))
      best = { feature, threshold: (here + next) / 2, gain };
  }
  return best;
}

function growTree(
  X: readonly (readonly number[])[],
  y: readonly number[],
  sample: readonly number[],
  o: Required<ForestOptions>,
  random: Random,
): TreeNode[] {
  const nodes: TreeNode[] = [];
  const p = X[0]!.length;
  const grow = (rows: readonly number[], depth: number): number => {
    const id = nodes.length;
    nodes.push({ value: mean(y, rows) });
    if (depth >= o.maxDepth || rows.length < o.minSamplesSplit) return id;
    let best: Split | undefined;
    for (const feature of shuffledIndices(random, p).slice(0, o.maxFeatures)) {
      const s = bestSplitOn(X, y, rows, feature, o.minSamplesLeaf);
      if (s && (best === undefined || s.gain > best.gain)) best = s;
    }
    if (!best) return id;
    const { feature, threshold } = best;
    const leftRows = rows.filter((i) => X[i]![feature]! <= threshold);
    const rightRows = rows.filter((i) => X[i]![feature]! > threshold);
    const left = grow(leftRows, depth + 1);
    const right = grow(rightRows, depth + 1);
    nodes[id] = { feature, threshold, left, right };
    return id;
  };
  grow(sample, 0);
  return nodes;
}

export function fitForest(
  X: readonly (readonly number[])[],
  y: readonly number[],
  options: ForestOptions = {},
): ForestModel {
  if (X.length === 0 || X.length !== y.length)
    throw new RangeError(`need as many rows as targets (≥ 1), got ${X.length} rows and ${y.length} targets`);
  const p = X[0]!.length;
  const o: Required<ForestOptions> = {
    ...FOREST_DEFAULTS,
    maxFeatures: Math.max(1, Math.ceil(p / 3)),
    ...options,
  };
  const random = mulberry32(o.seed);
  const trees: TreeNode[][] = [];
  for (let t = 0; t < o.trees; t++) trees.push(growTree(X, y, bootstrapIndices(random, X.length), o, random));
  return { kind: 'forest', features: p, options: o, trees };
}

export function predictTree(tree: readonly TreeNode[], x: readonly number[]): number {
  let node = tree[0]!;
  while (!('value' in node)) node = tree[(x[node.feature] ?? 0) <= node.threshold ? node.left : node.right]!;
  return node.value;
}

/** Each tree's prediction, in tree order. */
export function treePredictions(model: ForestModel, x: readonly number[]): number[] {
  return model.trees.map((tree) => predictTree(tree, x));
}

export function predictForest(model: ForestModel, x: readonly number[]): number {
  const all = treePredictions(model, x);
  return all.reduce((s, v) => s + v, 0) / all.length;
}
