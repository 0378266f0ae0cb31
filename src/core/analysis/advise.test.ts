import { describe, expect, it } from 'vitest';
import { advise, joulesPerOutputHour } from './advise.js';

const rates = { pricePerKwh: 0.12, co2GramsPerKwh: 400 };

describe('advise', () => {
  it('60 W vs 100 W: best 60 W, saving against the median 80 W = 72 000 J/h, $0.0024, 8 g, 25 %', () => {
    const a = advise(
      [
        { name: 'fast', watts: 100, streams: 1 },
        { name: 'slow', watts: 60, streams: 1 },
      ],
      {},
      rates,
    );
    expect(a.best).toEqual({ name: 'slow', joules_per_output_hour: 216_000 });
    expect(a.saving!.basis).toBe('median');
    expect(a.saving!.joules_per_output_hour).toBeCloseTo(72_000, 6);
    expect(a.saving!.cost_per_output_hour).toBeCloseTo(0.0024, 12);
    expect(a.saving!.co2_g_per_output_hour).toBeCloseTo(8, 9);
    expect(a.saving!.percent).toBeCloseTo(25, 9);
  });

  it('honours targets and the current choice: 4 streams at 150 W = 135 000 J per output-hour', () => {
    const candidates = [
      { name: 'low', watts: 40, streams: 1, vmaf: 80, fps: 30 },
      { name: 'four', watts: 150, streams: 4, vmaf: 93, fps: 31 },
      { name: 'high', watts: 70, streams: 1, vmaf: 95, fps: 30 },
      { name: 'unmeasured', watts: 50, streams: 1, fps: 30 },
    ];
    const a = advise(candidates, { minVmaf: 90, minFps: 30 }, rates, 'high');
    expect(a.best!.name).toBe('four');
    expect(a.best!.joules_per_output_hour).toBe(135_000);
    expect(a.eligible.map((e) => e.name)).toEqual(['four', 'high']);
    expect(a.rejected).toEqual([
      { name: 'low', reasons: ['VMAF 80 < 90'] },
      { name: 'unmeasured', reasons: ['no VMAF measured'] },
    ]);
    // 70 W × 3600 = 252 000 J/h; saving 117 000 J/h = 0.0325 kWh → $0.0039, 13 g.
    expect(a.saving).toMatchObject({ basis: 'current', against: 'high' });
    expect(a.saving!.joules_per_output_hour).toBe(117_000);
    expect(a.saving!.cost_per_output_hour).toBeCloseTo(0.0039, 12);
    expect(a.saving!.co2_g_per_output_hour).toBeCloseTo(13, 9);
  });

  it('no candidate meets the targets → no best, no saving; an unknown --current is an error', () => {
    const a = advise([{ name: 'x', watts: 10, streams: 1, psnr: 30 }], { minPsnr: 40 }, rates);
    expect(a.best).toBeNull();
    expect(a.saving).toBeNull();
    expect(() => advise([{ name: 'x', watts: 10, streams: 1 }], {}, rates, 'y')).toThrow(/--current 'y'/);
  });

  it('energy per output hour needs positive watts', () => {
    expect(joulesPerOutputHour({ name: 'b', watts: 0, streams: 0 })).toBeNull();
    expect(joulesPerOutputHour({ name: 'b', watts: 10, streams: 0 })).toBe(36_000);
  });
});
