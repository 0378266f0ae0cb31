import { resolve } from 'node:path';
import {
  TARGET_UNITS,
  TARGETS,
  type Target,
  predictMultivariate,
  toWorkload,
} from '../../core/analysis/multivariate.js';
import { predictPower } from '../../core/analysis/power-model.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError, isFfrtmpError } from '../../core/errors.js';
import { parseHardwareId } from '../../core/hardware-id.js';
import type { Prediction } from '../../core/ml/regressor.js';
import {
  detectHardwareId,
  loadModels,
  readResultsDir,
  saveModels,
  trainModels,
} from '../../analysis/models.js';
import { formatTable } from '../client-options.js';
import { type CliIo, group, leaf } from '../command.js';
import { EXIT } from '../run.js';

const where = defineOptions({
  modelsDir: {
    flag: 'models-dir',
    type: 'string',
    default: './models',
    env: 'FFRTMP_MODELS_DIR',
    description: 'Where models are kept, one folder per hardware id',
  },
  hardwareId: {
    flag: 'hardware-id',
    type: 'string',
    description: "Models of this hardware (default: this machine's, from its CPU model and OS)",
  },
  json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON' },
});

/** Too little data and missing models are the user's to fix: one line, exit 2. */
async function userErrors(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (isFfrtmpError(e) && (e.code === 'E_INSUFFICIENT_DATA' || e.code === 'E_MODEL_NOT_FOUND')) {
      io.err(`error: ${e.message} [${e.code}]`);
      return EXIT.usage;
    }
    throw e;
  }
}

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '-' : v.toFixed(digits);

function formatValue(v: number): string {
  return Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(2);
}

function formatPrediction(p: Prediction, unit: string): string {
  return `${formatValue(p.value)} ${unit} (${Math.round(p.level * 100)} % CI ${formatValue(p.low)}–${formatValue(p.high)})`;
}

const trainCommand = leaf({
  name: 'train',
  summary: 'Train the power and multivariate predictors from every results file',
  usage:
    'ffrtmp models train [--results-dir ./test_results] [--models-dir ./models] [--hardware-id ID] [--json]',
  description:
    'Reads every test_results_*.json, fits power vs streams (linear; quadratic from 6 distinct stream counts) and the multivariate predictor (linear, polynomial or random forest, chosen by cross-validated R²), and saves them under <models-dir>/<hardware-id>/.',
  options: defineOptions({
    resultsDir: {
      flag: 'results-dir',
      type: 'string',
      default: './test_results',
      description: 'Folder of test_results_*.json files',
    },
    ...where,
    seed: {
      flag: 'seed',
      type: 'int',
      default: 42,
      min: 0,
      max: 2 ** 32 - 1,
      description: 'Random seed (forest, folds, bootstrap)',
    },
  }),
  run: (o, _p, io) =>
    userErrors(io, async () => {
      const host = await detectHardwareId();
      const hardwareId = o.hardwareId ? parseHardwareId(o.hardwareId) : host.hardwareId;
      const input = await readResultsDir(o.resultsDir);
      io.err(
        `read ${input.records.length} scenario(s) from ${input.files.length} results file(s); training…`,
      );
      const trained = trainModels(input.records, {
        hardwareId,
        platform: host.platform,
        cpuModel: o.hardwareId ? undefined : host.cpuModel,
        now: Date.now(),
        seed: o.seed,
        sourceFiles: input.files.map((f) => resolve(f)),
      });
      const written = await saveModels(o.modelsDir, trained);
      const m = trained.metadata;
      if (o.json) {
        io.out(JSON.stringify({ ...m, files: written }, null, 2));
        return EXIT.ok;
      }
      io.out(`Hardware id: ${hardwareId}`);
      io.out(`Training data: ${m.training_size.records} scenario(s) from ${input.files.length} file(s)`);
      const rows: string[][] = [];
      if (trained.power) {
        const p = trained.power;
        rows.push([
          'power vs streams',
          m.model_types.power_predictor ?? '-',
          String(p.training_size),
          fmt(p.r2),
          fmt(p.cv_r2),
        ]);
      }
      for (const t of TARGETS) {
        const tm = trained.multivariate?.targets[t];
        if (!tm) continue;
        rows.push([
          `${t} (${TARGET_UNITS[t]})`,
          tm.selected,
          String(tm.training_size),
          '-',
          fmt(tm.cv_r2[tm.selected]),
        ]);
      }
      io.out(formatTable(['MODEL', 'TYPE', 'ROWS', 'R2', 'CV_R2'], rows));
      for (const t of TARGETS) {
        const tm = trained.multivariate?.targets[t];
        if (tm)
          io.out(
            `  ${t}: cross-validated R² ${Object.entries(tm.cv_r2)
              .map(([k, v]) => `${k} ${fmt(v)}`)
              .join(', ')}`,
          );
      }
      const weak = [
        ...(trained.power && (trained.power.cv_r2 ?? 1) < 0 ? ['power vs streams'] : []),
        ...TARGETS.filter((t) => {
          const tm = trained.multivariate?.targets[t];
          return tm !== undefined && (tm.cv_r2[tm.selected] ?? 1) < 0;
        }),
      ];
      if (weak.length > 0)
        io.out(
          `warning: cross-validated R² below 0 for ${weak.join(', ')}: on unseen data these predict worse than the mean; run more scenarios (other stream counts, bitrates, sizes) and train again`,
        );
      for (const s of m.skipped) io.out(`not trained: ${s}`);
      io.out(`Saved: ${written.join(', ')}`);
      return EXIT.ok;
    }),
});

const predictCommand = leaf({
  name: 'predict',
  summary: 'Predict power, energy and efficiency of a workload from trained models',
  usage:
    'ffrtmp models predict [--models-dir ./models] [--hardware-id ID] (--streams N | --bitrate B --resolution WxH --fps F --encoder E [--preset P] [--streams N] [--duration S]) [--json]',
  description:
    'With --streams alone: mean power at N concurrent streams (power vs streams). With --bitrate, --resolution, --fps and --encoder: mean power, energy and efficiency from the multivariate predictor. Intervals are seeded bootstrap 95 % intervals.',
  options: defineOptions({
    ...where,
    streams: { flag: 'streams', type: 'int', min: 0, max: 10_000, description: 'Concurrent streams' },
    bitrate: { flag: 'bitrate', type: 'string', description: 'Per-stream bitrate, e.g. 2500k or 5M' },
    resolution: { flag: 'resolution', type: 'string', description: 'WIDTHxHEIGHT' },
    fps: { flag: 'fps', type: 'number', min: 0.001, max: 1000, description: 'Frame rate' },
    encoder: { flag: 'encoder', type: 'string', description: 'h264, h265, h264_nvenc, …' },
    preset: { flag: 'preset', type: 'string', description: 'Encoder preset' },
    duration: {
      flag: 'duration',
      type: 'number',
      min: 0.001,
      max: 1e7,
      description: "Seconds (energy and pixels; default: the training data's median)",
    },
  }),
  run: (o, _p, io) =>
    userErrors(io, async () => {
      const workloadFlags = [o.bitrate, o.resolution, o.fps, o.encoder];
      const wantsWorkload =
        workloadFlags.some((v) => v !== undefined) || o.preset !== undefined || o.duration !== undefined;
      if (!wantsWorkload && o.streams === undefined)
        throw new FfrtmpError(
          'E_INVALID_CONFIG',
          'give --streams N, or --bitrate, --resolution, --fps and --encoder',
        );
      if (wantsWorkload && workloadFlags.some((v) => v === undefined))
        throw new FfrtmpError(
          'E_INVALID_CONFIG',
          'a workload prediction needs all of --bitrate, --resolution, --fps and --encoder',
        );
      const hardwareId = o.hardwareId ? parseHardwareId(o.hardwareId) : (await detectHardwareId()).hardwareId;
      const models = await loadModels(o.modelsDir, hardwareId);
      const out: Record<string, unknown> = {
        hardware_id: hardwareId,
        trained_at: models.metadata.created_at,
      };
      const lines: string[] = [`Hardware id: ${hardwareId} (models trained ${models.metadata.created_at})`];
      if (!wantsWorkload && o.streams !== undefined) {
        if (!models.power)
          throw new FfrtmpError(
            'E_MODEL_NOT_FOUND',
            `no power-vs-streams model for "${hardwareId}": ${models.metadata.skipped.join('; ')}`,
          );
        const p = predictPower(models.power, o.streams);
        const type = models.power.degree === 2 ? 'quadratic' : 'linear';
        out.power_predictor = { model: type, streams: o.streams, mean_watts: p };
        lines.push(
          `Power at ${o.streams} stream(s) (${type}, trained on ${models.power.training_size}): ${formatPrediction(p, 'W')}`,
        );
      } else {
        if (!models.multivariate)
          throw new FfrtmpError(
            'E_MODEL_NOT_FOUND',
            `no multivariate model for "${hardwareId}": ${models.metadata.skipped.join('; ')}`,
          );
        const mv = models.multivariate;
        const workload = toWorkload(
          {
            bitrate: o.bitrate!,
            resolution: o.resolution!,
            fps: o.fps!,
            encoder: o.encoder!,
            ...(o.streams === undefined ? {} : { streams: o.streams }),
            ...(o.preset === undefined ? {} : { preset: o.preset }),
            ...(o.duration === undefined ? {} : { duration: o.duration }),
          },
          mv.default_duration,
        );
        const { predictions, unseen } = predictMultivariate(mv, workload);
        const byTarget: Record<string, unknown> = {};
        for (const t of Object.keys(predictions) as Target[]) {
          const tm = mv.targets[t]!;
          byTarget[t] = {
            ...predictions[t],
            unit: TARGET_UNITS[t],
            model: tm.selected,
            cv_r2: tm.cv_r2[tm.selected],
          };
          lines.push(
            `${t.padEnd(10)} ${formatPrediction(predictions[t]!, TARGET_UNITS[t])}  [${tm.selected}, CV R² ${fmt(tm.cv_r2[tm.selected])}]`,
          );
        }
        out.multivariate = { workload, predictions: byTarget, unseen };
        if (unseen.length > 0)
          lines.push(`warning: not in the training data (an extrapolation): ${unseen.join(', ')}`);
      }
      io.out(o.json ? JSON.stringify(out, null, 2) : lines.join('\n'));
      return EXIT.ok;
    }),
});

export const modelsCommand = group('models', 'Train and query power/energy models per hardware id', [
  trainCommand,
  predictCommand,
]);
