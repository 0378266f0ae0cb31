import { describe, expect, it } from 'vitest';
import { attribute, cpuShare } from './attribution.js';

describe('cpuShare', () => {
  it('divides job CPU time by host busy time', () => {
    // 12 CPU-s of FFmpeg out of 16 busy CPU-s on the host → 0.75.
    expect(cpuShare(12, 16)).toBe(0.75);
  });

  it('clamps to [0, 1]', () => {
    // 16.2 / 16 = 1.0125 (reads a few ms apart) → 1; −1 / 16 → 0.
    expect(cpuShare(16.2, 16)).toBe(1);
    expect(cpuShare(-1, 16)).toBe(0);
  });

  it('is null when the host was not busy', () => {
    expect(cpuShare(0, 0)).toBeNull();
    expect(cpuShare(1, -2)).toBeNull();
    expect(cpuShare(Number.NaN, 16)).toBeNull();
  });
});

describe('attribute', () => {
  it('reports net energy above idle and the share of total energy', () => {
    // total 1500 J over 30 s, idle 20 W → net = 1500 − 20 × 30 = 900 J;
    // share 0.75 → attributed = 0.75 × 1500 = 1125 J (of total, idle floor included).
    expect(attribute({ totalJoules: 1500, idleWatts: 20, windowSec: 30, share: 0.75 })).toEqual({
      netJoules: 900,
      attributedJoules: 1125,
    });
  });

  it('clamps net energy at 0 when the window was quieter than the baseline', () => {
    // 500 − 20 × 30 = −100 → 0.
    expect(attribute({ totalJoules: 500, idleWatts: 20, windowSec: 30, share: 0.5 })).toEqual({
      netJoules: 0,
      attributedJoules: 250,
    });
  });

  it('leaves what it cannot know null', () => {
    expect(attribute({ totalJoules: 1500, idleWatts: null, windowSec: 30, share: null })).toEqual({
      netJoules: null,
      attributedJoules: null,
    });
    expect(attribute({ totalJoules: Number.NaN, idleWatts: 20, windowSec: 30, share: 1 })).toEqual({
      netJoules: null,
      attributedJoules: null,
    });
  });

  it('clamps a share given out of range', () => {
    // 1.2 → 1 → 1500 J.
    expect(
      attribute({ totalJoules: 1500, idleWatts: null, windowSec: 30, share: 1.2 }).attributedJoules,
    ).toBe(1500);
  });
});
