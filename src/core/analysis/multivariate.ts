/**
 * The multivariate predictor (DESIGN §8): from a workload — streams, bitrate, total pixels, fps,
 * encoder and preset (one-hot) and a hash of the hardware id — predict mean power (W), energy (J)
 * or efficiency (pixels per joule). For each target the linear, polynomial (degree 2) and
 * random-forest regressors are scored by k-fold cross-validated R² and the best is kept, with seeded
 * bootstrap intervals. Pure: records in, plain JSON-able data out.
 */
import { FfrtmpError } from '../errors.js';
import { isRecord } from '../guards.js';
import { hardwareHash } from '../hardware-id.js';
import {
  type FittedRegressor,
  type ModelKind,
  type Prediction,
  fitWithBootstrap,
  predictWithInterval,
  selectModel,
} from '../ml/regressor.js';
import { parseBitrateKbps, parseResolution } from '../units.js';
import { type OutputShape, bitrateMbps, streamCount, totalPixels } from './measures.js';

export const TARGETS = ['mean_power', 'energy', 'efficiency'] as const;
export type Target = (typeof TARGETS)[number];
export const TARGET_UNITS: Record<Target, string> = { mean_power: 'W', energy: 'J', efficiency: 'pixels/J' };

/** Rows a target needs before it is trained: 2 to cross-validate, 4 to mean anything. */
export const MIN_MULTIVARIATE_ROWS = 4;

export interface Workload {
  streams: number;
  /** Per-stream bitrate in Mbps (a mixed multi: the mean of its streams). */
  bitrateMbps: number;
  /** Σ over outputs of width × height × fps × duration. */
  totalPixels: number;
  fps: number;
  encoder: string;
  preset: string;
}

export interface TargetModel {
  selected: ModelKind;
  cv_r2: Partial<Record<ModelKind, number>>;
  training_size: number;
  fitted: FittedRegressor;
}

export interface MultivariatePredictor {
  kind: 'multivariate';
  hardware_id: string;
  feature_names: string[];
  encoders: string[];
  presets: string[];
  /** Median training duration (s): what predict assumes when not told. */
  default_duration: number;
  targets: Partial<Record<Target, TargetModel>>;
}

function positive(section: unknown, key: string): number | undefined {
  if (!isRecord(section)) return undefined;
  const v = section[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Per-stream Mbps: `5000k` → 5; a mixed multi's `1000k,2500k` → the mean of its streams. */
function perStreamMbps(bitrate: unknown): number {
  const parts = typeof bitrate === 'string' ? bitrate.split(',').length : 1;
  return bitrateMbps(bitrate) / parts;
}

function durationOf(r: Record<string, unknown>): number | undefined {
  if (typeof r.duration === 'number' && r.duration > 0) return r.duration;
  const window = isRecord(r.energy) ? r.energy.window : undefined;
  return positive(window, 'duration_sec') ?? positive(r.power, 'duration_sec');
}

/** The workload of a completed encode record; undefined for baselines and incomplete records. */
export function workloadOf(record: unknown): (Workload & { duration: number }) | undefined {
  if (!isRecord(record)) return undefined;
  if (record.status !== undefined && record.status !== 'completed') return undefined;
  if (record.streams === 0 || record.kind === 'baseline' || typeof record.name !== 'string') return undefined;
  if (typeof record.encoder !== 'string') return undefined;
  const streams = streamCount(record.name, typeof record.streams === 'number' ? record.streams : null);
  const bitrateMbps = perStreamMbps(record.bitrate);
  const duration = durationOf(record);
  const fps = typeof record.fps === 'number' && record.fps > 0 ? record.fps : undefined;
  if (!(bitrateMbps > 0) || !duration || !fps) return undefined;
  const outputs = Array.isArray(record.outputs)
    ? record.outputs.filter(
        (o): o is OutputShape => isRecord(o) && typeof o.resolution === 'string' && typeof o.fps === 'number',
      )
    : [];
  const pixels = totalPixels({
    outputs,
    resolution: typeof record.resolution === 'string' ? record.resolution : null,
    fps,
    duration,
  });
  if (!pixels) return undefined;
  const preset = typeof record.preset === 'string' ? record.preset : '';
  return { streams, bitrateMbps, totalPixels: pixels, fps, encoder: record.encoder, preset, duration };
}

/** The measured targets of a record (those present and > 0). */
export function targetsOf(record: unknown, workload: Workload): Partial<Record<Target, number>> {
  if (!isRecord(record)) return {};
  const out: Partial<Record<Target, number>> = {};
  const watts = positive(record.power, 'mean_watts');
  const joules = positive(record.energy, 'total_joules') ?? positive(record.power, 'total_energy_joules');
  if (watts !== undefined) out.mean_power = watts;
  if (joules !== undefined) {
    out.energy = joules;
    out.efficiency = workload.totalPixels / joules;
  }
  return out;
}

export interface WorkloadInput {
  streams?: number;
  /** `5000k`, `5M`, or a number of kbps. */
  bitrate: string | number;
  resolution: string;
  fps: number;
  encoder: string;
  preset?: string;
  /** Seconds (default: the model's default_duration). */
  duration?: number;
}

/** A workload from what a user types (`--bitrate 5M --resolution 1920x1080 --fps 30 …`). */
export function toWorkload(input: WorkloadInput, defaultDuration: number): Workload {
  const problems: string[] = [];
  const streams = input.streams ?? 1;
  const kbps = parseBitrateKbps(input.bitrate);
  const size = parseResolution(input.resolution);
  const duration = input.duration ?? defaultDuration;
  if (!Number.isInteger(streams) || streams < 1)
    problems.push(`streams: expected a whole number ≥ 1, got ${streams}`);
  if (kbps === undefined) problems.push(`bitrate: expected e.g. 2500k or 5M, got "${input.bitrate}"`);
  if (!size) problems.push(`resolution: expected WIDTHxHEIGHT, got "${input.resolution}"`);
  if (!(input.fps > 0)) problems.push(`fps: expected a number > 0, got ${input.fps}`);
  if (!(duration > 0)) problems.push(`duration: expected seconds > 0, got ${duration}`);
  if (problems.length > 0 || !size || kbps === undefined)
    throw new FfrtmpError('E_INVALID_PARAMETER', problems.join('; '));
  return {
    streams,
    bitrateMbps: kbps / 1000,
    totalPixels: streams * size.width * size.height * input.fps * duration,
    fps: input.fps,
    encoder: input.encoder,
    preset: input.preset ?? '',
  };
}

function featureVector(
  w: Workload,
  m: Pick<MultivariatePredictor, 'hardware_id' | 'encoders' | 'presets'>,
): number[] {
  return [
    w.streams,
    w.bitrateMbps,
    w.totalPixels,
    w.fps,
    hardwareHash(m.hardware_id),
    ...m.encoders.map((e) => (e === w.encoder ? 1 : 0)),
    ...m.presets.map((p) => (p === w.preset ? 1 : 0)),
  ];
}

export interface MultivariateTrainOptions {
  seed?: number;
  /** Bootstrap resamples for linear/polynomial intervals (default 200). */
  iterations?: number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Trains every target with at least MIN_MULTIVARIATE_ROWS measured rows; E_INSUFFICIENT_DATA when
 * no target has enough.
 */
export function trainMultivariate(
  records: readonly unknown[],
  hardwareId: string,
  options: MultivariateTrainOptions = {},
): MultivariatePredictor {
  const rows = records.flatMap((r) => {
    const w = workloadOf(r);
    return w ? [{ w, t: targetsOf(r, w) }] : [];
  });
  const seed = options.seed ?? 42;
  const base = {
    hardware_id: hardwareId,
    encoders: [...new Set(rows.map((r) => r.w.encoder))].sort(),
    presets: [...new Set(rows.map((r) => r.w.preset))].sort(),
  };
  const predictor: MultivariatePredictor = {
    kind: 'multivariate',
    ...base,
    feature_names: [
      'streams',
      'bitrate_mbps',
      'total_pixels',
      'fps',
      'hardware_hash',
      ...base.encoders.map((e) => `encoder=${e}`),
      ...base.presets.map((p) => `preset=${p}`),
    ],
    default_duration: rows.length > 0 ? median(rows.map((r) => r.w.duration)) : 60,
    targets: {},
  };
  for (const target of TARGETS) {
    const usable = rows.filter((r) => r.t[target] !== undefined);
    if (usable.length < MIN_MULTIVARIATE_ROWS) continue;
    const X = usable.map((r) => featureVector(r.w, base));
    const y = usable.map((r) => r.t[target]!);
    const forest = { seed };
    const selection = selectModel(X, y, ['linear', 'polynomial', 'forest'], { seed, forest });
    predictor.targets[target] = {
      selected: selection.kind,
      cv_r2: selection.scores,
      training_size: usable.length,
      fitted: fitWithBootstrap(selection.kind, X, y, {
        seed,
        forest,
        ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
      }),
    };
  }
  if (Object.keys(predictor.targets).length === 0)
    throw new FfrtmpError(
      'E_INSUFFICIENT_DATA',
      `the multivariate predictor needs ${MIN_MULTIVARIATE_ROWS} or more completed encodes with bitrate, resolution, fps, duration, encoder and measured power; found ${rows.length} usable of ${records.length} record(s)`,
    );
  return predictor;
}

/**
 * Predictions for every trained target, clamped at 0 (power, energy and efficiency are never
 * negative). An encoder or preset the model never saw gets all-zero one-hot columns; `unseen`
 * says so, as such a prediction is an extrapolation.
 */
export function predictMultivariate(
  model: MultivariatePredictor,
  workload: Workload,
): { predictions: Partial<Record<Target, Prediction>>; unseen: string[] } {
  const x = featureVector(workload, model);
  const unseen: string[] = [];
  if (!model.encoders.includes(workload.encoder)) unseen.push(`encoder ${workload.encoder}`);
  if (!model.presets.includes(workload.preset)) unseen.push(`preset ${workload.preset || '(none)'}`);
  const predictions: Partial<Record<Target, Prediction>> = {};
  for (const target of TARGETS) {
    const t = model.targets[target];
    if (!t) continue;
    const p = predictWithInterval(t.fitted, x);
    predictions[target] = {
      value: Math.max(0, p.value),
      low: Math.max(0, p.low),
      high: Math.max(0, p.high),
      level: p.level,
    };
  }
  return { predictions, unseen };
}
