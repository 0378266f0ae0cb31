import { describe, expect, it } from 'vitest';
import { fitForest, predictForest } from './forest.js';
import { fnv1a32, mulberry32 } from './random.js';
import {
  crossValidatedR2,
  fitModel,
  fitWithBootstrap,
  predictModel,
  predictWithInterval,
  quantile,
  r2Score,
  selectModel,
} from './regressor.js';

// A step: 10 below x = 5, 50 from 5 up.
const stepX = Array.from({ length: 20 }, (_, i) => [i * 0.5]);
const stepY = stepX.map(([x]) => (x! < 5 ? 10 : 50));

describe('r2Score', () => {
  it('is 1 − SS_res/SS_tot with worked numbers', () => {
    expect(r2Score([1, 2, 3], [1, 2, 4])).toBeCloseTo(0.5, 12);
    expect(r2Score([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2Score([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(r2Score([1, 2, 3], [3, 2, 1])).toBeCloseTo(-3, 12);
    expect(r2Score([5, 5], [5, 5])).toBe(1);
    expect(r2Score([5, 5], [4, 6])).toBe(0);
    expect(() => r2Score([], [])).toThrow(RangeError);
  });
});

describe('mulberry32', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mulberry32(8)()).not.toBe(mulberry32(7)());
    // Roughly uniform: the mean of 1000 draws lies within 0.5 ± 0.05.
    expect(xs.reduce((s, v) => s + v, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('fnv1a32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('random forest', () => {
  it('fits a step function far better than a line', () => {
    const forest = fitForest(stepX, stepY, { seed: 1 });
    const line = fitModel('linear', stepX, stepY);
    const forestR2 = r2Score(
      stepY,
      stepX.map((x) => predictForest(forest, x)),
    );
    const lineR2 = r2Score(
      stepY,
      stepX.map((x) => predictModel(line, x)),
    );
    expect(forestR2).toBeGreaterThan(0.95);
    expect(lineR2).toBeLessThan(0.8);
    expect(predictForest(forest, [1])).toBeCloseTo(10, 0);
    expect(predictForest(forest, [9])).toBeCloseTo(50, 0);
  });

  it('gives the same bytes for the same seed and different trees for another', () => {
    const a = JSON.stringify(fitForest(stepX, stepY, { seed: 3, trees: 10 }));
    const b = JSON.stringify(fitForest(stepX, stepY, { seed: 3, trees: 10 }));
    const c = JSON.stringify(fitForest(stepX, stepY, { seed: 4, trees: 10 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('respects maxDepth and minSamplesLeaf', () => {
    const stump = fitForest(stepX, stepY, { trees: 3, maxDepth: 1, seed: 1 });
    for (const tree of stump.trees) expect(tree.length).toBeLessThanOrEqual(3);
    const leaves = fitForest(stepX, stepY, { trees: 1, minSamplesLeaf: 20, seed: 1 });
    expect(leaves.trees[0]).toHaveLength(1);
  });
});

describe('cross-validation and selection', () => {
  it('scores a perfect linear relation 1 and picks linear for it', () => {
    const X = Array.from({ length: 10 }, (_, i) => [i]);
    const y = X.map(([x]) => 3 * x! + 2);
    expect(crossValidatedR2('linear', X, y, { folds: 5, seed: 1 })).toBeCloseTo(1, 9);
    expect(selectModel(X, y, ['linear', 'polynomial', 'forest']).kind).toBe('linear');
  });

  it('picks the forest for a step and the polynomial for a parabola', () => {
    expect(selectModel(stepX, stepY).kind).toBe('forest');
    const X = Array.from({ length: 12 }, (_, i) => [i - 6]);
    const y = X.map(([x]) => x! * x! - 2 * x! + 1);
    const s = selectModel(X, y);
    expect(s.kind).toBe('polynomial');
    expect(s.scores.polynomial).toBeCloseTo(1, 6);
    expect(s.scores.linear).toBeLessThan(0.5);
  });

  it('refuses fewer than 2 rows', () => {
    expect(() => crossValidatedR2('linear', [[1]], [1])).toThrow(RangeError);
  });
});

describe('bootstrap intervals', () => {
  it('quantile interpolates linearly', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20], 0.025)).toBeCloseTo(10.25, 12);
  });

  it('brackets the prediction, shrinks with less noise and is seeded', () => {
    const X = Array.from({ length: 30 }, (_, i) => [i]);
    const noise = mulberry32(5);
    const noisy = X.map(([x]) => 2 * x! + 1 + (noise() - 0.5) * 10);
    const clean = X.map(([x]) => 2 * x! + 1 + (noise() - 0.5) * 0.1);
    const a = predictWithInterval(fitWithBootstrap('linear', X, noisy, { seed: 9 }), [15]);
    const b = predictWithInterval(fitWithBootstrap('linear', X, clean, { seed: 9 }), [15]);
    expect(a.low).toBeLessThan(a.value);
    expect(a.high).toBeGreaterThan(a.value);
    expect(a.value).toBeCloseTo(31, 0);
    expect(b.high - b.low).toBeLessThan((a.high - a.low) / 10);
    expect(predictWithInterval(fitWithBootstrap('linear', X, noisy, { seed: 9 }), [15])).toEqual(a);
    expect(a.level).toBe(0.95);
  });

  it('gives a forest an interval from its trees', () => {
    const fitted = fitWithBootstrap('forest', stepX, stepY, { forest: { seed: 2 } });
    expect(fitted.bootstrap).toHaveLength(0);
    const p = predictWithInterval(fitted, [5]);
    expect(p.low).toBeLessThanOrEqual(p.value);
    expect(p.high).toBeGreaterThanOrEqual(p.value);
    expect(p.high).toBeLessThanOrEqual(50);
    expect(p.low).toBeGreaterThanOrEqual(10);
  });
});
