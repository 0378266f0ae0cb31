import { describe, expect, it } from 'vitest';
import { downsample, integrateJoules, type PowerSample, powerStats } from './stats.js';

const T0 = 1_700_000_000_000;
const at = (sec: number, watts: number): PowerSample => ({ t: T0 + sec * 1000, watts });

// 10 W, 20 W, 30 W, 20 W at 0, 1, 2, 4 s.
const series = [at(0, 10), at(1, 20), at(2, 30), at(4, 20)];

describe('integrateJoules', () => {
  it('integrates by trapezoids over time', () => {
    // (10+20)/2×1 + (20+30)/2×1 + (30+20)/2×2 = 15 + 25 + 50 = 90 J.
    expect(integrateJoules(series)).toBe(90);
  });

  it('orders the samples by time first', () => {
    expect(integrateJoules([series[3]!, series[1]!, series[0]!, series[2]!])).toBe(90);
  });

  it('gives 0 J for fewer than two samples', () => {
    expect(integrateJoules([])).toBe(0);
    expect(integrateJoules([at(0, 50)])).toBe(0);
  });
});

describe('powerStats', () => {
  it('summarises samples, integrating when no counter energy is given', () => {
    // Watts sorted: 10, 20, 20, 30. Mean = 80/4 = 20 (arithmetic: no counter energy);
    // median = (20+20)/2 = 20; deviations −10, 0, 10, 0 → variance = 200/4 = 50 → stdev = √50;
    // energy = 90 J (above) = 0.025 Wh; duration 4 s.
    expect(powerStats(series)).toEqual({
      mean_watts: 20,
      median_watts: 20,
      min_watts: 10,
      max_watts: 30,
      stdev_watts: Math.sqrt(50),
      total_energy_joules: 90,
      total_energy_wh: 0.025,
      samples: 4,
      duration_sec: 4,
    });
  });

  it('takes energy and mean power from the counter when given', () => {
    // 100 J over 4 s → mean 25 W; 100/3600 Wh.
    const stats = powerStats(series, 100)!;
    expect(stats.total_energy_joules).toBe(100);
    expect(stats.total_energy_wh).toBeCloseTo(100 / 3600, 12);
    expect(stats.mean_watts).toBe(25);
    expect(stats.median_watts).toBe(20);
  });

  it('takes the odd median', () => {
    // 5, 7, 9 → 7.
    expect(powerStats([at(0, 9), at(1, 5), at(2, 7)])!.median_watts).toBe(7);
  });

  it('handles a single sample: no duration, so the mean is the sample', () => {
    // One sample: duration 0, energy from the counter (3 J) but no time to divide by → mean = 42.
    expect(powerStats([at(0, 42)], 3)).toEqual({
      mean_watts: 42,
      median_watts: 42,
      min_watts: 42,
      max_watts: 42,
      stdev_watts: 0,
      total_energy_joules: 3,
      total_energy_wh: 3 / 3600,
      samples: 1,
      duration_sec: 0,
    });
  });

  it('is null without samples', () => {
    expect(powerStats([])).toBeNull();
  });
});

describe('downsample', () => {
  it('returns a copy when already small enough', () => {
    const copy = downsample(series, 4);
    expect(copy).toEqual(series);
    expect(copy[0]).not.toBe(series[0]);
  });

  it('averages equal time spans and keeps the first and last times', () => {
    // 0..8 s, one sample per second (9 samples), watts = 10 × second; 3 points → span 8/3 s:
    // bucket 0: t < 2.67 s → 0, 1, 2 s, watts mean (0+10+20)/3 = 10, t pinned to 0 s;
    // bucket 1: 2.67 ≤ t < 5.33 → 3, 4, 5 s, watts 40 at mean time 4 s;
    // bucket 2: the rest → 6, 7, 8 s, watts 70, t pinned to 8 s.
    const samples = Array.from({ length: 9 }, (_, s) => at(s, 10 * s));
    expect(downsample(samples, 3)).toEqual([at(0, 10), at(4, 40), at(8, 70)]);
  });

  it('caps 3600 one-second samples at 600 points spanning the same window', () => {
    // 3600 samples over 3599 s at a constant 50 W: the integral stays 50 × 3599 = 179 950 J.
    const samples = Array.from({ length: 3600 }, (_, s) => at(s, 50));
    const points = downsample(samples);
    // Spans of 3599/600 ≈ 6 s each hold at least one sample, so none is empty.
    expect(points).toHaveLength(600);
    expect(points[0]!.t).toBe(T0);
    expect(points[points.length - 1]!.t).toBe(T0 + 3_599_000);
    expect(integrateJoules(points)).toBeCloseTo(179_950, 6);
  });

  it('leaves sampling gaps as gaps', () => {
    // 0, 1, 2 s and 9, 10 s; 4 buckets of 2.5 s: [0,1,2] and [9,10] → 2 points.
    // Means: (0+10+20)/3 = 10 at t pinned 0 s; (90+100)/2 = 95 at t pinned 10 s.
    const samples = [0, 1, 2, 9, 10].map((s) => at(s, 10 * s));
    expect(downsample(samples, 4)).toEqual([at(0, 10), at(10, 95)]);
  });

  it('collapses samples that share one instant', () => {
    const samples = [at(0, 10), at(0, 20), at(0, 30)];
    expect(downsample(samples, 2)).toEqual([at(0, 20)]);
  });

  it('refuses fewer than 2 points', () => {
    expect(() => downsample(series, 1)).toThrow(RangeError);
  });
});
