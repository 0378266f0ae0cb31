/**
 * A job's energy before it runs (DESIGN §8): the models trained for a node's hardware id, given to
 * the master as data (the CLI reads `models/<hardware_id>/…`), applied to a job's parameters. The
 * multivariate predictor when the job names a full workload (bitrate, resolution, fps, encoder),
 * else power vs stream count. Pure.
 */
import { isFfrtmpError } from '../errors.js';
import { toHardwareId } from '../hardware-id.js';
import type { JobParameters } from '../job-parameters.js';
import type { Node } from '../node.js';
import { type MultivariatePredictor, predictMultivariate, toWorkload } from './multivariate.js';
import { type PowerPredictor, predictPower } from './power-model.js';

/** The trained models of one hardware id (what `loadModels` returns, metadata aside). */
export interface PredictionModels {
  power: PowerPredictor | null;
  multivariate: MultivariatePredictor | null;
}

/** Models by hardware id. */
export type ModelSet = ReadonlyMap<string, PredictionModels>;

export interface JobPrediction {
  /** Predicted mean CPU package power, W. */
  mean_power_w: number;
  /** Predicted energy of the job, J (multivariate energy model, else mean power × duration). */
  energy_j: number | null;
  /** 95 % interval of mean_power_w. */
  low: number;
  high: number;
  model: 'multivariate' | 'power_vs_streams';
  hardware_id: string;
}

/**
 * The hardware id of a registered node: its CPU model and OS. Agents run on Linux (RAPL, /proc);
 * a node label `platform` overrides that for one that does not.
 */
export function nodeHardwareId(node: Pick<Node, 'cpu_model' | 'labels'>): string {
  return toHardwareId(node.cpu_model, node.labels.platform ?? 'linux');
}

/** Concurrent streams a job encodes: 0 for a baseline. */
export function jobStreams(p: Pick<JobParameters, 'type' | 'streams' | 'bitrates'>): number {
  if (p.type === 'baseline') return 0;
  return p.streams ?? (p.bitrates && p.bitrates.length > 1 ? p.bitrates.length : 1);
}

function fromMultivariate(
  model: MultivariatePredictor,
  p: JobParameters,
  hardwareId: string,
): JobPrediction | null {
  if (p.type === 'baseline' || !p.bitrate || !p.resolution || !p.fps || !p.encoder) return null;
  let workload: ReturnType<typeof toWorkload>;
  try {
    workload = toWorkload(
      {
        streams: jobStreams(p),
        bitrate: p.bitrate,
        resolution: p.resolution,
        fps: p.fps,
        encoder: p.encoder,
        ...(p.preset === undefined ? {} : { preset: p.preset }),
        ...(p.duration === undefined ? {} : { duration: p.duration }),
      },
      model.default_duration,
    );
  } catch (error) {
    if (isFfrtmpError(error)) return null;
    throw error;
  }
  const { predictions } = predictMultivariate(model, workload);
  const power = predictions.mean_power;
  if (!power) return null;
  const duration = p.duration ?? model.default_duration;
  return {
    mean_power_w: power.value,
    energy_j: predictions.energy?.value ?? power.value * duration,
    low: power.low,
    high: power.high,
    model: 'multivariate',
    hardware_id: hardwareId,
  };
}

/** The prediction for a job on hardware with these models; null when no model applies. */
export function predictJob(
  models: PredictionModels,
  hardwareId: string,
  parameters: JobParameters,
): JobPrediction | null {
  const mv = models.multivariate ? fromMultivariate(models.multivariate, parameters, hardwareId) : null;
  if (mv) return mv;
  if (!models.power) return null;
  const p = predictPower(models.power, jobStreams(parameters));
  return {
    mean_power_w: p.value,
    energy_j: parameters.duration === undefined ? null : p.value * parameters.duration,
    low: p.low,
    high: p.high,
    model: 'power_vs_streams',
    hardware_id: hardwareId,
  };
}
