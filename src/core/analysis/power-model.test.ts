import { describe, expect, it } from 'vitest';
import { isFfrtmpError } from '../errors.js';
import { powerPointsOf, predictPower, trainPowerPredictor } from './power-model.js';

const rec = (name: string, watts: number, extra: Record<string, unknown> = {}) => ({
  name,
  status: 'completed',
  power: { mean_watts: watts },
  ...extra,
});

describe('powerPointsOf', () => {
  it('reads the stream count from the record or its name (one parser); a baseline is 0 streams', () => {
    const points = powerPointsOf([
      rec('Baseline (Idle)', 30, { streams: 0 }),
      rec('idle baseline', 31),
      rec('Single stream', 50),
      rec('4 Streams @ 2500k', 110),
      rec('4-stream test', 112),
      rec('renamed', 70, { streams: 2 }),
      rec('10 Mbps Stream', 60),
      rec('2 streams failed', 0),
      { ...rec('3 streams', 90), status: 'failed' },
      'not a record',
    ]);
    // '10 Mbps Stream' is one stream at 10 Mbps, never ten streams.
    expect(points.map((p) => [p.streams, p.watts])).toEqual([
      [0, 30],
      [0, 31],
      [1, 50],
      [4, 110],
      [4, 112],
      [2, 70],
      [1, 60],
    ]);
  });
});

describe('trainPowerPredictor', () => {
  it('fits watts = 30 + 20·streams exactly with a line below 6 distinct counts', () => {
    const points = [0, 1, 2, 4].map((s) => ({ name: `${s}`, streams: s, watts: 30 + 20 * s }));
    const p = trainPowerPredictor(points, { iterations: 50 });
    expect(p.degree).toBe(1);
    expect(p.training_size).toBe(4);
    expect(p.distinct_streams).toEqual([0, 1, 2, 4]);
    expect(p.r2).toBeCloseTo(1, 9);
    expect(p.cv_r2).toBeCloseTo(1, 6);
    const at8 = predictPower(p, 8);
    expect(at8.value).toBeCloseTo(190, 6);
    // Noise-free data: every bootstrap line is the same line.
    expect(at8.high - at8.low).toBeLessThan(1e-6);
  });

  it('switches to a quadratic at 6 distinct counts and recovers 40 + 10s + 2s²', () => {
    const points = [1, 2, 3, 4, 6, 8].map((s) => ({
      name: `${s}`,
      streams: s,
      watts: 40 + 10 * s + 2 * s * s,
    }));
    const p = trainPowerPredictor(points, { iterations: 50 });
    expect(p.degree).toBe(2);
    expect(predictPower(p, 5).value).toBeCloseTo(40 + 50 + 50, 5);
    expect(predictPower(p, 10).value).toBeCloseTo(340, 5);
    // Five distinct counts stay linear.
    expect(trainPowerPredictor(points.slice(0, 5), { iterations: 10 }).degree).toBe(1);
  });

  it('clamps predictions at 0 W', () => {
    const points = [1, 2, 3].map((s) => ({ name: `${s}`, streams: s, watts: 100 - 30 * s }));
    const p = trainPowerPredictor(points, { iterations: 20 });
    expect(predictPower(p, 10)).toMatchObject({ value: 0, low: 0, high: 0 });
    expect(() => predictPower(p, -1)).toThrow(/streams/);
  });

  it('gives a wider interval for noisy data, the same for the same seed', () => {
    const points = [1, 1, 2, 2, 3, 3, 4, 4].map((s, i) => ({
      name: `${s}`,
      streams: s,
      watts: 30 + 20 * s + (i % 2 === 0 ? 5 : -5),
    }));
    const a = predictPower(trainPowerPredictor(points, { seed: 1 }), 2.5);
    expect(a.value).toBeCloseTo(80, 6);
    expect(a.low).toBeLessThan(80);
    expect(a.high).toBeGreaterThan(80);
    expect(predictPower(trainPowerPredictor(points, { seed: 1 }), 2.5)).toEqual(a);
  });

  it('refuses fewer than 2 distinct stream counts with E_INSUFFICIENT_DATA', () => {
    const err = (() => {
      try {
        trainPowerPredictor([{ name: 'a', streams: 2, watts: 50 }]);
      } catch (e) {
        return e;
      }
    })();
    expect(isFfrtmpError(err) && err.code).toBe('E_INSUFFICIENT_DATA');
    expect((err as Error).message).toMatch(/2 or more different stream counts, got 1 point\(s\) at 2/);
  });
});
