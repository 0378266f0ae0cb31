import { describe, expect, it } from 'vitest';
import type { ScenarioRecord } from '../run-stats.js';
import { resolvePricing } from './cost.js';
import { analyzeRecords, headToHead } from './report.js';

const pricing = resolvePricing({
  currency: 'USD',
  default: { electricity_per_kwh: 0.12, co2_g_per_kwh: 400 },
  regions: {},
});

function record(over: Partial<ScenarioRecord> & { name: string }): ScenarioRecord {
  return {
    kind: 'single',
    bitrate: '0k',
    resolution: null,
    fps: null,
    duration: 3600,
    encoder: null,
    preset: null,
    streams: 1,
    outputs: [],
    start_time: '2026-01-01T00:00:00.000Z',
    end_time: '2026-01-01T01:00:00.000Z',
    job_id: 'j',
    node_id: 'n',
    status: 'completed',
    parameters: { type: 'transcode', mode: 'live' } as ScenarioRecord['parameters'],
    ...over,
  };
}

const power = (w: number, seconds = 3600) => ({
  mean_watts: w,
  median_watts: w,
  min_watts: w,
  max_watts: w,
  stdev_watts: 0,
  total_energy_joules: w * seconds,
  total_energy_wh: (w * seconds) / 3600,
});

describe('analyzeRecords', () => {
  const records = [
    record({ name: 'Idle baseline', kind: 'baseline', streams: 0, power: power(30) }),
    record({
      name: 'hd',
      bitrate: '2500k',
      resolution: '1280x720',
      fps: 30,
      outputs: [{ resolution: '1280x720', fps: 30, bitrate: '2500k' }],
      power: { ...power(100), gpu_power: { mean_watts: 20, total_energy_joules: 72_000 } },
      metrics: { frames_encoded: 108_000, cpu_seconds: 7200 },
      samples: [
        { t: 0, package_watts: 90, gpu_watts: 20 },
        { t: 3_600_000, package_watts: 110, gpu_watts: 20 },
      ],
    }),
    record({
      name: '4 streams @ 1000k',
      bitrate: '1000k',
      streams: 4,
      resolution: '640x360',
      fps: 30,
      outputs: Array.from({ length: 4 }, () => ({ resolution: '640x360', fps: 30, bitrate: '1000k' })),
      power: power(50),
    }),
    record({ name: 'broken', bitrate: '1000k', status: 'failed' }),
  ];

  const report = analyzeRecords(records, { pricing, cpuCostPerHour: 0.05 });
  const [base, hd, four, broken] = report.scenarios;

  it('computes net values against the baseline, which nets to 0', () => {
    expect(report.baseline).toBe('Idle baseline');
    expect(base!.net).toEqual({ power_w: 0, energy_wh: 0 });
    expect(hd!.net).toEqual({ power_w: 70, energy_wh: 70 });
    expect(four!.net).toEqual({ power_w: 20, energy_wh: 20 });
    expect(broken!.net).toEqual({ power_w: null, energy_wh: null });
  });

  it('scores: hd 2.5 Mbps / (100 + 20) W; four identical streams 4 × 1 Mbps / 50 W', () => {
    expect(hd!.efficiency_algorithm).toBe('throughput_per_watt');
    expect(hd!.efficiency_score).toBeCloseTo(2.5 / 120, 12);
    expect(four!.efficiency_algorithm).toBe('throughput_per_watt');
    expect(four!.efficiency_score).toBeCloseTo(0.08, 12);
    // With pixels: 640·360·30·3600·4 streams / 180 000 J = 552 960 pixels/J.
    const px = analyzeRecords(records, { algorithm: 'pixels_per_joule' }).scenarios[2]!;
    expect(px.efficiency_score).toBeCloseTo(552_960, 6);
    expect(four!.output_ladder).toBe('640x360@30');
    expect(base!.efficiency_rank).toBeNull();
    expect(report.ranking.map((r) => r.name)).toEqual(['4 streams @ 1000k', 'hd']);
    expect(report.recommendation!.name).toBe('4 streams @ 1000k');
    expect(Object.keys(report.by_ladder)).toEqual(['1280x720@30', '640x360@30']);
  });

  it('derived figures: energy, J/frame, Wh/min, Wh/Mbps', () => {
    // 100 W × 3600 s package + 20 W GPU = 432 000 J = 120 Wh.
    expect(hd!.energy.total_joules).toBe(432_000);
    expect(hd!.joules_per_frame).toBeCloseTo(4, 12);
    expect(hd!.wh_per_minute).toBeCloseTo(2, 12);
    expect(hd!.wh_per_mbps).toBeCloseTo(48, 12);
    expect(hd!.total_pixels).toBe(1280 * 720 * 30 * 3600);
  });

  it('cost: 120 W for 1 h at 0.12 → $0.0144 energy, $0.05 compute; load-aware from samples and core-seconds', () => {
    const c = hd!.cost!;
    expect(c.energy_cost).toBeCloseTo(0.0144, 12);
    expect(c.compute_cost).toBeCloseTo(0.05, 12);
    expect(c.total_cost).toBeCloseTo(0.0644, 12);
    expect(c.co2_kg).toBeCloseTo(0.048, 12);
    // (110 + 130) / 2 W over 1 h = 120 Wh → $0.0144; 7200 core-s = 2 core-h × 0.05 → $0.10.
    expect(c.load_aware_energy_cost).toBeCloseTo(0.0144, 12);
    expect(c.load_aware_compute_cost).toBeCloseTo(0.1, 12);
    expect(broken!.cost).toBeNull();
  });

  it('leaves the input records untouched', () => {
    const copy = JSON.parse(JSON.stringify(records));
    analyzeRecords(records, { algorithm: 'throughput_per_watt' });
    expect(JSON.parse(JSON.stringify(records))).toEqual(copy);
  });

  it('head to head: four streams (0.08) beats hd (2.5/120) by 0.0592, 117.3 % of their mean, 70 W less', () => {
    const h = headToHead(report, 'hd', '4 streams @ 1000k');
    expect(h.winner).toBe('b');
    expect(h.difference).toBeCloseTo(2.5 / 120 - 0.08, 12);
    expect(h.percent_difference).toBeCloseTo(((0.08 - 2.5 / 120) / ((0.08 + 2.5 / 120) / 2)) * 100, 9);
    expect(h.power_difference_w).toBe(70);
    expect(h.efficiency_unit).toBe('Mbps/W');
    expect(() => headToHead(report, 'hd', 'nope')).toThrow(
      /no scenario named 'nope'; there are: Idle baseline, hd/,
    );
  });
});
