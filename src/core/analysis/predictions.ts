import { isFfrtmpError } from '../errors.js';
import type { Prediction } from '../ml/regressor.js';
import type { ScenarioRecord } from '../run-stats.js';
import { predictMultivariate, trainMultivariate, workloadOf } from './multivariate.js';
import { type PowerPredictor, powerPointsOf, predictPower, trainPowerPredictor } from './power-model.js';

/**
 * The predictions `ffrtmp analyze` adds, as the reference analyzer did: models fitted on the
 * analyzed results themselves (seeded, so the same file gives the same numbers), then power at
 * the stream counts asked for (`--predict-future`) and, with `--multivariate`, the multivariate
 * model's power and energy for a typical workload of the run scaled to those counts.
 */

export interface StreamPrediction {
  streams: number;
  mean_watts: Prediction;
}

export interface MultivariateRow {
  streams: number;
  mean_power?: Prediction;
  energy?: Prediction;
}

export interface AnalysisPredictions {
  power: {
    model: { degree: 1 | 2; training_size: number; distinct_streams: number[]; r2: number } | null;
    predictions: StreamPrediction[];
    /** Why there is no model (too little data). */
    unavailable?: string;
  };
  multivariate?: {
    workload: { from: string; bitrate_mbps: number; fps: number; encoder: string; preset: string } | null;
    rows: MultivariateRow[];
    unavailable?: string;
  };
}

/** The reference's capacity-planning points when no counts are given. */
export const DEFAULT_PREDICT_STREAMS = [1, 2, 4, 8, 12] as const;

function insufficient(error: unknown): string {
  if (isFfrtmpError(error) && error.code === 'E_INSUFFICIENT_DATA') return error.message;
  throw error;
}

/** The power-vs-streams predictor fitted on these records; null with the reason when it cannot be. */
export function fitPowerPredictor(
  records: readonly ScenarioRecord[],
): { predictor: PowerPredictor } | { unavailable: string } {
  try {
    return { predictor: trainPowerPredictor(powerPointsOf(records)) };
  } catch (error) {
    return { unavailable: insufficient(error) };
  }
}

export function predictionsFor(
  records: readonly ScenarioRecord[],
  streams: readonly number[],
  multivariate: boolean,
): AnalysisPredictions {
  const fit = fitPowerPredictor(records);
  const out: AnalysisPredictions =
    'predictor' in fit
      ? {
          power: {
            model: {
              degree: fit.predictor.degree,
              training_size: fit.predictor.training_size,
              distinct_streams: fit.predictor.distinct_streams,
              r2: fit.predictor.r2,
            },
            predictions: streams.map((n) => ({ streams: n, mean_watts: predictPower(fit.predictor, n) })),
          },
        }
      : { power: { model: null, predictions: [], unavailable: fit.unavailable } };
  if (!multivariate) return out;

  let model: ReturnType<typeof trainMultivariate>;
  try {
    model = trainMultivariate(records, 'analysis');
  } catch (error) {
    out.multivariate = { workload: null, rows: [], unavailable: insufficient(error) };
    return out;
  }
  // The typical workload: the first completed encode, per stream, scaled to each count.
  const typical = records.map((r) => ({ r, w: workloadOf(r) })).find((x) => x.w !== undefined);
  if (!typical?.w) {
    out.multivariate = {
      workload: null,
      rows: [],
      unavailable: 'no completed encode to take a workload from',
    };
    return out;
  }
  const w = typical.w;
  const pixelsPerStream = w.totalPixels / w.streams;
  out.multivariate = {
    workload: {
      from: typical.r.name,
      bitrate_mbps: w.bitrateMbps,
      fps: w.fps,
      encoder: w.encoder,
      preset: w.preset,
    },
    rows: streams.map((n) => {
      const { predictions } = predictMultivariate(model, {
        ...w,
        streams: n,
        totalPixels: pixelsPerStream * n,
      });
      return {
        streams: n,
        ...(predictions.mean_power ? { mean_power: predictions.mean_power } : {}),
        ...(predictions.energy ? { energy: predictions.energy } : {}),
      };
    }),
  };
  return out;
}
