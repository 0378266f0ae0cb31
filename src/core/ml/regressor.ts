/**
 * One interface over the three regressors, model selection by k-fold cross-validated R², and
 * seeded bootstrap confidence intervals for predictions.
 */
import { type ForestModel, type ForestOptions, fitForest, predictForest, treePredictions } from './forest.js';
import { type LinearModel, fitLinear, predictLinear } from './linear.js';
import { type PolynomialModel, fitPolynomial, predictPolynomial } from './polynomial.js';
import { bootstrapIndices, mulberry32, randomInt, shuffledIndices } from './random.js';

export const MODEL_KINDS = ['linear', 'polynomial', 'forest'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type RegressionModel = LinearModel | PolynomialModel | ForestModel;

export interface FitOptions {
  /** Polynomial degree (default 2). */
  degree?: number;
  ridge?: number;
  forest?: ForestOptions;
}

type Rows = readonly (readonly number[])[];

export function fitModel(
  kind: ModelKind,
  X: Rows,
  y: readonly number[],
  options: FitOptions = {},
): RegressionModel {
  const ridge = options.ridge === undefined ? {} : { ridge: options.ridge };
  if (kind === 'linear') return fitLinear(X, y, ridge);
  if (kind === 'polynomial') return fitPolynomial(X, y, options.degree ?? 2, ridge);
  return fitForest(X, y, options.forest);
}

export function predictModel(model: RegressionModel, x: readonly number[]): number {
  if (model.kind === 'linear') return predictLinear(model, x);
  if (model.kind === 'polynomial') return predictPolynomial(model, x);
  return predictForest(model, x);
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot. Worked example: y = [1, 2, 3], ŷ = [1, 2, 4]
 * → SS_res 1, SS_tot 2, R² = 0.5. When every y is equal (SS_tot = 0) it is 1 for a perfect fit and
 * 0 otherwise, so a constant target never yields ±Infinity.
 */
export function r2Score(y: readonly number[], predicted: readonly number[]): number {
  if (y.length === 0 || y.length !== predicted.length)
    throw new RangeError(`r2Score needs equal, non-empty lists, got ${y.length} and ${predicted.length}`);
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i]! - predicted[i]!) ** 2;
    tot += (y[i]! - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

export interface CrossValidationOptions extends FitOptions {
  /** Folds (default 5; at most the number of rows: leave-one-out for small data). */
  folds?: number;
  seed?: number;
}

/**
 * k-fold cross-validated R²: rows shuffled with the seed and dealt into k folds; each fold is
 * predicted by a model fitted on the others; R² of the pooled out-of-fold predictions against y.
 * Needs at least 2 rows.
 */
export function crossValidatedR2(
  kind: ModelKind,
  X: Rows,
  y: readonly number[],
  options: CrossValidationOptions = {},
): number {
  const n = X.length;
  if (n < 2 || n !== y.length) throw new RangeError(`cross-validation needs at least 2 rows, got ${n}`);
  const k = Math.min(options.folds ?? 5, n);
  if (k < 2) throw new RangeError(`cross-validation needs at least 2 folds, got ${k}`);
  const order = shuffledIndices(mulberry32(options.seed ?? 42), n);
  const predicted = new Array<number>(n).fill(0);
  for (let f = 0; f < k; f++) {
    const test = order.filter((_, i) => i % k === f);
    const train = order.filter((_, i) => i % k !== f);
    const model = fitModel(
      kind,
      train.map((i) => X[i]!),
      train.map((i) => y[i]!),
      options,
    );
    for (const i of test) predicted[i] = predictModel(model, X[i]!);
  }
  return r2Score(y, predicted);
}

export interface Selection {
  kind: ModelKind;
  /** Cross-validated R² of every candidate that could be evaluated. */
  scores: Partial<Record<ModelKind, number>>;
}

/**
 * The candidate with the highest cross-validated R²; on a tie (within 1e-9) the earlier, simpler
 * one in `candidates` wins.
 */
export function selectModel(
  X: Rows,
  y: readonly number[],
  candidates: readonly ModelKind[] = MODEL_KINDS,
  options: CrossValidationOptions = {},
): Selection {
  const scores: Partial<Record<ModelKind, number>> = {};
  let best: ModelKind | undefined;
  for (const kind of candidates) {
    const score = crossValidatedR2(kind, X, y, options);
    scores[kind] = score;
    if (best === undefined || score > (scores[best] ?? Number.NEGATIVE_INFINITY) + 1e-9) best = kind;
  }
  if (best === undefined) throw new RangeError('selectModel needs at least one candidate');
  return { kind: best, scores };
}

/** The value at quantile q of ascending `sorted` values, by linear interpolation (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** A fitted model plus what its prediction intervals need. */
export interface FittedRegressor {
  model: RegressionModel;
  /** Linear and polynomial: the model refitted on bootstrap resamples of the rows. */
  bootstrap: RegressionModel[];
  /** Confidence level of intervals (default 0.95). */
  level: number;
  seed: number;
}

export interface BootstrapOptions extends FitOptions {
  /** Resamples (default 200). */
  iterations?: number;
  seed?: number;
  level?: number;
}

function distinctRows(X: Rows, rows: readonly number[]): number {
  return new Set(rows.map((i) => X[i]!.join(','))).size;
}

/**
 * Fits `kind` on all rows and prepares bootstrap intervals. Linear and polynomial models are
 * refitted on `iterations` resamples (rows drawn with replacement, seeded; a resample with fewer
 * distinct rows than features + 1 cannot identify the model — three copies of one point say
 * nothing of a slope — and is drawn again, up to 20 times); a forest is already
 * an ensemble of trees grown on bootstrap samples, so its interval resamples its trees instead
 * (see predictWithInterval) and nothing more is stored.
 */
export function fitWithBootstrap(
  kind: ModelKind,
  X: Rows,
  y: readonly number[],
  options: BootstrapOptions = {},
): FittedRegressor {
  const seed = options.seed ?? 42;
  const model = fitModel(kind, X, y, options);
  const bootstrap: RegressionModel[] = [];
  if (kind !== 'forest') {
    const random = mulberry32(seed);
    const needed = Math.min(
      (X[0]?.length ?? 0) + 1,
      distinctRows(
        X,
        X.map((_, i) => i),
      ),
    );
    for (let b = 0; b < (options.iterations ?? 200); b++) {
      let rows = bootstrapIndices(random, X.length);
      for (let retry = 0; retry < 20 && distinctRows(X, rows) < needed; retry++)
        rows = bootstrapIndices(random, X.length);
      bootstrap.push(
        fitModel(
          kind,
          rows.map((i) => X[i]!),
          rows.map((i) => y[i]!),
          options,
        ),
      );
    }
  }
  return { model, bootstrap, level: options.level ?? 0.95, seed };
}

export interface Prediction {
  value: number;
  /** Percentile bootstrap interval at `level`. */
  low: number;
  high: number;
  level: number;
}

const FOREST_RESAMPLES = 200;

/**
 * The model's prediction at x with a percentile bootstrap interval: the (1−level)/2 and
 * (1+level)/2 quantiles of the bootstrap models' predictions (linear, polynomial), or of the means
 * of 200 seeded resamples of the forest's trees. Deterministic for a given model and x.
 */
export function predictWithInterval(fitted: FittedRegressor, x: readonly number[]): Prediction {
  const value = predictModel(fitted.model, x);
  let draws: number[];
  if (fitted.model.kind === 'forest') {
    const perTree = treePredictions(fitted.model, x);
    const random = mulberry32(fitted.seed);
    draws = Array.from({ length: FOREST_RESAMPLES }, () => {
      let s = 0;
      for (let t = 0; t < perTree.length; t++) s += perTree[randomInt(random, perTree.length)]!;
      return s / perTree.length;
    });
  } else {
    draws = fitted.bootstrap.map((m) => predictModel(m, x));
  }
  if (draws.length === 0) return { value, low: value, high: value, level: fitted.level };
  draws.sort((a, b) => a - b);
  const alpha = (1 - fitted.level) / 2;
  return {
    value,
    low: Math.min(value, quantile(draws, alpha)),
    high: Math.max(value, quantile(draws, 1 - alpha)),
    level: fitted.level,
  };
}
