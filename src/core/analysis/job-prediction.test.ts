import { describe, expect, it } from 'vitest';
import { jobStreams, nodeHardwareId, predictJob } from './job-prediction.js';
import { trainPowerPredictor } from './power-model.js';

// Power vs streams on an exact line, 20 W + 10 W per stream: every prediction is worked by hand.
const line = trainPowerPredictor(
  [0, 1, 2, 3].map((s) => ({ name: `${s}`, streams: s, watts: 20 + 10 * s })),
  { iterations: 20 },
);

describe('job predictions', () => {
  it('a node’s hardware id is its CPU model on linux unless a platform label says otherwise', () => {
    const cpu = 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz';
    expect(nodeHardwareId({ cpu_model: cpu, labels: {} })).toBe('intel_xeon_e5_2680_v4_linux');
    expect(nodeHardwareId({ cpu_model: cpu, labels: { platform: 'darwin' } })).toBe(
      'intel_xeon_e5_2680_v4_darwin',
    );
  });

  it('counts streams: 0 for a baseline, streams, else the mixed bitrates, else 1', () => {
    expect(jobStreams({ type: 'baseline', streams: 4 })).toBe(0);
    expect(jobStreams({ type: 'transcode', streams: 4 })).toBe(4);
    expect(jobStreams({ type: 'transcode', bitrates: ['1000k', '2500k', '5000k'] })).toBe(3);
    expect(jobStreams({ type: 'transcode' })).toBe(1);
  });

  it('without a multivariate model: power vs streams, energy = watts × duration', () => {
    const p = predictJob({ power: line, multivariate: null }, 'hw', {
      type: 'transcode',
      mode: 'live',
      streams: 4,
      duration: 60,
      bitrate: '2500k',
      resolution: '1280x720',
      fps: 30,
      encoder: 'h264',
    });
    expect(p?.model).toBe('power_vs_streams');
    expect(p?.mean_power_w).toBeCloseTo(60, 6); // 20 + 10 × 4
    expect(p?.energy_j).toBeCloseTo(3600, 4); // 60 W × 60 s
    expect(p?.low).toBeLessThanOrEqual(p!.mean_power_w + 1e-9);
    expect(p?.high).toBeGreaterThanOrEqual(p!.mean_power_w - 1e-9);
    expect(p?.hardware_id).toBe('hw');
    // A baseline is the point at 0 streams; no duration → no energy.
    const idle = predictJob({ power: line, multivariate: null }, 'hw', { type: 'baseline', mode: 'live' });
    expect(idle?.mean_power_w).toBeCloseTo(20, 6);
    expect(idle?.energy_j).toBeNull();
  });

  it('no model at all: no prediction', () => {
    expect(
      predictJob({ power: null, multivariate: null }, 'hw', { type: 'transcode', mode: 'live' }),
    ).toBeNull();
  });
});
