import { describe, expect, it } from 'vitest';
import { FfrtmpError, type FieldProblem } from './errors.js';
import { type JobParameters, parseJobParameters, requiresOf } from './job-parameters.js';

/** The problems parseJobParameters reports for `raw`, as `field: message`. */
function problemsOf(raw: unknown): FieldProblem[] {
  try {
    parseJobParameters(raw);
  } catch (error) {
    if (!(error instanceof FfrtmpError)) throw error;
    expect(error.code).toBe('E_INVALID_PARAMETER');
    return error.details?.problems as FieldProblem[];
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

function fieldsOf(raw: unknown): string[] {
  return problemsOf(raw).map((p) => p.field);
}

const live = { duration: 60, bitrate: '5000k' };

describe('parseJobParameters: the reference job', () => {
  it('accepts {"duration":60,"bitrate":"5000k"} and fills in encoder h264 and preset medium', () => {
    expect(parseJobParameters(live)).toEqual({
      type: 'transcode',
      mode: 'live',
      duration: 60,
      bitrate: '5000k',
      encoder: 'h264',
      preset: 'medium',
    });
  });

  it('canonicalises bitrates to NNNNk', () => {
    expect(parseJobParameters({ duration: 10, bitrate: '2.5M' }).bitrate).toBe('2500k');
    expect(parseJobParameters({ duration: 10, bitrate: 800 }).bitrate).toBe('800k');
  });

  it('rejects a non-object', () => {
    expect(fieldsOf('duration=60')).toEqual(['parameters']);
    expect(fieldsOf([live])).toEqual(['parameters']);
  });
});

describe('parseJobParameters: single fields', () => {
  it('rejects an encoder outside the closed list, naming parameters.encoder', () => {
    const problems = problemsOf({ ...live, encoder: 'libx264; rm -rf /' });
    expect(problems.map((p) => p.field)).toEqual(['parameters.encoder']);
    expect(problems[0]?.message).toMatch(/^expected one of h264, h265/);
  });

  it('rejects resolution 99999x1', () => {
    expect(fieldsOf({ ...live, resolution: '99999x1' })).toEqual(['parameters.resolution']);
  });

  it('rejects an odd resolution and accepts an even one', () => {
    expect(fieldsOf({ ...live, resolution: '1279x720' })).toEqual(['parameters.resolution']);
    expect(parseJobParameters({ ...live, resolution: '1280x720' }).resolution).toBe('1280x720');
  });

  it('rejects a negative and a zero duration', () => {
    expect(fieldsOf({ ...live, duration: -5 })).toEqual(['parameters.duration']);
    expect(fieldsOf({ ...live, duration: 0 })).toEqual(['parameters.duration']);
  });

  it('rejects a duration given as a string', () => {
    expect(fieldsOf({ ...live, duration: '60' })).toEqual(['parameters.duration']);
  });

  it('rejects an unknown key, naming it', () => {
    const problems = problemsOf({ ...live, filter_complex: 'movie=/etc/passwd' });
    expect(problems.map((p) => p.field)).toEqual(['parameters.filter_complex']);
    expect(problems[0]?.message).toMatch(/^unknown parameter/);
  });

  it('rejects bitrates out of range or unparseable', () => {
    expect(fieldsOf({ duration: 10, bitrate: '5G' })).toEqual(['parameters.bitrate']);
    expect(fieldsOf({ duration: 10, bitrate: '300M' })).toEqual(['parameters.bitrate']);
    expect(fieldsOf({ duration: 10, bitrate: 8 })).toEqual(['parameters.bitrate']);
  });

  it('requires whole streams and a boolean quality', () => {
    expect(fieldsOf({ ...live, streams: 2.5, quality: 'yes' })).toEqual([
      'parameters.streams',
      'parameters.quality',
    ]);
  });
});

describe('parseJobParameters: presets per encoder family', () => {
  it('accepts x264 medium and nvenc p4', () => {
    expect(parseJobParameters({ ...live, encoder: 'h264', preset: 'medium' }).preset).toBe('medium');
    expect(parseJobParameters({ ...live, encoder: 'h264_nvenc', preset: 'p4' }).preset).toBe('p4');
  });

  it('rejects svtav1 medium (its presets are 0–13)', () => {
    const problems = problemsOf({ ...live, encoder: 'av1', preset: 'medium' });
    expect(problems.map((p) => p.field)).toEqual(['parameters.preset']);
    expect(problems[0]?.message).toMatch(/^expected one of 0, 1, 2/);
  });

  it('rejects x264 p4', () => {
    expect(fieldsOf({ ...live, encoder: 'h264', preset: 'p4' })).toEqual(['parameters.preset']);
  });

  it('rejects any preset for vaapi, and fills none in', () => {
    const problems = problemsOf({ ...live, encoder: 'h264_vaapi', preset: 'medium' });
    expect(problems.map((p) => p.field)).toEqual(['parameters.preset']);
    expect(problems[0]?.message).toMatch(/takes no preset/);
    expect(parseJobParameters({ ...live, encoder: 'h264_vaapi' }).preset).toBeUndefined();
  });

  it('fills in the family default preset', () => {
    expect(parseJobParameters({ ...live, encoder: 'av1' }).preset).toBe('8');
    expect(parseJobParameters({ ...live, encoder: 'hevc_nvenc' }).preset).toBe('p4');
    expect(parseJobParameters({ ...live, encoder: 'vp9' }).preset).toBe('good');
  });

  it('reports only the encoder when the encoder is bad and a preset is given', () => {
    expect(fieldsOf({ ...live, encoder: 'x264', preset: 'medium' })).toEqual(['parameters.encoder']);
  });
});

describe('parseJobParameters: output ladder', () => {
  const ladder = [
    { resolution: '1920x1080', fps: 30, bitrate: '5M' },
    { resolution: '1280x720', fps: 30, bitrate: '2500k' },
    { resolution: '640x360', fps: 30, bitrate: 800 },
  ];

  it('accepts three rungs and canonicalises their bitrates', () => {
    expect(parseJobParameters({ duration: 30, outputs: ladder }).outputs).toEqual([
      { resolution: '1920x1080', fps: 30, bitrate: '5000k' },
      { resolution: '1280x720', fps: 30, bitrate: '2500k' },
      { resolution: '640x360', fps: 30, bitrate: '800k' },
    ]);
  });

  it('names the bad field of a rung: parameters.outputs[1].fps', () => {
    const outputs = [ladder[0], { ...ladder[1], fps: 0 }, ladder[2]];
    expect(fieldsOf({ duration: 30, outputs })).toEqual(['parameters.outputs[1].fps']);
  });

  it('names unknown keys and non-object rungs', () => {
    const outputs = [{ ...ladder[0], crf: 23 }, 'x'];
    expect(fieldsOf({ duration: 30, outputs })).toEqual([
      'parameters.outputs[0].crf',
      'parameters.outputs[1]',
    ]);
  });

  it('rejects an empty ladder and one of nine rungs', () => {
    expect(fieldsOf({ duration: 30, outputs: [] })).toEqual(['parameters.outputs']);
    expect(fieldsOf({ duration: 30, outputs: Array(9).fill(ladder[2]) })).toEqual(['parameters.outputs']);
  });

  it('rejects a ladder combined with bitrates or several streams', () => {
    expect(fieldsOf({ duration: 30, outputs: ladder, bitrates: ['1M', '2M'] })).toEqual([
      'parameters.outputs',
    ]);
    expect(fieldsOf({ duration: 30, outputs: ladder, streams: 2 })).toEqual(['parameters.outputs']);
    expect(parseJobParameters({ duration: 30, outputs: ladder, streams: 1 }).streams).toBe(1);
  });
});

describe('parseJobParameters: streams and bitrates', () => {
  it('accepts matching bitrates and streams', () => {
    const p = parseJobParameters({ duration: 30, bitrates: ['1M', '2500k', 4000], streams: 3 });
    expect(p.bitrates).toEqual(['1000k', '2500k', '4000k']);
  });

  it('rejects bitrates and streams that disagree', () => {
    const problems = problemsOf({ duration: 30, bitrates: ['1M', '2M'], streams: 3 });
    expect(problems.map((p) => p.field)).toEqual(['parameters.streams']);
    expect(problems[0]?.message).toContain('got 3');
  });

  it('names the bad entry of bitrates', () => {
    expect(fieldsOf({ duration: 30, bitrates: ['1M', 'fast'] })).toEqual(['parameters.bitrates[1]']);
  });
});

describe('parseJobParameters: input and mode', () => {
  it('requires an input in file mode', () => {
    expect(fieldsOf({ mode: 'file' })).toEqual(['parameters.input']);
    expect(parseJobParameters({ mode: 'file', input: 'clips/bbb_1080p.mp4' }).input).toBe(
      'clips/bbb_1080p.mp4',
    );
  });

  it('does not require a duration in file mode', () => {
    expect(parseJobParameters({ mode: 'file', input: 'a.mp4' }).duration).toBeUndefined();
  });

  it('requires a duration in live mode', () => {
    expect(fieldsOf({ bitrate: '5000k' })).toEqual(['parameters.duration']);
  });

  it.each([
    '../etc/passwd',
    'clips/../../etc/passwd',
    '/abs',
    '/etc/passwd',
    'concat:a|b',
    'http://x',
    '.hidden',
    '',
  ])('rejects input %j', (input) => {
    expect(fieldsOf({ mode: 'file', input })).toEqual(['parameters.input']);
  });
});

describe('parseJobParameters: rtmp_url', () => {
  it('accepts rtmp and rtmps URLs with plain path segments', () => {
    expect(
      parseJobParameters({ ...live, output: 'rtmp', rtmp_url: 'rtmp://nginx:1935/live/test' }).rtmp_url,
    ).toBe('rtmp://nginx:1935/live/test');
    expect(
      parseJobParameters({ ...live, rtmp_url: 'rtmps://edge.example.com/app/key_1' }).rtmp_url,
    ).toBeDefined();
  });

  it.each([
    'http://nginx/live/test',
    'rtmp://nginx',
    'rtmp://nginx/live/test?x=1',
    'rtmp://nginx/live/a b',
    'rtmp://nginx/live/../x;rm',
  ])('rejects %j', (rtmp_url) => {
    expect(fieldsOf({ ...live, rtmp_url })).toEqual(['parameters.rtmp_url']);
  });

  it('rejects an rtmp_url with output file', () => {
    expect(fieldsOf({ ...live, output: 'file', rtmp_url: 'rtmp://nginx/live/test' })).toEqual([
      'parameters.rtmp_url',
    ]);
  });
});

describe('parseJobParameters: baseline', () => {
  it('accepts a baseline with a duration and fills in no encoder', () => {
    expect(parseJobParameters({ type: 'baseline', duration: 60 })).toEqual({
      type: 'baseline',
      mode: 'live',
      duration: 60,
    });
  });

  it('requires a duration', () => {
    expect(fieldsOf({ type: 'baseline' })).toEqual(['parameters.duration']);
  });

  it('ignores mode: a baseline in file mode needs no input (it encodes nothing)', () => {
    expect(parseJobParameters({ type: 'baseline', mode: 'file', duration: 60 }).type).toBe('baseline');
  });

  it('reports a preset on a baseline once', () => {
    const problems = problemsOf({ type: 'baseline', duration: 60, preset: 'medium' });
    expect(problems).toEqual([
      { field: 'parameters.preset', message: 'a baseline runs no encode; remove this field' },
    ]);
  });

  it('rejects encode fields', () => {
    expect(fieldsOf({ type: 'baseline', duration: 60, encoder: 'h264', output: 'null' })).toEqual([
      'parameters.encoder',
      'parameters.output',
    ]);
  });
});

describe('parseJobParameters: many problems at once', () => {
  it('reports every problem in one error', () => {
    const fields = fieldsOf({
      duration: -1,
      bitrate: 'fast',
      resolution: '99999x1',
      encoder: 'libx264; rm -rf /',
      shell: 'sh',
    });
    expect(fields.sort()).toEqual(
      [
        'parameters.shell',
        'parameters.duration',
        'parameters.bitrate',
        'parameters.resolution',
        'parameters.encoder',
      ].sort(),
    );
  });

  it('puts every problem into the message', () => {
    try {
      parseJobParameters({ duration: -1, fps: 1000 });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/parameters\.duration: .*; parameters\.fps: /);
    }
  });
});

describe('requiresOf', () => {
  it('requires the FFmpeg encoder of the job', () => {
    expect(requiresOf(parseJobParameters(live))).toEqual(['libx264']);
    expect(requiresOf(parseJobParameters({ ...live, encoder: 'hevc' }))).toEqual(['libx265']);
    expect(requiresOf(parseJobParameters({ ...live, encoder: 'av1_nvenc' }))).toEqual(['av1_nvenc']);
  });

  it('requires nothing of a baseline', () => {
    expect(requiresOf(parseJobParameters({ type: 'baseline', duration: 30 }))).toEqual([]);
  });

  it('requires nothing when no encoder is set', () => {
    const params: JobParameters = { type: 'transcode', mode: 'live', duration: 10 };
    expect(requiresOf(params)).toEqual([]);
  });
});
