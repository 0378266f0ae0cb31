/**
 * Ordinary least squares, solved by Householder QR on standardized columns with a tiny ridge.
 *
 * Why this solver: the normal equations square the condition number (features such as total
 * pixels, ~1e10, next to fps, ~30, would lose every digit), while QR works on X itself. Columns are
 * centred and scaled to unit standard deviation first, and the system is augmented with rows
 * √λ·I, λ = 1e-10 · n: that solves min ‖Xβ − y‖² + λ‖β‖², which for a full-rank X differs from
 * OLS by a relative 1e-10 (y = 2x + 1 comes back to 9 digits), and keeps a constant or duplicated
 * column (one encoder in every row, the hardware hash) from making R singular — such a column
 * gets a zero or a shared weight instead of NaN. The intercept is not penalized.
 */

export interface LinearModel {
  kind: 'linear';
  intercept: number;
  coefficients: number[];
}

export interface LinearFitOptions {
  /** λ per row (default 1e-10): the ridge is λ·n on standardized columns. */
  ridge?: number;
}

export const DEFAULT_RIDGE = 1e-10;

function assertData(X: readonly (readonly number[])[], y: readonly number[]): number {
  if (X.length === 0 || X.length !== y.length)
    throw new RangeError(`need as many rows as targets (≥ 1), got ${X.length} rows and ${y.length} targets`);
  const p = X[0]!.length;
  for (const row of X) {
    if (row.length !== p) throw new RangeError(`every row needs ${p} features, got one with ${row.length}`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`feature value is not finite: ${v}`);
  }
  for (const v of y) if (!Number.isFinite(v)) throw new RangeError(`target value is not finite: ${v}`);
  return p;
}

/** Least squares solution of A·β = b (A m×p, m ≥ p, full column rank) by Householder QR. */
export function solveLeastSquaresQr(A: number[][], b: number[]): number[] {
  const m = A.length;
  const p = A[0]?.length ?? 0;
  const R = A.map((row) => [...row]);
  const qtb = [...b];
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += R[i]![k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = R[k]![k]! > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let i = k; i < m; i++) v[i] = R[i]![k]!;
    v[k]! -= alpha;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    for (let j = k; j < p; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i]! * R[i]![j]!;
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) R[i]![j]! -= f * v[i]!;
    }
    let dot = 0;
    for (let i = k; i < m; i++) dot += v[i]! * qtb[i]!;
    const f = (2 * dot) / vv;
    for (let i = k; i < m; i++) qtb[i]! -= f * v[i]!;
  }
  const beta = new Array<number>(p).fill(0);
  for (let k = p - 1; k >= 0; k--) {
    let s = qtb[k]!;
    for (let j = k + 1; j < p; j++) s -= R[k]![j]! * beta[j]!;
    const d = R[k]![k]!;
    beta[k] = d === 0 ? 0 : s / d;
  }
  return beta;
}

/** Fits y ≈ intercept + Σ coefficients·x. Throws RangeError for empty, ragged or non-finite data. */
export function fitLinear(
  X: readonly (readonly number[])[],
  y: readonly number[],
  options: LinearFitOptions = {},
): LinearModel {
  const p = assertData(X, y);
  const n = X.length;
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const means = new Array<number>(p).fill(0);
  const scales = new Array<number>(p).fill(1);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (const row of X) s += row[j]!;
    means[j] = s / n;
    let ss = 0;
    for (const row of X) ss += (row[j]! - means[j]!) ** 2;
    const sd = Math.sqrt(ss / n);
    scales[j] = sd > 0 ? sd : 1;
  }
  const lambda = (options.ridge ?? DEFAULT_RIDGE) * n;
  const root = Math.sqrt(lambda);
  const A: number[][] = X.map((row) => row.map((v, j) => (v - means[j]!) / scales[j]!));
  const b = y.map((v) => v - yMean);
  for (let j = 0; j < p; j++) {
    const row = new Array<number>(p).fill(0);
    row[j] = root;
    A.push(row);
    b.push(0);
  }
  const standardized = p === 0 ? [] : solveLeastSquaresQr(A, b);
  const coefficients = standardized.map((c, j) => c / scales[j]!);
  const intercept = yMean - coefficients.reduce((s, c, j) => s + c * means[j]!, 0);
  return { kind: 'linear', intercept, coefficients };
}

export function predictLinear(model: LinearModel, x: readonly number[]): number {
  let s = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) s += model.coefficients[j]! * (x[j] ?? 0);
  return s;
}
