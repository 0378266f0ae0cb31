import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
import { tempDir } from '../helpers.js';
import { HW, watts, writeResults } from './model-fixtures.js';

// Models trained from results files, saved, and reloaded identically.

const dir = tempDir('ffrtmp-models-');
afterAll(() => dir.cleanup());
const results = join(dir.path, 'test_results');
writeResults(results);

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
