import { parseBatchFile } from './scenario-file.js';
import { describe, expect, it } from 'vitest';
import { FfrtmpError, type FieldProblem } from './errors.js';
import { parseJobParameters } from './job-parameters.js';
import {
  RUNNER_DEFAULTS,
  type Scenario,
  type ScenarioDefaults,
  baselineScenario,
  defaultSuite,
  multiScenario,
  repeatScenarios,
  singleScenario,
} from './scenarios.js';

function problemsOf(fn: () => unknown): FieldProblem[] {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof FfrtmpError)) throw error;
    expect(error.code).toBe('E_INVALID_PARAMETER');
    return error.details?.problems as FieldProblem[];
  }
  throw new Error('expected E_INVALID_PARAMETER');
}

const fieldsOf = (fn: () => unknown) => problemsOf(fn).map((p) => p.field);

/** What every scenario's parameters must be: already canonical, so parsing them again changes nothing. */
function expectCanonical(s: Scenario): void {
  expect(parseJobParameters(s.parameters)).toEqual(s.parameters);
}

describe('RUNNER_DEFAULTS', () => {
  it('is the reference document flow: 60 s at 1280x720@30 h264, 10 s stabilization and cooldown, no quality', () => {
    expect(RUNNER_DEFAULTS).toEqual({
      duration: 60,
      resolution: '1280x720',
      fps: 30,
      encoder: 'h264',
      stabilization: 10,
      cooldown: 10,
      quality: false,
    });
    expect(Object.isFrozen(RUNNER_DEFAULTS)).toBe(true);
  });
});

describe('singleScenario', () => {
  it('builds canonical live parameters with the defaults and a readable name', () => {
    const s = singleScenario({ bitrate: '5M' });
    expect(s).toEqual({
      name: 'single_5000k_1280x720_30fps',
      kind: 'single',
      parameters: {
        type: 'transcode',
        mode: 'live',
        duration: 60,
        bitrate: '5000k',
        resolution: '1280x720',
        fps: 30,
        encoder: 'h264',
        preset: 'medium',
        stabilization: 10,
        cooldown: 10,
      },
    });
    expectCanonical(s);
  });

  it('takes every reference flag: --name --bitrate --resolution --fps --duration --encoder --preset', () => {
    const s = singleScenario({
      name: 'deployment_test',
      bitrate: 2000,
      resolution: '1920x1080',
      fps: 60,
      duration: 120,
      encoder: 'h264_nvenc',
      preset: 'p5',
      stabilization: 5,
      cooldown: 0,
    });
    expect(s.name).toBe('deployment_test');
    expect(s.parameters).toMatchObject({
      bitrate: '2000k',
      resolution: '1920x1080',
      fps: 60,
      duration: 120,
      encoder: 'h264_nvenc',
      preset: 'p5',
      stabilization: 5,
      cooldown: 0,
    });
  });

  it('adds quality: true only when the defaults ask for it', () => {
    expect(singleScenario({ bitrate: '1M' }).parameters.quality).toBeUndefined();
    expect(singleScenario({ bitrate: '1M' }, { ...RUNNER_DEFAULTS, quality: true }).parameters.quality).toBe(
      true,
    );
  });

  it('applies a default preset, and the global stabilization/cooldown', () => {
    const defaults: ScenarioDefaults = {
      ...RUNNER_DEFAULTS,
      preset: 'veryfast',
      stabilization: 30,
      cooldown: 20,
    };
    expect(singleScenario({ bitrate: '1M' }, defaults).parameters).toMatchObject({
      preset: 'veryfast',
      stabilization: 30,
      cooldown: 20,
    });
  });

  it('names the option for every bad value at once, without the parameters. prefix', () => {
    expect(fieldsOf(() => singleScenario({ bitrate: 'fast', fps: 0, resolution: '1279x720' }))).toEqual([
      'bitrate',
      'resolution',
      'fps',
    ]);
    expect(fieldsOf(() => singleScenario({ bitrate: '1M', encoder: 'h264', preset: 'p4' }))).toEqual([
      'preset',
    ]);
    expect(fieldsOf(() => singleScenario({ bitrate: '1M', name: '' }))).toEqual(['name']);
    expect(fieldsOf(() => singleScenario({ bitrate: '1M', name: 'a\nb' }))).toEqual(['name']);
  });

  it('builds a ladder: rung bitrates given are kept, the source size/rate is left to the largest rung', () => {
    const s = singleScenario({
      bitrate: '5000k',
      outputs: [
        { resolution: '1920x1080', fps: 30, bitrate: '5000k' },
        { resolution: '1280x720', fps: 30, bitrate: '3M' },
      ],
    });
    expect(s.name).toBe('single_ladder_2x_5000k');
    expect(s.parameters.resolution).toBeUndefined();
    expect(s.parameters.fps).toBeUndefined();
    expect(s.parameters.outputs).toEqual([
      { resolution: '1920x1080', fps: 30, bitrate: '5000k' },
      { resolution: '1280x720', fps: 30, bitrate: '3000k' },
    ]);
    expectCanonical(s);
  });
});

describe('multiScenario', () => {
  it('runs count streams at one bitrate', () => {
    const s = multiScenario({ count: 4, bitrate: '2500k' });
    expect(s.name).toBe('multi_4x_2500k');
    expect(s.kind).toBe('multi');
    expect(s.parameters).toMatchObject({ streams: 4, bitrate: '2500k', resolution: '1280x720', fps: 30 });
    expect(s.parameters.bitrates).toBeUndefined();
    expectCanonical(s);
  });

  it('defaults to the reference multi bitrate 2500k', () => {
    expect(multiScenario({ count: 2 }).parameters).toMatchObject({ streams: 2, bitrate: '2500k' });
  });

  it('gives mixed bitrates as bitrates, canonicalised, named multi_Nx_mixed', () => {
    const s = multiScenario({ count: 3, bitrates: ['1M', 2500, '5000k'] });
    expect(s.name).toBe('multi_3x_mixed');
    expect(s.parameters).toMatchObject({ streams: 3, bitrates: ['1000k', '2500k', '5000k'] });
    expect(s.parameters.bitrate).toBeUndefined();
    expectCanonical(s);
  });

  it('names equal bitrates given as a list by the one bitrate', () => {
    expect(multiScenario({ count: 2, bitrates: ['1M', '1000k'] }).name).toBe('multi_2x_1000k');
  });

  it('rejects a count that differs from the number of bitrates, once', () => {
    const problems = problemsOf(() => multiScenario({ count: 3, bitrates: ['1M', '2M'] }));
    expect(problems).toEqual([{ field: 'bitrates', message: 'expected 3 bitrates to match count 3, got 2' }]);
  });

  it('rejects bitrate and bitrates together, and a bad count', () => {
    expect(fieldsOf(() => multiScenario({ count: 2, bitrate: '1M', bitrates: ['1M', '2M'] }))).toEqual([
      'bitrates',
    ]);
    expect(fieldsOf(() => multiScenario({ count: 0 }))).toEqual(['count']);
    expect(fieldsOf(() => multiScenario({ count: 2.5 }))).toEqual(['count']);
    expect(fieldsOf(() => multiScenario({ count: 65 }))).toEqual(['count']);
  });
});

describe('baselineScenario', () => {
  it('is type baseline for the duration, with no encoder, preset or settle times', () => {
    const s = baselineScenario(120);
    expect(s).toEqual({
      name: 'baseline',
      kind: 'baseline',
      parameters: { type: 'baseline', mode: 'live', duration: 120 },
    });
    expectCanonical(s);
  });

  it('rejects a zero duration', () => {
    expect(fieldsOf(() => baselineScenario(0))).toEqual(['duration']);
  });
});

describe('defaultSuite', () => {
  it('is the baseline then the reference nine, in the reference order', () => {
    const suite = defaultSuite();
    expect(suite.map((s) => s.name)).toEqual([
      'baseline',
      'suite_bitrate_720p30_1000k',
      'suite_bitrate_720p30_2500k',
      'suite_bitrate_720p30_5000k',
      'suite_bitrate_720p30_10000k',
      'suite_resolution_480p30_2500k',
      'suite_resolution_720p30_2500k',
      'suite_resolution_1080p30_2500k',
      'suite_fps_720p30_5000k',
      'suite_fps_720p60_5000k',
    ]);
    expect(
      suite.slice(1).map((s) => [s.parameters.bitrate, s.parameters.resolution, s.parameters.fps]),
    ).toEqual([
      ['1000k', '1280x720', 30],
      ['2500k', '1280x720', 30],
      ['5000k', '1280x720', 30],
      ['10000k', '1280x720', 30],
      ['2500k', '854x480', 30],
      ['2500k', '1280x720', 30],
      ['2500k', '1920x1080', 30],
      ['5000k', '1280x720', 30],
      ['5000k', '1280x720', 60],
    ]);
    expect(new Set(suite.map((s) => s.name)).size).toBe(10);
    for (const s of suite) expectCanonical(s);
  });

  it('uses the defaults: duration, baseline duration, encoder, preset, settle times', () => {
    const suite = defaultSuite({
      ...RUNNER_DEFAULTS,
      duration: 300,
      baselineDuration: 120,
      encoder: 'h264',
      preset: 'veryfast',
      stabilization: 30,
      cooldown: 30,
    });
    expect(suite[0]?.parameters).toEqual({ type: 'baseline', mode: 'live', duration: 120 });
    for (const s of suite.slice(1)) {
      expect(s.kind).toBe('single');
      expect(s.parameters).toMatchObject({
        duration: 300,
        encoder: 'h264',
        preset: 'veryfast',
        stabilization: 30,
        cooldown: 30,
      });
    }
  });

  it('takes the baseline duration from duration when none is given', () => {
    expect(defaultSuite()[0]?.parameters.duration).toBe(60);
  });
});

describe('parseBatchFile: shapes', () => {
  const entries = [
    { type: 'baseline', duration: 30 },
    { type: 'single', bitrate: '5000k' },
    { type: 'multi', count: 3, bitrates: ['1000k', '2500k', '5000k'] },
  ];

  it('accepts a JSON list and {scenarios: [...]} alike', () => {
    const fromList = parseBatchFile(entries, RUNNER_DEFAULTS);
    expect(parseBatchFile({ scenarios: entries }, RUNNER_DEFAULTS)).toEqual(fromList);
    expect(fromList.map((s) => [s.name, s.kind])).toEqual([
      ['baseline', 'baseline'],
      ['single_5000k_1280x720_30fps', 'single'],
      ['multi_3x_mixed', 'multi'],
    ]);
    expect(fromList[0]?.parameters.duration).toBe(30);
    for (const s of fromList) expectCanonical(s);
  });

  it('rejects anything else, naming scenarios', () => {
    for (const bad of [null, 'x', 42, {}, { scenarios: {} }, { scenario: [] }]) {
      expect(fieldsOf(() => parseBatchFile(bad, RUNNER_DEFAULTS))).toEqual(['scenarios']);
    }
  });

  it('rejects an empty list and extra top-level keys', () => {
    expect(fieldsOf(() => parseBatchFile([], RUNNER_DEFAULTS))).toEqual(['scenarios']);
    expect(fieldsOf(() => parseBatchFile({ scenarios: entries, note: 'x' }, RUNNER_DEFAULTS))).toEqual([
      'note',
    ]);
  });

  it('rejects an entry that is not an object', () => {
    expect(fieldsOf(() => parseBatchFile([entries[1], 'single', null, []], RUNNER_DEFAULTS))).toEqual([
      'scenarios[1]',
      'scenarios[2]',
      'scenarios[3]',
    ]);
  });

  it('defaults a missing type to single, as the reference does, and rejects an unknown one', () => {
    expect(parseBatchFile([{ bitrate: '1M' }], RUNNER_DEFAULTS)[0]?.kind).toBe('single');
    expect(fieldsOf(() => parseBatchFile([{ type: 'ladder', bitrate: '1M' }], RUNNER_DEFAULTS))).toEqual([
      'scenarios[0].type',
    ]);
  });
});

describe('parseBatchFile: problems', () => {
  it('reports every problem of every entry at once, each with its path', () => {
    const problems = problemsOf(() =>
      parseBatchFile(
        {
          scenarios: [
            { type: 'baseline', duration: 60 },
            { type: 'single', bitrate: 'fast', fps: 0, colour: 'red' },
            { type: 'multi', count: 3, bitrates: ['1M'] },
            { type: 'baseline', bitrate: '1M' },
            { type: 'multi' },
            { type: 'single' },
            {
              type: 'single',
              bitrate: '1M',
              encoder: 'x264',
              outputs: [{ resolution: '1280x720', fps: 30, bitrate: 1 }],
            },
          ],
        },
        RUNNER_DEFAULTS,
      ),
    );
    expect(problems.map((p) => p.field)).toEqual([
      'scenarios[1].colour',
      'scenarios[1].bitrate',
      'scenarios[1].fps',
      'scenarios[2].bitrates',
      'scenarios[3].bitrate',
      'scenarios[4].count',
      'scenarios[5].bitrate',
      'scenarios[6].encoder',
      'scenarios[6].outputs[0].bitrate',
    ]);
    expect(problems[0]?.message).toBe(
      'unknown key; expected one of type, name, bitrate, resolution, fps, duration, encoder, preset, outputs, stabilization, cooldown',
    );
    expect(problems[2]?.message).toBe('expected 1 to 240, got 0');
    expect(problems[3]?.message).toBe('expected 3 bitrates to match count 3, got 1');
    expect(problems[4]?.message).toBe('not used by a baseline scenario; it takes type, name, duration');
  });

  it('rejects keys valid for another type: outputs on multi, count on single, encoder on baseline', () => {
    expect(
      fieldsOf(() =>
        parseBatchFile(
          [
            { type: 'multi', count: 2, outputs: [] },
            { type: 'single', bitrate: '1M', count: 2 },
            { type: 'baseline', encoder: 'h264' },
          ],
          RUNNER_DEFAULTS,
        ),
      ),
    ).toEqual(['scenarios[0].outputs', 'scenarios[1].count', 'scenarios[2].encoder']);
  });

  it('names a count problem by count (the job field is streams)', () => {
    expect(fieldsOf(() => parseBatchFile([{ type: 'multi', count: 'four' }], RUNNER_DEFAULTS))).toEqual([
      'scenarios[0].count',
    ]);
  });

  it('rejects a bad name and duplicate explicit names', () => {
    expect(
      fieldsOf(() =>
        parseBatchFile(
          [
            { name: 'a', bitrate: '1M' },
            { name: 7, bitrate: '1M' },
            { name: 'a', bitrate: '2M' },
          ],
          RUNNER_DEFAULTS,
        ),
      ),
    ).toEqual(['scenarios[1].name', 'scenarios[2].name']);
  });
});

describe('parseBatchFile: the reference files', () => {
  it('reads the reference stress matrix entries (multi with count 1, per-entry stabilization/cooldown)', () => {
    const list = parseBatchFile(
      {
        scenarios: [
          { type: 'baseline', name: 'Baseline (Idle)', duration: 60 },
          {
            type: 'multi',
            name: '1 stream @ 1000k',
            count: 1,
            bitrate: '1000k',
            resolution: '1280x720',
            fps: 30,
            stabilization: 10,
            duration: 120,
            cooldown: 15,
          },
        ],
      },
      RUNNER_DEFAULTS,
    );
    expect(list.map((s) => s.name)).toEqual(['Baseline (Idle)', '1 stream @ 1000k']);
    expect(list[1]?.parameters).toMatchObject({
      streams: 1,
      bitrate: '1000k',
      duration: 120,
      stabilization: 10,
      cooldown: 15,
    });
  });

  it('fills ladder rungs without a bitrate by pixel rate: 5000k × (w·h·fps)/(1920·1080·30)', () => {
    const [s] = parseBatchFile(
      {
        scenarios: [
          {
            type: 'single',
            name: 'ABR Ladder: 1080p+720p+480p+360p @ 5Mbps',
            bitrate: '5000k',
            resolution: '1920x1080',
            fps: 30,
            duration: 180,
            stabilization: 15,
            cooldown: 15,
            outputs: [
              { resolution: '1920x1080', fps: 30 },
              { resolution: '1280x720', fps: 30 },
              { resolution: '854x480', fps: 30 },
              { resolution: '640x360' },
            ],
          },
        ],
      },
      RUNNER_DEFAULTS,
    );
    // 1280·720/(1920·1080) = 0.4444 → 2222k; 854·480/2073600 = 0.19769 → 988k; 640·360/2073600 = 0.1111 → 556k.
    // The 360p rung takes the scenario's fps (30).
    expect(s?.parameters.outputs).toEqual([
      { resolution: '1920x1080', fps: 30, bitrate: '5000k' },
      { resolution: '1280x720', fps: 30, bitrate: '2222k' },
      { resolution: '854x480', fps: 30, bitrate: '988k' },
      { resolution: '640x360', fps: 30, bitrate: '556k' },
    ]);
    expect(s?.parameters.duration).toBe(180);
    expectCanonical(s!);
  });

  it('scales a 60 fps rung against a 30 fps source by the rate too, and keeps the 16k floor', () => {
    const [s] = parseBatchFile(
      [
        {
          bitrate: '1000k',
          resolution: '1280x720',
          fps: 30,
          outputs: [
            { resolution: '1280x720', fps: 60 },
            { resolution: '64x36', fps: 30 },
          ],
        },
      ],
      RUNNER_DEFAULTS,
    );
    // 60/30 → 2000k; 64·36/(1280·720) = 0.0025 → 2.5k, raised to 16k.
    expect(s?.parameters.outputs).toEqual([
      { resolution: '1280x720', fps: 60, bitrate: '2000k' },
      { resolution: '64x36', fps: 30, bitrate: '16k' },
    ]);
  });

  it("checks a ladder's scenario resolution and fps though it does not keep them", () => {
    expect(
      fieldsOf(() =>
        parseBatchFile(
          [
            {
              bitrate: '1M',
              resolution: '1279x720',
              fps: 0,
              outputs: [{ resolution: '1280x720', bitrate: '1M' }],
            },
          ],
          RUNNER_DEFAULTS,
        ),
      ),
    ).toEqual(['scenarios[0].resolution', 'scenarios[0].fps', 'scenarios[0].outputs[0].fps']);
  });

  it('numbers repeated generated names', () => {
    const list = parseBatchFile(
      [
        { bitrate: '1M' },
        { bitrate: '1000k' },
        { name: 'single_1000k_1280x720_30fps_2', bitrate: '2M' },
        { bitrate: 1000 },
      ],
      RUNNER_DEFAULTS,
    );
    expect(list.map((s) => s.name)).toEqual([
      'single_1000k_1280x720_30fps',
      'single_1000k_1280x720_30fps_3',
      'single_1000k_1280x720_30fps_2',
      'single_1000k_1280x720_30fps_4',
    ]);
  });

  it('applies entry values over defaults, and drops a default preset the entry encoder cannot take', () => {
    const defaults: ScenarioDefaults = { ...RUNNER_DEFAULTS, preset: 'veryfast', duration: 300 };
    const [a, b, c] = parseBatchFile(
      [{ bitrate: '1M' }, { bitrate: '1M', encoder: 'h264_nvenc' }, { bitrate: '1M', encoder: 'h265' }],
      defaults,
    );
    expect(a?.parameters).toMatchObject({ encoder: 'h264', preset: 'veryfast', duration: 300 });
    expect(b?.parameters).toMatchObject({ encoder: 'h264_nvenc', preset: 'p4' });
    expect(c?.parameters).toMatchObject({ encoder: 'h265', preset: 'veryfast' });
  });
});

describe('repeatScenarios', () => {
  const list = [baselineScenario(30), singleScenario({ bitrate: '1M' })];

  it('runs the list n times, pass after pass, naming #1..#n and keeping the group', () => {
    const reps = repeatScenarios(list, 3);
    expect(reps.map((s) => [s.name, s.group, s.repetition])).toEqual([
      ['baseline#1', 'baseline', 1],
      ['single_1000k_1280x720_30fps#1', 'single_1000k_1280x720_30fps', 1],
      ['baseline#2', 'baseline', 2],
      ['single_1000k_1280x720_30fps#2', 'single_1000k_1280x720_30fps', 2],
      ['baseline#3', 'baseline', 3],
      ['single_1000k_1280x720_30fps#3', 'single_1000k_1280x720_30fps', 3],
    ]);
    expect(reps[1]?.parameters).toEqual(list[1]?.parameters);
    expect(reps[1]?.parameters).not.toBe(list[1]?.parameters);
  });

  it('keeps names for n = 1 and rejects n outside 1..100 or duplicate names', () => {
    expect(repeatScenarios(list, 1).map((s) => [s.name, s.group])).toEqual([
      ['baseline', 'baseline'],
      ['single_1000k_1280x720_30fps', 'single_1000k_1280x720_30fps'],
    ]);
    expect(fieldsOf(() => repeatScenarios(list, 0))).toEqual(['repeat']);
    expect(fieldsOf(() => repeatScenarios(list, 1.5))).toEqual(['repeat']);
    expect(fieldsOf(() => repeatScenarios(list, 101))).toEqual(['repeat']);
    expect(fieldsOf(() => repeatScenarios([list[0]!, list[0]!], 2))).toEqual(['scenarios']);
  });
});
