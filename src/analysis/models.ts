/**
 * Trained models on disk (DESIGN §8): `models/<hardware_id>/power_predictor_latest.json`,
 * `multivariate_predictor_latest.json` and `metadata.json`, written atomically (temp file +
 * rename, so a crash never leaves half a model), and read back into the same plain data — a
 * reloaded model predicts exactly what the trained one did.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeHardware } from '../agent/probe.js';
import {
  type MultivariatePredictor,
  TARGETS,
  type Target,
  trainMultivariate,
} from '../core/analysis/multivariate.js';
import { type PowerPredictor, powerPointsOf, trainPowerPredictor } from '../core/analysis/power-model.js';
import { FfrtmpError, isFfrtmpError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import { parseHardwareId, toHardwareId } from '../core/hardware-id.js';
import type { ModelKind } from '../core/ml/regressor.js';
import { type ScenarioRecord, isoUtc } from '../core/run-stats.js';
import { readResultsFile } from './results-files.js';

export const POWER_FILE = 'power_predictor_latest.json';
export const MULTIVARIATE_FILE = 'multivariate_predictor_latest.json';
export const METADATA_FILE = 'metadata.json';
const FORMAT_VERSION = 1;
const RESULTS_FILE_RE = /^test_results_\d{8}_\d{6}\.json$/;

export interface ResultsInput {
  /** Every `test_results_*.json` read, in name (= time) order. */
  files: string[];
  /** Their scenarios, in file order, normalized by the analyzer's reader (reference files too). */
  records: ScenarioRecord[];
}

/**
 * Reads every `test_results_YYYYMMDD_HHMMSS.json` in `dir` (through the analyzer's reader, one
 * parser of results files); E_INSUFFICIENT_DATA when there are none.
 */
export async function readResultsDir(dir: string): Promise<ResultsInput> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => RESULTS_FILE_RE.test(n)).sort();
  } catch (cause) {
    throw new FfrtmpError(
      'E_INSUFFICIENT_DATA',
      `cannot read results directory ${dir}: ${(cause as Error).message} (run \`ffrtmp test\` first, or pass --results-dir)`,
      { cause },
    );
  }
  if (names.length === 0)
    throw new FfrtmpError(
      'E_INSUFFICIENT_DATA',
      `no test_results_*.json in ${dir}: run \`ffrtmp test\` first, or pass --results-dir`,
    );
  const files = names.map((name) => join(dir, name));
  return { files, records: files.flatMap((path) => readResultsFile(path)) };
}

export interface HostIdentity {
  hardwareId: string;
  cpuModel: string;
  platform: string;
}

/** This machine's hardware id, from the agent's probe (no test encodes) and the OS. */
export async function detectHardwareId(
  options: { nvidiaSmi?: string; ffmpegPath?: string } = {},
): Promise<HostIdentity> {
  const report = await probeHardware({ ...options, testHardwareEncoders: false });
  return {
    hardwareId: toHardwareId(report.cpuModel, process.platform),
    cpuModel: report.cpuModel,
    platform: process.platform,
  };
}

export interface ModelMetadata {
  format_version: number;
  hardware_id: string;
  /** ISO time of training. */
  created_at: string;
  platform: string;
  cpu_model: string | null;
  model_types: {
    power_predictor: 'linear' | 'quadratic' | null;
    multivariate: Partial<Record<Target, ModelKind>>;
  };
  training_size: {
    records: number;
    power_predictor: number;
    multivariate: Partial<Record<Target, number>>;
  };
  scores: {
    power_predictor: { r2: number; cv_r2: number | null } | null;
    multivariate: Partial<Record<Target, Partial<Record<ModelKind, number>>>>;
  };
  source_files: string[];
  seed: number;
  /** Why a model was not trained. */
  skipped: string[];
}

export interface TrainedModels {
  power: PowerPredictor | null;
  multivariate: MultivariatePredictor | null;
  metadata: ModelMetadata;
}

export interface TrainOptions {
  hardwareId: string;
  platform: string;
  cpuModel?: string;
  /** Epoch ms of training (metadata.created_at). */
  now: number;
  seed?: number;
  iterations?: number;
  sourceFiles?: string[];
}

function reasonOf(error: unknown): string {
  if (isFfrtmpError(error) && error.code === 'E_INSUFFICIENT_DATA') return error.message;
  throw error;
}

/**
 * Trains both predictors on the records. One without enough data is skipped (its reason in
 * metadata.skipped); E_INSUFFICIENT_DATA when neither can be trained.
 */
export function trainModels(records: readonly unknown[], o: TrainOptions): TrainedModels {
  const seed = o.seed ?? 42;
  const opts = { seed, ...(o.iterations === undefined ? {} : { iterations: o.iterations }) };
  const skipped: string[] = [];
  let power: PowerPredictor | null = null;
  let multivariate: MultivariatePredictor | null = null;
  try {
    power = trainPowerPredictor(powerPointsOf(records), opts);
  } catch (e) {
    skipped.push(`power predictor: ${reasonOf(e)}`);
  }
  try {
    multivariate = trainMultivariate(records, o.hardwareId, opts);
  } catch (e) {
    skipped.push(`multivariate predictor: ${reasonOf(e)}`);
  }
  if (!power && !multivariate)
    throw new FfrtmpError(
      'E_INSUFFICIENT_DATA',
      `not enough data to train any model (${records.length} scenario(s)): ${skipped.join('; ')}`,
    );
  const targets = TARGETS.filter((t) => multivariate?.targets[t]);
  const per = <V>(f: (t: Target) => V) =>
    Object.fromEntries(targets.map((t) => [t, f(t)])) as Partial<Record<Target, V>>;
  const metadata: ModelMetadata = {
    format_version: FORMAT_VERSION,
    hardware_id: o.hardwareId,
    created_at: isoUtc(o.now),
    platform: o.platform,
    cpu_model: o.cpuModel ?? null,
    model_types: {
      power_predictor: power ? (power.degree === 2 ? 'quadratic' : 'linear') : null,
      multivariate: per((t) => multivariate!.targets[t]!.selected),
    },
    training_size: {
      records: records.length,
      power_predictor: power?.training_size ?? 0,
      multivariate: per((t) => multivariate!.targets[t]!.training_size),
    },
    scores: {
      power_predictor: power ? { r2: power.r2, cv_r2: power.cv_r2 } : null,
      multivariate: per((t) => multivariate!.targets[t]!.cv_r2),
    },
    source_files: o.sourceFiles ?? [],
    seed,
    skipped,
  };
  return { power, multivariate, metadata };
}

async function writeAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value)}\n`);
  await rename(tmp, path);
}

/** The folder of one hardware id's models (the id checked to be one safe path segment). */
export function modelDir(modelsDir: string, hardwareId: string): string {
  return join(modelsDir, parseHardwareId(hardwareId));
}

/**
 * Writes the models and metadata under `<modelsDir>/<hardware_id>/`; a model not trained this time
 * has its old file removed, so the folder never mixes two trainings. Returns the paths written.
 */
export async function saveModels(modelsDir: string, trained: TrainedModels): Promise<string[]> {
  const dir = modelDir(modelsDir, trained.metadata.hardware_id);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, model] of [
    [POWER_FILE, trained.power],
    [MULTIVARIATE_FILE, trained.multivariate],
  ] as const) {
    const path = join(dir, file);
    if (model) {
      await writeAtomic(path, { format_version: FORMAT_VERSION, ...model });
      written.push(path);
    } else {
      await rm(path, { force: true });
    }
  }
  const meta = join(dir, METADATA_FILE);
  await writeAtomic(meta, trained.metadata);
  written.push(meta);
  return written;
}

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FfrtmpError('E_INVALID_CONFIG', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `${path} is not valid JSON (retrain with \`ffrtmp models train\`)`,
      {
        cause,
      },
    );
  }
}

function checked<T>(value: unknown, kind: string, path: string): T | null {
  if (value === undefined) return null;
  if (!isRecord(value) || value.kind !== kind || value.format_version !== FORMAT_VERSION)
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `${path} is not a version ${FORMAT_VERSION} ${kind} model (retrain with \`ffrtmp models train\`)`,
    );
  const { format_version: _, ...model } = value;
  return model as T;
}

/** Loads what `saveModels` wrote; E_MODEL_NOT_FOUND when the hardware id has no models. */
export async function loadModels(modelsDir: string, hardwareId: string): Promise<TrainedModels> {
  const dir = modelDir(modelsDir, hardwareId);
  const metadata = await readJson(join(dir, METADATA_FILE));
  if (!isRecord(metadata)) {
    let known: string[] = [];
    try {
      known = (await readdir(modelsDir)).sort();
    } catch {}
    throw new FfrtmpError(
      'E_MODEL_NOT_FOUND',
      `no models for hardware id "${hardwareId}" in ${modelsDir}${known.length > 0 ? ` (found: ${known.join(', ')})` : ''}: run \`ffrtmp models train\` or pass --hardware-id`,
    );
  }
  const powerPath = join(dir, POWER_FILE);
  const multiPath = join(dir, MULTIVARIATE_FILE);
  return {
    power: checked<PowerPredictor>(await readJson(powerPath), 'power_vs_streams', powerPath),
    multivariate: checked<MultivariatePredictor>(await readJson(multiPath), 'multivariate', multiPath),
    metadata: metadata as unknown as ModelMetadata,
  };
}

/**
 * Every hardware id's models under `modelsDir` (the folders holding a metadata.json), for the
 * master's predictions; an empty map when the folder does not exist yet.
 */
export async function loadAllModels(modelsDir: string): Promise<Map<string, TrainedModels>> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--models-dir: cannot read ${modelsDir}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const out = new Map<string, TrainedModels>();
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if ((await readJson(join(modelsDir, entry.name, METADATA_FILE))) === undefined) continue;
    out.set(entry.name, await loadModels(modelsDir, entry.name));
  }
  return out;
}
