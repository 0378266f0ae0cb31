import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  METADATA_FILE,
  MULTIVARIATE_FILE,
  POWER_FILE,
  loadModels,
  readResultsDir,
  saveModels,
  trainModels,
} from '../../src/analysis/models.js';
import { predictMultivariate, toWorkload } from '../../src/core/analysis/multivariate.js';
import { predictPower } from '../../src/core/analysis/power-model.js';
import { resultsDocument, resultsFileName, toScenarioRecord } from '../../src/core/run-stats.js';
import { baselineScenario, multiScenario, singleScenario } from '../../src/core/scenarios.js';
import { CLI, tempDir } from '../helpers.js';

// Models from results files in the shape `ffrtmp test` writes (records built by the runner's own
// toScenarioRecord), saved, reloaded and queried through the CLI.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-models-');
afterAll(() => dir.cleanup());

/** Synthetic node: 25 W idle, +18 W per stream, +2 W per Mbps, +6 W for preset medium. */
function watts(streams: number, mbps: number, preset: string): number {
  return 25 + 18 * streams + 2 * mbps + (preset === 'medium' ? 6 : 0);
}

function recordOf(
  kind: 'baseline' | 'single' | 'multi',
  count: number,
  kbps: number,
  preset: string,
  i: number,
) {
  const duration = 60;
  const scenario =
    kind === 'baseline'
      ? baselineScenario(duration, 'Baseline (Idle)')
      : kind === 'single'
        ? singleScenario({
            bitrate: `${kbps}k`,
            duration,
            resolution: '1280x720',
            fps: 30,
            preset,
            name: `single ${kbps}k ${preset}`,
          })
        : multiScenario({
            count,
            bitrate: `${kbps}k`,
            duration,
            resolution: '1280x720',
            fps: 30,
            preset,
            name: `${count} Streams @ ${kbps}k ${preset}`,
          });
  const streams = kind === 'baseline' ? 0 : kind === 'single' ? 1 : count;
  const w = kind === 'baseline' ? 25 : watts(streams, kbps / 1000, preset);
  return toScenarioRecord(
    scenario,
    { id: `job-${i}`, node_id: 'n1', status: 'completed' },
    {
      status: 'completed',
      power: { mean_watts: w, total_energy_joules: w * duration },
      energy: { total_joules: w * duration },
    },
    { startIso: '2026-01-01T00:00:00.000Z', endIso: '2026-01-01T00:01:00.000Z' },
  );
}

function writeResults(folder: string): void {
  mkdirSync(folder, { recursive: true });
  let i = 0;
  const first = [recordOf('baseline', 0, 0, 'fast', i++)];
  const second = [];
  for (const kbps of [1000, 2500, 5000])
    for (const preset of ['fast', 'medium']) {
      first.push(recordOf('single', 1, kbps, preset, i++));
      for (const count of [2, 4]) second.push(recordOf('multi', count, kbps, preset, i++));
    }
  writeFileSync(
    join(folder, resultsFileName(Date.UTC(2026, 0, 1))),
    JSON.stringify(resultsDocument(Date.UTC(2026, 0, 1), first)),
  );
  writeFileSync(
    join(folder, resultsFileName(Date.UTC(2026, 0, 2))),
    JSON.stringify(resultsDocument(Date.UTC(2026, 0, 2), second)),
  );
  writeFileSync(join(folder, 'notes.json'), '{"not": "a results file"}');
}

const results = join(dir.path, 'test_results');
writeResults(results);
const HW = 'test_cpu_linux';

describe('model store', () => {
  it('reads every results file, trains, saves and reloads models that predict identically', async () => {
    const input = await readResultsDir(results);
    expect(input.files.map((f) => f.split('/').pop())).toEqual([
      'test_results_20260101_000000.json',
      'test_results_20260102_000000.json',
    ]);
    expect(input.records).toHaveLength(19);
    const trained = trainModels(input.records, {
      hardwareId: HW,
      platform: 'linux',
      cpuModel: 'Test CPU',
      now: Date.UTC(2026, 0, 3),
      iterations: 50,
    });
    const modelsDir = join(dir.path, 'models');
    const written = await saveModels(modelsDir, trained);
    for (const f of [POWER_FILE, MULTIVARIATE_FILE, METADATA_FILE])
      expect(written).toContain(join(modelsDir, HW, f));

    const loaded = await loadModels(modelsDir, HW);
    expect(loaded.metadata).toEqual(trained.metadata);
    expect(loaded.metadata).toMatchObject({
      hardware_id: HW,
      created_at: '2026-01-03T00:00:00.000Z',
      platform: 'linux',
      model_types: { power_predictor: 'linear' },
      training_size: { records: 19, power_predictor: 19, multivariate: { mean_power: 18, energy: 18 } },
    });
    expect(loaded.metadata.scores.multivariate.mean_power?.linear).toBeCloseTo(1, 6);
    for (const s of [0, 1, 3, 7.5])
      expect(predictPower(loaded.power!, s)).toEqual(predictPower(trained.power!, s));
    for (const preset of ['fast', 'medium', 'slow']) {
      const w = toWorkload(
        { streams: 3, bitrate: '4M', resolution: '1280x720', fps: 30, encoder: 'h264', preset },
        60,
      );
      expect(predictMultivariate(loaded.multivariate!, w)).toEqual(
        predictMultivariate(trained.multivariate!, w),
      );
    }
    // The fitted multivariate power model recovers the node's formula.
    const w = toWorkload(
      { streams: 3, bitrate: '4M', resolution: '1280x720', fps: 30, encoder: 'h264', preset: 'medium' },
      60,
    );
    expect(predictMultivariate(loaded.multivariate!, w).predictions.mean_power!.value).toBeCloseTo(
      watts(3, 4, 'medium'),
      3,
    );
  });

  it('same data and seed → the same model bytes', async () => {
    const input = await readResultsDir(results);
    const opts = { hardwareId: HW, platform: 'linux', now: 0, iterations: 20 };
    const a = trainModels(input.records, opts);
    const b = trainModels(input.records, opts);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('says what is missing: no results files, no models for an id', async () => {
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    await expect(readResultsDir(empty)).rejects.toMatchObject({ code: 'E_INSUFFICIENT_DATA' });
    await expect(loadModels(join(dir.path, 'models'), 'other_linux')).rejects.toThrow(
      /no models for hardware id "other_linux".*found: test_cpu_linux/,
    );
    await expect(loadModels(join(dir.path, 'models'), '../escape')).rejects.toThrow(/--hardware-id/);
  });
});

describe('ffrtmp models (CLI)', () => {
  const modelsDir = join(dir.path, 'cli-models');
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { timeout: 60_000 });
  const fail = async (...args: string[]) => {
    try {
      await cli(...args);
    } catch (e) {
      return e as { code: number; stderr: string };
    }
    throw new Error(`expected ffrtmp ${args.join(' ')} to fail`);
  };

  it('train reports training size and scores, predict prints the prediction and interval', async () => {
    const train = await cli(
      'models',
      'train',
      '--results-dir',
      results,
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
    );
    expect(train.stdout).toMatch(/Training data: 19 scenario\(s\) from 2 file\(s\)/);
    expect(train.stdout).toMatch(/power vs streams\s+linear\s+19\s+0\.9\d\d/);
    expect(train.stdout).toMatch(/mean_power \(W\)\s+linear\s+18/);
    expect(existsSync(join(modelsDir, HW, METADATA_FILE))).toBe(true);

    const loaded = await loadModels(modelsDir, HW);
    const power = await cli(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
      '--streams',
      '3',
      '--json',
    );
    const pj = JSON.parse(power.stdout);
    expect(pj.power_predictor.mean_watts).toEqual(predictPower(loaded.power!, 3));
    const text = await cli(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
      '--streams',
      '3',
    );
    expect(text.stdout).toMatch(
      /Power at 3 stream\(s\) \(linear, trained on 19\): [\d.]+ W \(95 % CI [\d.]+–[\d.]+\)/,
    );

    const wl = await cli(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
      '--bitrate',
      '4M',
      '--resolution',
      '1280x720',
      '--fps',
      '30',
      '--encoder',
      'h264',
      '--preset',
      'medium',
      '--streams',
      '3',
      '--json',
    );
    const wj = JSON.parse(wl.stdout);
    expect(wj.multivariate.predictions.mean_power.value).toBeCloseTo(watts(3, 4, 'medium'), 3);
    expect(wj.multivariate.predictions.mean_power).toMatchObject({ unit: 'W', model: 'linear', level: 0.95 });
    expect(wj.multivariate.unseen).toEqual([]);
  });

  it('warns when a model predicts unseen data worse than the mean', async () => {
    const noisy = join(dir.path, 'noisy');
    mkdirSync(noisy);
    const recs = [50, 10, 60, 5].map((w, i) => {
      const r = recordOf('multi', i + 2, 1000, 'fast', i);
      return { ...r, power: { mean_watts: w }, energy: { total_joules: w * 60 } };
    });
    writeFileSync(join(noisy, resultsFileName(0)), JSON.stringify(resultsDocument(0, recs)));
    const { stdout } = await cli(
      'models',
      'train',
      '--results-dir',
      noisy,
      '--models-dir',
      modelsDir,
      '--hardware-id',
      'noisy_linux',
    );
    expect(stdout).toMatch(/warning: cross-validated R² below 0 for power vs streams.*run more scenarios/);
  });

  it('user mistakes exit 2 with one clear line', async () => {
    const empty = join(dir.path, 'cli-empty');
    mkdirSync(empty, { recursive: true });
    const noData = await fail(
      'models',
      'train',
      '--results-dir',
      empty,
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
    );
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/no test_results_\*\.json in .*cli-empty.*\[E_INSUFFICIENT_DATA\]/);

    // One results file with a single stream count and 2 encodes: neither model can be trained.
    const tiny = join(dir.path, 'tiny');
    mkdirSync(tiny);
    const recs = [recordOf('single', 1, 1000, 'fast', 1), recordOf('single', 1, 2500, 'fast', 2)];
    writeFileSync(join(tiny, resultsFileName(0)), JSON.stringify(resultsDocument(0, recs)));
    const tooLittle = await fail(
      'models',
      'train',
      '--results-dir',
      tiny,
      '--models-dir',
      modelsDir,
      '--hardware-id',
      'tiny_linux',
    );
    expect(tooLittle.code).toBe(2);
    expect(tooLittle.stderr).toMatch(
      /not enough data to train any model \(2 scenario\(s\)\).*2 or more different stream counts/,
    );

    const noModel = await fail(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      'nope_linux',
      '--streams',
      '2',
    );
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/no models for hardware id "nope_linux".*\[E_MODEL_NOT_FOUND\]/);

    const noFlags = await fail('models', 'predict', '--models-dir', modelsDir, '--hardware-id', HW);
    expect(noFlags.code).toBe(2);
    expect(noFlags.stderr).toMatch(/give --streams N, or --bitrate/);

    const partial = await fail(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      HW,
      '--bitrate',
      '5M',
    );
    expect(partial.stderr).toMatch(/needs all of --bitrate, --resolution, --fps and --encoder/);

    const badId = await fail(
      'models',
      'predict',
      '--models-dir',
      modelsDir,
      '--hardware-id',
      '../x',
      '--streams',
      '2',
    );
    expect(badId.code).toBe(2);
  });
});

describe('ffrtmp recommend (CLI)', () => {
  it('recommends NVENC where nvidia-smi lists a GPU, and prints a runnable command', async () => {
    const smi = join(dir.path, 'nvidia-smi');
    writeFileSync(smi, '#!/bin/sh\necho "0, NVIDIA A100-SXM4-40GB, 40960, GPU-1b2c3d4e"\n');
    chmodSync(smi, 0o755);
    const { stdout } = await run(process.execPath, [CLI, 'recommend', '--nvidia-smi', smi, '--json'], {
      timeout: 60_000,
    });
    const j = JSON.parse(stdout);
    expect(j.hardware.gpus).toEqual(['NVIDIA A100-SXM4-40GB']);
    expect(j.recommendation).toMatchObject({ encoder: 'h264_nvenc', preset: 'medium' });
    expect(j.recommendation.command).toMatch(
      /^ffrtmp test single --name recommended_test --encoder h264_nvenc /,
    );

    const plain = await run(process.execPath, [CLI, 'recommend', '--nvidia-smi', join(dir.path, 'absent')], {
      timeout: 60_000,
    });
    expect(plain.stdout).toMatch(/GPU:\s+no NVIDIA GPU/);
    expect(plain.stdout).toMatch(/Run:\n {2}ffrtmp test single .*--encoder h264 --preset (fast|veryfast)/);
    // The printed command parses with `ffrtmp test single`'s real flags.
    const line = /Run:\n {2}ffrtmp (.*)/.exec(plain.stdout)![1]!.split(' ');
    const help = await run(process.execPath, [CLI, ...line.slice(0, 2), '--help']);
    for (const flag of line.filter((a) => a.startsWith('--'))) expect(help.stdout).toContain(flag);
  });
});

describe('models from a real `ffrtmp test` run', () => {
  it('trains on what `ffrtmp test batch` wrote (real FFmpeg) and predicts from it', async () => {
    const out = join(dir.path, 'real-results');
    const file = join(dir.path, 'batch.json');
    const shape = { resolution: '320x240', fps: 15, duration: 2 };
    writeFileSync(
      file,
      JSON.stringify([
        { type: 'baseline', name: 'idle', duration: 2 },
        { type: 'single', name: 'one-a', bitrate: '300k', ...shape },
        { type: 'single', name: 'one-b', bitrate: '900k', ...shape },
        { type: 'multi', name: 'two', count: 2, bitrate: '300k', ...shape },
        { type: 'multi', name: 'three', count: 3, bitrate: '600k', ...shape },
      ]),
    );
    await run(
      process.execPath,
      [
        CLI,
        'test',
        'batch',
        '--file',
        file,
        '--stabilization',
        '0',
        '--cooldown',
        '0',
        '--preset',
        'ultrafast',
        '--output-dir',
        out,
        '--data-dir',
        join(dir.path, 'real-data'),
      ],
      { timeout: 120_000 },
    );
    const modelsDir = join(dir.path, 'real-models');
    const train = await run(
      process.execPath,
      [
        CLI,
        'models',
        'train',
        '--results-dir',
        out,
        '--models-dir',
        modelsDir,
        '--hardware-id',
        'real_linux',
        '--json',
      ],
      { timeout: 60_000 },
    );
    const meta = JSON.parse(train.stdout);
    // The baseline at 0 streams and four encodes at 1, 1, 2 and 3; the multivariate model takes encodes only.
    expect(meta.training_size).toMatchObject({
      records: 5,
      power_predictor: 5,
      multivariate: { mean_power: 4 },
    });
    expect(meta.model_types.power_predictor).toBe('linear');
    const p = await run(
      process.execPath,
      [
        CLI,
        'models',
        'predict',
        '--models-dir',
        modelsDir,
        '--hardware-id',
        'real_linux',
        '--streams',
        '2',
        '--json',
      ],
      { timeout: 60_000 },
    );
    const w = JSON.parse(p.stdout).power_predictor.mean_watts;
    expect(w.value).toBeGreaterThan(0);
    expect(w.low).toBeLessThanOrEqual(w.value);
    expect(w.high).toBeGreaterThanOrEqual(w.value);
  }, 180_000);
});
