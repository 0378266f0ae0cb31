/**
 * Power vs number of concurrent streams (the reference's power predictor, DESIGN §8): ordinary
 * least squares on the stream count, a quadratic (streams, streams²) once the data hold at least 6
 * distinct counts — fewer cannot tell curvature from noise — with seeded bootstrap intervals.
 * Predictions are clamped at 0 W: a negative power is an extrapolation artefact, never a reading.
 */
import { FfrtmpError } from '../errors.js';
import { isRecord } from '../guards.js';
import {
  type FittedRegressor,
  type Prediction,
  crossValidatedR2,
  fitWithBootstrap,
  predictModel,
  predictWithInterval,
  r2Score,
} from '../ml/regressor.js';
import { streamCount } from './measures.js';

/** Distinct stream counts from which the quadratic is fitted. */
export const QUADRATIC_FROM_DISTINCT_COUNTS = 6;

export interface PowerPoint {
  name: string;
  streams: number;
  watts: number;
}

export interface PowerPredictor {
  kind: 'power_vs_streams';
  /** 1: watts = a + b·s; 2: watts = a + b·s + c·s². */
  degree: 1 | 2;
  fitted: FittedRegressor;
  training_size: number;
  distinct_streams: number[];
  /** In-sample R². */
  r2: number;
  /** k-fold (k = min(5, n)) cross-validated R²; null below 3 points. */
  cv_r2: number | null;
}

function positive(section: unknown, key: string): number | undefined {
  if (!isRecord(section)) return undefined;
  const v = section[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * (streams, mean watts) of each record that completed (or has no status, as the reference's files)
 * and has `power.mean_watts` > 0. Streams: the record's `streams` (0 for a baseline), else 0 for a
 * baseline (kind or name), else what the name says through the one parser (`streamCount`). A
 * baseline is the point at 0 streams: idle power anchors the intercept.
 */
export function powerPointsOf(records: readonly unknown[]): PowerPoint[] {
  const points: PowerPoint[] = [];
  for (const r of records) {
    if (!isRecord(r) || typeof r.name !== 'string') continue;
    if (r.status !== undefined && r.status !== 'completed') continue;
    const watts = positive(r.power, 'mean_watts');
    if (watts === undefined) continue;
    const field = typeof r.streams === 'number' && Number.isInteger(r.streams) ? r.streams : null;
    const baseline = field === 0 || (field === null && (r.kind === 'baseline' || /baseline/i.test(r.name)));
    points.push({ name: r.name, streams: baseline ? 0 : streamCount(r.name, field), watts });
  }
  return points;
}

function features(streams: number, degree: 1 | 2): number[] {
  return degree === 1 ? [streams] : [streams, streams * streams];
}

export interface PowerTrainOptions {
  seed?: number;
  /** Bootstrap resamples for the intervals (default 200). */
  iterations?: number;
}

/** Fits the predictor; E_INSUFFICIENT_DATA below 2 distinct stream counts. */
export function trainPowerPredictor(
  points: readonly PowerPoint[],
  options: PowerTrainOptions = {},
): PowerPredictor {
  const distinct = [...new Set(points.map((p) => p.streams))].sort((a, b) => a - b);
  if (distinct.length < 2)
    throw new FfrtmpError(
      'E_INSUFFICIENT_DATA',
      `the power predictor needs measured power at 2 or more different stream counts, got ${points.length} point(s) at ${distinct.length === 0 ? 'none' : distinct.join(', ')}: run e.g. \`ffrtmp test multi --count 2\` and \`--count 4\``,
    );
  const degree: 1 | 2 = distinct.length >= QUADRATIC_FROM_DISTINCT_COUNTS ? 2 : 1;
  const X = points.map((p) => features(p.streams, degree));
  const y = points.map((p) => p.watts);
  const seed = options.seed ?? 42;
  const fitted = fitWithBootstrap('linear', X, y, {
    seed,
    ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
  });
  return {
    kind: 'power_vs_streams',
    degree,
    fitted,
    training_size: points.length,
    distinct_streams: distinct,
    r2: r2Score(
      y,
      X.map((x) => predictModel(fitted.model, x)),
    ),
    cv_r2: points.length >= 3 ? crossValidatedR2('linear', X, y, { seed }) : null,
  };
}

/** Predicted mean watts at `streams` concurrent streams, clamped at 0, with its interval. */
export function predictPower(predictor: PowerPredictor, streams: number): Prediction {
  if (!Number.isFinite(streams) || streams < 0)
    throw new FfrtmpError('E_INVALID_PARAMETER', `streams: expected a number ≥ 0, got ${streams}`);
  const p = predictWithInterval(predictor.fitted, features(streams, predictor.degree));
  return { value: Math.max(0, p.value), low: Math.max(0, p.low), high: Math.max(0, p.high), level: p.level };
}
