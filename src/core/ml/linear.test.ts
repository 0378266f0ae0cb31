import { describe, expect, it } from 'vitest';
import { fitLinear, predictLinear, solveLeastSquaresQr } from './linear.js';
import { polynomialFeatures, fitPolynomial, predictPolynomial } from './polynomial.js';

describe('fitLinear', () => {
  it('recovers y = 2x + 1 exactly', () => {
    const X = [[0], [1], [2], [3], [4]];
    const m = fitLinear(X, [1, 3, 5, 7, 9]);
    expect(m.intercept).toBeCloseTo(1, 9);
    expect(m.coefficients[0]).toBeCloseTo(2, 9);
    expect(predictLinear(m, [10])).toBeCloseTo(21, 8);
  });

  it('gives the textbook least-squares line for noisy points', () => {
    // x = 1..4, y = [2, 3, 5, 4]: slope Sxy/Sxx = 4/5 = 0.8, intercept 3.5 − 0.8·2.5 = 1.5.
    const m = fitLinear([[1], [2], [3], [4]], [2, 3, 5, 4]);
    expect(m.coefficients[0]).toBeCloseTo(0.8, 9);
    expect(m.intercept).toBeCloseTo(1.5, 9);
  });

  it('recovers two features of very different scale (pixels next to fps)', () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 12; i++) {
      const pixels = 1e9 * (1 + (i % 4));
      const fps = 24 + 6 * (i % 3);
      X.push([pixels, fps]);
      y.push(3e-8 * pixels + 0.5 * fps + 10);
    }
    const m = fitLinear(X, y);
    expect(m.coefficients[0]).toBeCloseTo(3e-8, 14);
    expect(m.coefficients[1]).toBeCloseTo(0.5, 7);
    expect(m.intercept).toBeCloseTo(10, 6);
  });

  it('survives a constant and a duplicated column (no NaN), still fitting the data', () => {
    const X = [0, 1, 2, 3].map((x) => [x, 7, x]);
    const m = fitLinear(X, [1, 3, 5, 7]);
    for (const c of m.coefficients) expect(Number.isFinite(c)).toBe(true);
    expect(m.coefficients[1]).toBeCloseTo(0, 12);
    expect(m.coefficients[0]! + m.coefficients[2]!).toBeCloseTo(2, 8);
    expect(predictLinear(m, [5, 7, 5])).toBeCloseTo(11, 7);
  });

  it('rejects ragged, empty and non-finite data', () => {
    expect(() => fitLinear([], [])).toThrow(RangeError);
    expect(() => fitLinear([[1], [1, 2]], [1, 2])).toThrow(/features/);
    expect(() => fitLinear([[1], [Number.NaN]], [1, 2])).toThrow(/finite/);
  });

  it('solveLeastSquaresQr solves a square system', () => {
    // 2a + b = 5, a + 3b = 10 → a = 1, b = 3.
    const [a, b] = solveLeastSquaresQr(
      [
        [2, 1],
        [1, 3],
      ],
      [5, 10],
    );
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(3, 12);
  });
});

describe('polynomial', () => {
  it('expands [a, b] at degree 2 to [a, b, a², ab, b²]', () => {
    expect(polynomialFeatures([2, 3], 2)).toEqual([2, 3, 4, 6, 9]);
    expect(polynomialFeatures([2], 3)).toEqual([2, 4, 8]);
    expect(() => polynomialFeatures([1], 0)).toThrow(RangeError);
  });

  it('recovers the parabola y = 0.5x² − 3x + 4', () => {
    const xs = [-2, -1, 0, 1, 2, 3, 4, 5, 6];
    const m = fitPolynomial(
      xs.map((x) => [x]),
      xs.map((x) => 0.5 * x * x - 3 * x + 4),
      2,
    );
    for (const x of [-3, 2.5, 7, 10])
      expect(predictPolynomial(m, [x])).toBeCloseTo(0.5 * x * x - 3 * x + 4, 6);
  });
});
