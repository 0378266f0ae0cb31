/**
 * Polynomial regression: inputs standardized (so that squares of pixel counts stay in range), then
 * expanded to every monomial up to `degree` (x₁, x₂, x₁², x₁x₂, x₂², …), then OLS.
 */
import { type LinearFitOptions, type LinearModel, fitLinear, predictLinear } from './linear.js';

export interface PolynomialModel {
  kind: 'polynomial';
  degree: number;
  /** Input centring and scaling applied before the expansion. */
  means: number[];
  scales: number[];
  linear: LinearModel;
}

/** Exponent tuples of every monomial of degree 1..degree in p variables, in a fixed order. */
function monomials(p: number, degree: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, left: number, picked: number[]) => {
    if (picked.length > 0) out.push(picked);
    if (left === 0) return;
    for (let j = start; j < p; j++) walk(j, left - 1, [...picked, j]);
  };
  walk(0, degree, []);
  return out.sort((a, b) => a.length - b.length);
}

/**
 * The polynomial expansion of x: every product of 1..degree of its entries (with repetition),
 * lowest degree first. [a, b] at degree 2 → [a, b, a², ab, b²].
 */
export function polynomialFeatures(x: readonly number[], degree: number): number[] {
  if (!Number.isInteger(degree) || degree < 1)
    throw new RangeError(`degree must be a whole number ≥ 1, got ${degree}`);
  return monomials(x.length, degree).map((terms) => terms.reduce((prod, j) => prod * x[j]!, 1));
}

function standardize(x: readonly number[], means: readonly number[], scales: readonly number[]): number[] {
  return x.map((v, j) => (v - means[j]!) / scales[j]!);
}

export function fitPolynomial(
  X: readonly (readonly number[])[],
  y: readonly number[],
  degree: number,
  options: LinearFitOptions = {},
): PolynomialModel {
  const n = X.length;
  const p = X[0]?.length ?? 0;
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < p; j++) {
    const mean = X.reduce((s, row) => s + row[j]!, 0) / Math.max(n, 1);
    const sd = Math.sqrt(X.reduce((s, row) => s + (row[j]! - mean) ** 2, 0) / Math.max(n, 1));
    means.push(mean);
    scales.push(sd > 0 ? sd : 1);
  }
  const expanded = X.map((row) => polynomialFeatures(standardize(row, means, scales), degree));
  return { kind: 'polynomial', degree, means, scales, linear: fitLinear(expanded, y, options) };
}

export function predictPolynomial(model: PolynomialModel, x: readonly number[]): number {
  return predictLinear(
    model.linear,
    polynomialFeatures(standardize(x, model.means, model.scales), model.degree),
  );
}
