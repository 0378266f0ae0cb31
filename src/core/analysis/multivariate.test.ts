import { describe, expect, it } from 'vitest';
import { isFfrtmpError } from '../errors.js';
import { predictMultivariate, targetsOf, toWorkload, trainMultivariate, workloadOf } from './multivariate.js';

/** A synthetic record whose power is 20 + 8·streams + 3·Mbps (+15 for x265). */
function record(streams: number, kbps: number, encoder: string, fps = 30) {
  const watts = 20 + 8 * streams + 3 * (kbps / 1000) + (encoder === 'h265' ? 15 : 0);
  return {
    name: `${streams} streams @ ${kbps}k ${encoder}`,
    status: 'completed',
    bitrate: `${kbps}k`,
    resolution: '1280x720',
    fps,
    duration: 60,
    encoder,
    preset: 'fast',
    streams,
    outputs: Array.from({ length: streams }, () => ({ resolution: '1280x720', fps, bitrate: `${kbps}k` })),
    power: { mean_watts: watts, total_energy_joules: watts * 60 },
    energy: { total_joules: watts * 60 },
  };
}

const records = [1, 2, 3, 4].flatMap((s) =>
  [1000, 2500, 5000].flatMap((k) => ['h264', 'h265'].map((e) => record(s, k, e))),
);

describe('workloadOf / targetsOf', () => {
  it('computes total pixels as Σ width × height × fps × duration', () => {
    const w = workloadOf({ ...record(1, 2500, 'h264'), duration: 120 });
    // 1280 × 720 × 30 × 120 = 3 317 760 000.
    expect(w).toMatchObject({
      streams: 1,
      bitrateMbps: 2.5,
      totalPixels: 3_317_760_000,
      fps: 30,
      encoder: 'h264',
    });
    const two = workloadOf(record(2, 1000, 'h264'));
    expect(two?.totalPixels).toBe(2 * 1280 * 720 * 30 * 60);
    expect(targetsOf(record(2, 1000, 'h264'), two!)).toEqual({
      mean_power: 39,
      energy: 2340,
      efficiency: (2 * 1280 * 720 * 30 * 60) / 2340,
    });
  });

  it('reads a mixed multi as the mean per-stream Mbps and skips baselines and failures', () => {
    const mixed = { ...record(3, 1000, 'h264'), bitrate: '1000k,2500k,5000k' };
    expect(workloadOf(mixed)?.bitrateMbps).toBeCloseTo(8.5 / 3, 12);
    expect(workloadOf({ name: 'Baseline', streams: 0, bitrate: '0k', encoder: null })).toBeUndefined();
    expect(workloadOf({ ...record(1, 1000, 'h264'), status: 'failed' })).toBeUndefined();
  });
});

describe('trainMultivariate', () => {
  const model = trainMultivariate(records, 'test_cpu_linux', { iterations: 40 });

  it('trains every target, picks a model by cross-validated R² and predicts well', () => {
    expect(Object.keys(model.targets).sort()).toEqual(['efficiency', 'energy', 'mean_power']);
    const power = model.targets.mean_power!;
    expect(power.training_size).toBe(24);
    // Power is exactly linear in the features here: linear must be chosen and score ~1.
    expect(power.selected).toBe('linear');
    expect(power.cv_r2.linear).toBeCloseTo(1, 6);
    for (const kind of ['polynomial', 'forest'] as const) expect(power.cv_r2[kind]).toBeTypeOf('number');
    const w = toWorkload(
      { streams: 3, bitrate: '4M', resolution: '1280x720', fps: 30, encoder: 'h265', preset: 'fast' },
      60,
    );
    const { predictions, unseen } = predictMultivariate(model, w);
    expect(unseen).toEqual([]);
    expect(predictions.mean_power!.value).toBeCloseTo(20 + 24 + 12 + 15, 4);
    expect(predictions.energy!.value).toBeCloseTo(71 * 60, 1);
    expect(predictions.mean_power!.low).toBeLessThanOrEqual(predictions.mean_power!.value);
    expect(model.feature_names).toEqual([
      'streams',
      'bitrate_mbps',
      'total_pixels',
      'fps',
      'hardware_hash',
      'encoder=h264',
      'encoder=h265',
      'preset=fast',
    ]);
    expect(model.default_duration).toBe(60);
  });

  it('picks the forest when power steps with the encoder', () => {
    const step = records.map((r) => ({
      ...r,
      power: { mean_watts: r.streams >= 3 ? 200 : 50 },
    }));
    const m = trainMultivariate(step, 'x_linux', { iterations: 10 });
    expect(m.targets.mean_power!.selected).toBe('forest');
    const w = toWorkload(
      { streams: 4, bitrate: '1000k', resolution: '1280x720', fps: 30, encoder: 'h264', preset: 'fast' },
      60,
    );
    expect(predictMultivariate(m, w).predictions.mean_power!.value).toBeGreaterThan(150);
  });

  it('is deterministic: same data and seed → same JSON', () => {
    const again = trainMultivariate(records, 'test_cpu_linux', { iterations: 40 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
  });

  it('flags an encoder it never saw', () => {
    const w = toWorkload({ bitrate: '2500k', resolution: '1280x720', fps: 30, encoder: 'vp9' }, 60);
    expect(predictMultivariate(model, w).unseen).toEqual(['encoder vp9', 'preset (none)']);
  });

  it('refuses too little data with E_INSUFFICIENT_DATA', () => {
    try {
      trainMultivariate(records.slice(0, 3), 'x_linux');
      expect.unreachable();
    } catch (e) {
      expect(isFfrtmpError(e) && e.code).toBe('E_INSUFFICIENT_DATA');
      expect((e as Error).message).toMatch(/4 or more completed encodes.*found 3 usable of 3/);
    }
  });
});

describe('toWorkload', () => {
  it('reports every bad input at once', () => {
    expect(() =>
      toWorkload({ streams: 0, bitrate: 'fast', resolution: '1080p', fps: 0, encoder: 'h264' }, 60),
    ).toThrow(/streams: .*; bitrate: .*; resolution: .*; fps: /);
  });
});
