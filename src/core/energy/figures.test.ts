import { describe, expect, it } from 'vitest';
import { type DerivedFiguresInput, derivedFigures } from './figures.js';

// A 60 s 1080p30 file encode to two outputs at 5 + 3 Mbps, 3600 J at a mean 60 W.
const job: DerivedFiguresInput = {
  energyJoules: 3600,
  meanWatts: 60,
  frames: 1800, // 60 s × 30 fps
  outputSeconds: 120, // 60 media seconds × 2 outputs
  bitrateMbps: 8, // 5 + 3
  pixels: 1920 * 1080 * 1800, // 3 732 480 000
};

describe('derivedFigures', () => {
  it('computes each figure from worked numbers', () => {
    // J/frame = 3600 / 1800 = 2; J/output minute = 3600 / (120/60) = 1800;
    // Wh/Mbps = (3600/3600) / 8 = 0.125; Mbps/W = 8 / 60 = 0.1333…;
    // pixels/J = 3 732 480 000 / 3600 = 1 036 800.
    const figures = derivedFigures(job);
    expect(figures.joules_per_frame).toBe(2);
    expect(figures.joules_per_output_minute).toBe(1800);
    expect(figures.wh_per_mbps).toBe(0.125);
    expect(figures.mbps_per_watt).toBeCloseTo(8 / 60, 12);
    expect(figures.pixels_per_joule).toBe(1_036_800);
  });

  it('leaves energy figures null without energy, but keeps Mbps per watt', () => {
    expect(derivedFigures({ ...job, energyJoules: null })).toEqual({
      joules_per_frame: null,
      joules_per_output_minute: null,
      wh_per_mbps: null,
      mbps_per_watt: 8 / 60,
      pixels_per_joule: null,
    });
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('treats %d J as no energy', (energyJoules) => {
    const figures = derivedFigures({ ...job, energyJoules });
    expect(figures.joules_per_frame).toBeNull();
    expect(figures.pixels_per_joule).toBeNull();
    expect(figures.wh_per_mbps).toBeNull();
  });

  it('leaves Mbps per watt null without a positive mean power', () => {
    expect(derivedFigures({ ...job, meanWatts: null }).mbps_per_watt).toBeNull();
    expect(derivedFigures({ ...job, meanWatts: 0 }).mbps_per_watt).toBeNull();
  });

  it('never divides by zero, and never reports 0 for unmeasured output', () => {
    expect(derivedFigures({ ...job, frames: 0, outputSeconds: 0, bitrateMbps: 0, pixels: 0 })).toEqual({
      joules_per_frame: null,
      joules_per_output_minute: null,
      wh_per_mbps: null,
      mbps_per_watt: null,
      pixels_per_joule: null,
    });
  });
});
