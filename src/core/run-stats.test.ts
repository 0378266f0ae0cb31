import { parseBatchFile } from './scenario-file.js';
import { describe, expect, it } from 'vitest';
import {
  type ScenarioRecord,
  T_CRITICAL_95,
  aggregateRepeats,
  isoUtc,
  meanCi95,
  resultsDocument,
  resultsFileName,
  tCritical95,
  toScenarioRecord,
} from './run-stats.js';
import {
  type Scenario,
  baselineScenario,
  multiScenario,
  repeatScenarios,
  RUNNER_DEFAULTS,
  singleScenario,
} from './scenarios.js';

describe('meanCi95', () => {
  it('[10, 12, 14] → mean 12, s 2, t(2) = 4.303, ci = 4.303·2/√3 = 4.969', () => {
    const r = meanCi95([10, 12, 14]);
    expect(r.n).toBe(3);
    expect(r.mean).toBe(12);
    expect(r.stdev).toBe(2);
    expect(r.ci95).toBeCloseTo(4.969, 3);
  });

  it('[100, 110, 120, 130] → mean 115, s = √(500/3) = 12.910, t(3) = 3.182, ci = 3.182·12.910/2 = 20.540', () => {
    const r = meanCi95([100, 110, 120, 130]);
    expect(r.mean).toBe(115);
    expect(r.stdev).toBeCloseTo(12.9099, 4);
    expect(r.ci95).toBeCloseTo(20.5397, 4);
  });

  it('[1, 3] → s = √2, ci = t(1)·√2/√2 = 12.706', () => {
    const r = meanCi95([1, 3]);
    expect(r.stdev).toBeCloseTo(Math.SQRT2, 12);
    expect(r.ci95).toBeCloseTo(12.706, 12);
  });

  it('identical values have s = 0 and ci = 0', () => {
    expect(meanCi95([30, 30, 30])).toEqual({ mean: 30, ci95: 0, n: 3, stdev: 0 });
  });

  it('uses 1.96 beyond df 30: 16 zeros and 16 twos → mean 1, s = √(32/31), ci = 1.96·s/√32 = 0.35203', () => {
    const r = meanCi95([...Array(16).fill(0), ...Array(16).fill(2)]);
    expect(r.n).toBe(32);
    expect(r.mean).toBe(1);
    expect(r.stdev).toBeCloseTo(Math.sqrt(32 / 31), 12);
    expect(r.ci95).toBeCloseTo(0.352026, 6);
  });

  it('gives no stdev and no interval for one value', () => {
    expect(meanCi95([5])).toEqual({ mean: 5, ci95: null, n: 1, stdev: null });
  });

  it('refuses no values and values that are not finite', () => {
    expect(() => meanCi95([])).toThrow(RangeError);
    expect(() => meanCi95([1, Number.NaN])).toThrow(RangeError);
    expect(() => meanCi95([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });
});

describe('tCritical95', () => {
  it('is the two-sided 95 % table for df 1..30, then 1.96', () => {
    expect(T_CRITICAL_95).toHaveLength(30);
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(2)).toBe(4.303);
    expect(tCritical95(4)).toBe(2.776);
    expect(tCritical95(9)).toBe(2.262);
    expect(tCritical95(19)).toBe(2.093);
    expect(tCritical95(30)).toBe(2.042);
    expect(tCritical95(31)).toBe(1.96);
    expect(tCritical95(1000)).toBe(1.96);
  });

  it('decreases with df', () => {
    for (let df = 2; df <= 31; df += 1) expect(tCritical95(df)).toBeLessThan(tCritical95(df - 1));
  });

  it('refuses df < 1 or fractional', () => {
    expect(() => tCritical95(0)).toThrow(RangeError);
    expect(() => tCritical95(2.5)).toThrow(RangeError);
  });
});

describe('resultsFileName and isoUtc', () => {
  it('formats the epoch as UTC test_results_YYYYMMDD_HHMMSS.json', () => {
    expect(resultsFileName(0)).toBe('test_results_19700101_000000.json');
    expect(resultsFileName(1_767_088_800_000)).toBe('test_results_20251230_100000.json');
    // 2024-02-29T23:59:59.999Z: a leap day, the milliseconds dropped, not rounded up.
    expect(resultsFileName(1_709_251_199_999)).toBe('test_results_20240229_235959.json');
    expect(resultsFileName(951_868_800_000)).toBe('test_results_20000301_000000.json');
  });

  it('isoUtc writes what Date#toISOString would', () => {
    expect(isoUtc(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoUtc(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoUtc(1_709_251_199_999)).toBe('2024-02-29T23:59:59.999Z');
    expect(isoUtc(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z');
    // Deterministic spread over 1900..2200, checked against the platform's own calendar.
    let x = 12345;
    for (let i = 0; i < 2000; i += 1) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const ms = -2_208_988_800_000 + Math.floor((x / 2 ** 31) * 9_467_280_000_000);
      expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('refuses an instant outside the years 0..9999 or not a number', () => {
    expect(() => resultsFileName(253_402_300_800_000)).toThrow(RangeError);
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
  });
});

const times = { startIso: '2025-12-30T10:00:10.000Z', endIso: '2025-12-30T10:01:10.000Z' };

function job(s: Scenario, status = 'completed', extra: Record<string, unknown> = {}) {
  return { id: `job-${s.name}`, node_id: 'node-1', status, parameters: s.parameters, ...extra };
}

describe('toScenarioRecord: a single encode', () => {
  const s = singleScenario({ name: 'deployment_test', bitrate: '2000k', preset: 'veryfast' });
  const power = { mean_watts: 42.5, median_watts: 42, total_energy_joules: 2550 };
  const energy = { total_joules: 2550, net_joules: 1350, idle_baseline_watts: 20 };
  const metrics = { encoding_fps: 30.1, frames_encoded: 1800, duration: 60 };
  const analyzer = {
    mbps_per_watt: 0.047,
    outputs: [{ resolution: '1280x720', fps: 30, bitrate: '2000k', kind: 'rtmp' }],
  };

  it('has the reference fields, the job identity and the measured sections', () => {
    const r = toScenarioRecord(
      s,
      job(s),
      {
        status: 'completed',
        error: null,
        metrics,
        power,
        energy,
        quality: { psnr: 41.25, ssim: 0.981 },
        samples: [{ t: 1, package_watts: 42 }],
        analyzer_output: analyzer,
      },
      times,
    );
    expect(r).toEqual({
      name: 'deployment_test',
      kind: 'single',
      bitrate: '2000k',
      resolution: '1280x720',
      fps: 30,
      duration: 60,
      encoder: 'h264',
      preset: 'veryfast',
      streams: 1,
      outputs: [{ resolution: '1280x720', fps: 30, bitrate: '2000k' }],
      start_time: '2025-12-30T10:00:10.000Z',
      end_time: '2025-12-30T10:01:10.000Z',
      job_id: 'job-deployment_test',
      node_id: 'node-1',
      status: 'completed',
      parameters: s.parameters,
      metrics,
      power,
      energy,
      analyzer_output: analyzer,
      samples: [{ t: 1, package_watts: 42 }],
      psnr_score: 41.25,
      ssim_score: 0.981,
    });
    expect(r).not.toHaveProperty('vmaf_score');
    expect(r).not.toHaveProperty('error');
    expect(r).not.toHaveProperty('bitrates');
  });

  it('takes quality scores only when measured: a number or {mean}, never 0 for missing', () => {
    const scores = (quality: Record<string, unknown> | null) => {
      const r = toScenarioRecord(s, job(s), { status: 'completed', quality }, times);
      return [r.vmaf_score, r.psnr_score, r.ssim_score];
    };
    expect(scores(null)).toEqual([undefined, undefined, undefined]);
    expect(scores({ vmaf: null, psnr: Number.NaN, ssim: 'n/a' })).toEqual([undefined, undefined, undefined]);
    expect(scores({ vmaf: { mean: 93.1, min: 80 }, psnr: 0 })).toEqual([93.1, 0, undefined]);
  });

  it('records a failed job without a result: status and error, no measured sections', () => {
    const r = toScenarioRecord(s, job(s, 'failed', { error: 'lease expired' }), undefined, {
      startIso: null,
      endIso: null,
    });
    expect(r.status).toBe('failed');
    expect(r.error).toBe('lease expired');
    expect(r.start_time).toBeNull();
    for (const key of [
      'metrics',
      'power',
      'energy',
      'analyzer_output',
      'samples',
      'vmaf_score',
      'psnr_score',
    ]) {
      expect(r).not.toHaveProperty(key);
    }
    // The configuration is still what the job asked for.
    expect(r.outputs).toEqual([{ resolution: '1280x720', fps: 30, bitrate: '2000k' }]);
  });

  it("prefers the result's error to the job's", () => {
    const r = toScenarioRecord(
      s,
      job(s, 'failed', { error: 'failed' }),
      { status: 'failed', error: 'ffmpeg exited 1' },
      times,
    );
    expect(r.error).toBe('ffmpeg exited 1');
  });
});

describe('toScenarioRecord: the real resolution, fps and bitrates', () => {
  it('a mixed multi: every stream bitrate, joined as the reference wrote it, one output per stream', () => {
    const s = multiScenario({ count: 3, bitrates: ['1M', '2500k', '5M'], resolution: '1920x1080', fps: 60 });
    const r = toScenarioRecord(s, job(s), undefined, times);
    expect(r).toMatchObject({
      name: 'multi_3x_mixed',
      kind: 'multi',
      bitrate: '1000k,2500k,5000k',
      bitrates: ['1000k', '2500k', '5000k'],
      resolution: '1920x1080',
      fps: 60,
      streams: 3,
      outputs: [
        { resolution: '1920x1080', fps: 60, bitrate: '1000k' },
        { resolution: '1920x1080', fps: 60, bitrate: '2500k' },
        { resolution: '1920x1080', fps: 60, bitrate: '5000k' },
      ],
    });
  });

  it('a uniform multi: the one bitrate, streams and per-stream bitrates', () => {
    const s = multiScenario({ count: 4, bitrate: '2500k', resolution: '854x480' });
    const r = toScenarioRecord(s, job(s), undefined, times);
    expect(r).toMatchObject({
      bitrate: '2500k',
      bitrates: ['2500k', '2500k', '2500k', '2500k'],
      streams: 4,
      resolution: '854x480',
      fps: 30,
    });
    expect(r.outputs).toHaveLength(4);
  });

  it('a ladder: the largest rung and highest rate, one process, every rung in outputs', () => {
    const [s] = parseBatchFile(
      [
        {
          bitrate: '5000k',
          resolution: '1920x1080',
          fps: 30,
          outputs: [
            { resolution: '1280x720', fps: 60, bitrate: '3000k' },
            { resolution: '1920x1080', fps: 30 },
          ],
        },
      ],
      RUNNER_DEFAULTS,
    );
    const r = toScenarioRecord(s!, job(s!), undefined, times);
    expect(r).toMatchObject({
      bitrate: '5000k',
      resolution: '1920x1080',
      fps: 60,
      streams: 1,
      outputs: [
        { resolution: '1280x720', fps: 60, bitrate: '3000k' },
        { resolution: '1920x1080', fps: 30, bitrate: '5000k' },
      ],
    });
    expect(r).not.toHaveProperty('bitrates');
  });

  it('a baseline: 0k, no size, rate, encoder, preset or outputs', () => {
    const s = baselineScenario(120);
    const r = toScenarioRecord(s, job(s), { status: 'completed', power: { mean_watts: 18.2 } }, times);
    expect(r).toMatchObject({
      kind: 'baseline',
      bitrate: '0k',
      resolution: null,
      fps: null,
      duration: 120,
      encoder: null,
      preset: null,
      streams: 0,
      outputs: [],
      power: { mean_watts: 18.2 },
    });
  });

  it("the job's parameters (as the master holds them) and the outputs the agent reported win", () => {
    const s = singleScenario({ bitrate: '3M' });
    const held = { mode: 'file', input: 'clip.mp4', bitrate: '3M', encoder: 'h264' };
    const r = toScenarioRecord(
      s,
      { id: 'j1', node_id: 'n1', status: 'completed', parameters: held },
      {
        status: 'completed',
        metrics: { duration: 42.5 },
        analyzer_output: { outputs: [{ resolution: '1920x1080', fps: 25, bitrate: 3000, kind: 'null' }] },
      },
      times,
    );
    expect(r).toMatchObject({
      bitrate: '3000k',
      resolution: '1920x1080',
      fps: 25,
      duration: 42.5,
      outputs: [{ resolution: '1920x1080', fps: 25, bitrate: '3000k' }],
    });
    expect(r.parameters.mode).toBe('file');
  });

  it('ignores malformed reported outputs and falls back to the parameters', () => {
    const s = singleScenario({ bitrate: '3M', resolution: '1920x1080' });
    const r = toScenarioRecord(
      s,
      job(s),
      { status: 'completed', analyzer_output: { outputs: [{ resolution: '1920x1080', bitrate: '3000k' }] } },
      times,
    );
    expect(r.outputs).toEqual([{ resolution: '1920x1080', fps: 30, bitrate: '3000k' }]);
  });

  it('carries the repeat group and repetition', () => {
    const [rep] = repeatScenarios([singleScenario({ name: 'a', bitrate: '1M' })], 2);
    const r = toScenarioRecord(rep!, job(rep!), undefined, times);
    expect([r.name, r.group, r.repetition]).toEqual(['a#1', 'a', 1]);
  });
});

function rec(
  name: string,
  group: string | undefined,
  status: string,
  figures: { watts?: unknown; joules?: unknown; net?: unknown; fps?: unknown },
): ScenarioRecord {
  const s = singleScenario({ name, bitrate: '1M' });
  return {
    ...toScenarioRecord(
      { ...s, ...(group === undefined ? {} : { group }) },
      job(s, status),
      {
        status: status === 'completed' ? 'completed' : 'failed',
        power: { mean_watts: figures.watts },
        energy: { total_joules: figures.joules, net_joules: figures.net },
        metrics: { encoding_fps: figures.fps },
      },
      times,
    ),
  };
}

describe('aggregateRepeats', () => {
  const records = [
    rec('a#1', 'a', 'completed', { watts: 10, joules: 600, net: 0, fps: 30 }),
    rec('b', undefined, 'completed', { watts: 50, joules: 3000, net: 1800, fps: 29.5 }),
    rec('a#2', 'a', 'completed', { watts: 12, joules: 720, net: 60, fps: 30 }),
    rec('a#3', 'a', 'completed', { watts: 14, joules: 840, net: 120, fps: 30 }),
    rec('a#4', 'a', 'failed', { watts: 99, joules: 9999, net: 9999, fps: 1 }),
  ];

  it('gives mean ± 95 % CI per group over the completed repetitions, in first-run order', () => {
    const [a, b] = aggregateRepeats(records);
    expect(a).toMatchObject({
      group: 'a',
      kind: 'single',
      bitrate: '1000k',
      resolution: '1280x720',
      fps: 30,
      encoder: 'h264',
      preset: 'medium',
      streams: 1,
      names: ['a#1', 'a#2', 'a#3', 'a#4'],
      runs: 4,
      completed: 3,
    });
    // watts [10, 12, 14]: mean 12, s 2, ci 4.303·2/√3 = 4.969.
    expect(a?.mean_watts?.mean).toBe(12);
    expect(a?.mean_watts?.ci95).toBeCloseTo(4.969, 3);
    // joules [600, 720, 840]: mean 720, s 120, ci 4.303·120/√3 = 298.12.
    expect(a?.total_joules?.mean).toBe(720);
    expect(a?.total_joules?.stdev).toBe(120);
    expect(a?.total_joules?.ci95).toBeCloseTo(298.12, 2);
    // net [0, 60, 120]: 0 J above idle is a reading (the ledger clamps at 0), so it counts: ci 149.06.
    expect(a?.net_joules).toMatchObject({ mean: 60, n: 3 });
    expect(a?.net_joules?.ci95).toBeCloseTo(149.06, 2);
    expect(a?.encoding_fps).toEqual({ mean: 30, ci95: 0, n: 3, stdev: 0 });
    // An unrepeated scenario is its own group of one: no interval.
    expect(b).toMatchObject({ group: 'b', runs: 1, completed: 1, names: ['b'] });
    expect(b?.mean_watts).toEqual({ mean: 50, ci95: null, n: 1, stdev: null });
  });

  it('leaves out missing, null, 0 and non-finite readings instead of averaging in 0', () => {
    const [g] = aggregateRepeats([
      rec('c#1', 'c', 'completed', { watts: 20, joules: null, fps: 0 }),
      rec('c#2', 'c', 'completed', { watts: 0, joules: Number.NaN }),
      rec('c#3', 'c', 'completed', { watts: 22, joules: '5' }),
    ]);
    expect(g?.mean_watts).toMatchObject({ mean: 21, n: 2 });
    expect(g?.total_joules).toBeNull();
    expect(g?.net_joules).toBeNull();
    expect(g?.encoding_fps).toBeNull();
  });

  it('groups whole pipelines: repeat → records → aggregate', () => {
    const reps = repeatScenarios([baselineScenario(30), multiScenario({ count: 2 })], 2);
    const recs = reps.map((s, i) =>
      toScenarioRecord(s, job(s), { status: 'completed', power: { mean_watts: 10 + i } }, times),
    );
    const groups = aggregateRepeats(recs);
    expect(groups.map((g) => [g.group, g.names, g.mean_watts?.mean])).toEqual([
      ['baseline', ['baseline#1', 'baseline#2'], 11],
      ['multi_2x_2500k', ['multi_2x_2500k#1', 'multi_2x_2500k#2'], 12],
    ]);
  });
});

describe('resultsDocument', () => {
  it('is {test_date, scenarios} and adds repeats only when something ran more than once', () => {
    const once = [rec('x', undefined, 'completed', { watts: 10 })];
    const doc = resultsDocument(1_767_088_800_000, once);
    expect(doc).toEqual({ test_date: '2025-12-30T10:00:00.000Z', scenarios: once });
    const twice = [rec('y#1', 'y', 'completed', { watts: 10 }), rec('y#2', 'y', 'completed', { watts: 12 })];
    expect(resultsDocument(0, twice).repeats?.[0]?.mean_watts?.mean).toBe(11);
  });
});
