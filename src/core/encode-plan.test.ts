import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EncodePlan, NO_RTMP_WARNING, type PlanEnv, planEncode } from './encode-plan.js';
import { FfrtmpError } from './errors.js';
import { createProgressParser, type ProgressBlock } from './ffmpeg-progress.js';
import { parseJobParameters } from './job-parameters.js';

const env: PlanEnv = { workDir: '/var/lib/ffrtmp/work/job-1/1', streamKey: 'job-1' };
const withRtmp: PlanEnv = { ...env, rtmpBaseUrl: 'rtmp://127.0.0.1:1935/live', mediaDir: '/srv/media' };

/** Plans a job from raw parameters, through the same validation the master applies. */
function planOf(raw: Record<string, unknown>, planEnv: PlanEnv = env): EncodePlan {
  return planEncode(parseJobParameters(raw), planEnv);
}

function argsOf(plan: EncodePlan, i = 0): string[] {
  const p = plan.processes[i];
  if (!p) throw new Error(`no process ${i}`);
  return p.args;
}

/** The value following `flag` in `args` (first occurrence at or after `from`). */
function valueAfter(args: string[], flag: string, from = 0): string | undefined {
  const i = args.indexOf(flag, from);
  return i === -1 ? undefined : args[i + 1];
}

const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-progress', 'pipe:1', '-nostats', '-y'];

describe('planEncode: worked examples', () => {
  it('plans the reference live job as one exact argv (h264, null muxer without RTMP)', () => {
    const plan = planOf({ duration: 60, bitrate: '5000k' });
    expect(plan).toEqual({
      mode: 'live',
      durationSec: 60,
      warnings: [NO_RTMP_WARNING],
      processes: [
        {
          command: 'ffmpeg',
          args: [
            ...COMMON,
            '-re',
            '-f',
            'lavfi',
            '-i',
            'testsrc2=size=1280x720:rate=30',
            '-map',
            '0:v:0',
            '-c:v',
            'libx264',
            '-preset',
            'medium',
            '-b:v',
            '5000k',
            '-maxrate',
            '5000k',
            '-bufsize',
            '10000k',
            '-g',
            '60',
            '-pix_fmt',
            'yuv420p',
            '-an',
            '-t',
            '60',
            '-f',
            'null',
            '-',
          ],
          outputs: [{ resolution: '1280x720', fps: 30, bitrate: '5000k', target: 'null', kind: 'null' }],
        },
      ],
    });
  });

  it('plans an RTMP live job with the sine audio source and AAC for FLV', () => {
    const plan = planOf(
      { duration: 10, resolution: '1920x1080', fps: 60, bitrate: '6M', preset: 'veryfast' },
      { ...withRtmp, ffmpegPath: '/usr/bin/ffmpeg' },
    );
    expect(plan.warnings).toEqual([]);
    expect(plan.processes).toEqual([
      {
        command: '/usr/bin/ffmpeg',
        args: [
          ...COMMON,
          '-re',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=1920x1080:rate=60',
          '-re',
          '-f',
          'lavfi',
          '-i',
          'sine=frequency=1000:sample_rate=48000',
          '-map',
          '0:v:0',
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-b:v',
          '6000k',
          '-maxrate',
          '6000k',
          '-bufsize',
          '12000k',
          '-g',
          '120',
          '-pix_fmt',
          'yuv420p',
          '-map',
          '1:a:0',
          '-c:a',
          'aac',
          '-b:a',
          '128k',
          '-t',
          '10',
          '-f',
          'flv',
          'rtmp://127.0.0.1:1935/live/job-1',
        ],
        outputs: [
          {
            resolution: '1920x1080',
            fps: 60,
            bitrate: '6000k',
            target: 'rtmp://127.0.0.1:1935/live/job-1',
            kind: 'rtmp',
          },
        ],
      },
    ]);
  });

  it('applies the defaults 1280x720, 30 fps, 2500k, one stream', () => {
    const plan = planOf({ duration: 5 });
    expect(plan.processes).toHaveLength(1);
    expect(plan.processes[0]?.outputs).toEqual([
      { resolution: '1280x720', fps: 30, bitrate: '2500k', target: 'null', kind: 'null' },
    ]);
    expect(valueAfter(argsOf(plan), '-b:v')).toBe('2500k');
  });

  it('streams: 2 → two identical concurrent processes, RTMP keys suffixed _0 and _1', () => {
    const plan = planOf({ duration: 30, streams: 2, bitrate: '3000k' }, withRtmp);
    expect(plan.processes).toHaveLength(2);
    expect(plan.processes.map((p) => p.outputs[0]?.target)).toEqual([
      'rtmp://127.0.0.1:1935/live/job-1_0',
      'rtmp://127.0.0.1:1935/live/job-1_1',
    ]);
    const [a, b] = [argsOf(plan, 0), argsOf(plan, 1)];
    expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
    expect(a.at(-1)).toBe('rtmp://127.0.0.1:1935/live/job-1_0');
    expect(b.at(-1)).toBe('rtmp://127.0.0.1:1935/live/job-1_1');
    // Each process generates its own source.
    expect(a.filter((x) => x === '-i')).toHaveLength(2);
  });

  it('mixed bitrates → one process per bitrate, each with its own -b:v/-maxrate/-bufsize', () => {
    const plan = planOf({ duration: 30, bitrates: ['1M', '2500k', 4000] });
    expect(plan.processes).toHaveLength(3);
    expect(plan.processes.map((p) => p.outputs[0]?.bitrate)).toEqual(['1000k', '2500k', '4000k']);
    expect(plan.processes.map((p) => valueAfter(p.args, '-b:v'))).toEqual(['1000k', '2500k', '4000k']);
    expect(plan.processes.map((p) => valueAfter(p.args, '-maxrate'))).toEqual(['1000k', '2500k', '4000k']);
    expect(plan.processes.map((p) => valueAfter(p.args, '-bufsize'))).toEqual(['2000k', '5000k', '8000k']);
  });

  it('a 3-rung ladder is ONE process: split=3, scale+fps per rung, three maps with their own encoder args', () => {
    const plan = planOf(
      {
        duration: 20,
        outputs: [
          { resolution: '1920x1080', fps: 30, bitrate: '5M' },
          { resolution: '1280x720', fps: 30, bitrate: '2500k' },
          { resolution: '640x360', fps: 15, bitrate: '800k' },
        ],
      },
      withRtmp,
    );
    expect(plan.processes).toHaveLength(1);
    const args = argsOf(plan);
    expect(args.filter((x) => x === '-i')).toHaveLength(2);
    expect(valueAfter(args, '-i')).toBe('testsrc2=size=1920x1080:rate=30');
    expect(valueAfter(args, '-filter_complex')).toBe(
      '[0:v:0]split=3[s0][s1][s2];' +
        '[s0]scale=1920:1080,fps=30[v0];' +
        '[s1]scale=1280:720,fps=30[v1];' +
        '[s2]scale=640:360,fps=15[v2]',
    );
    const maps = args.flatMap((x, i) => (x === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['[v0]', '1:a:0', '[v1]', '1:a:0', '[v2]', '1:a:0']);
    // One output's arguments: from its video map to its muxer.
    const rung = (n: number): string[] => {
      const start = args.lastIndexOf(`[v${n}]`);
      return args.slice(start, args.indexOf('-f', start));
    };
    expect(valueAfter(rung(0), '-b:v')).toBe('5000k');
    expect(valueAfter(rung(1), '-b:v')).toBe('2500k');
    expect(valueAfter(rung(2), '-b:v')).toBe('800k');
    expect(valueAfter(rung(2), '-g')).toBe('30');
    expect(args.filter((x) => x === '-c:v')).toHaveLength(3);
    expect(plan.processes[0]?.outputs).toEqual([
      {
        resolution: '1920x1080',
        fps: 30,
        bitrate: '5000k',
        target: 'rtmp://127.0.0.1:1935/live/job-1_0',
        kind: 'rtmp',
      },
      {
        resolution: '1280x720',
        fps: 30,
        bitrate: '2500k',
        target: 'rtmp://127.0.0.1:1935/live/job-1_1',
        kind: 'rtmp',
      },
      {
        resolution: '640x360',
        fps: 15,
        bitrate: '800k',
        target: 'rtmp://127.0.0.1:1935/live/job-1_2',
        kind: 'rtmp',
      },
    ]);
  });

  it('generates a ladder source at the largest rung and the highest rate', () => {
    const plan = planOf({
      duration: 5,
      outputs: [
        { resolution: '640x360', fps: 60, bitrate: '800k' },
        { resolution: '1280x720', fps: 30, bitrate: '2500k' },
      ],
    });
    expect(valueAfter(argsOf(plan), '-i')).toBe('testsrc2=size=1280x720:rate=60');
  });

  it('file mode joins the input under the media dir, scales to the target, no -re, optional -t cap', () => {
    const plan = planOf(
      { mode: 'file', input: 'clips/bbb.mp4', output: 'file', resolution: '854x480', fps: 24 },
      { ...env, mediaDir: '/srv/media/' },
    );
    expect(plan.mode).toBe('file');
    expect(plan.durationSec).toBeUndefined();
    expect(plan.warnings).toEqual([]);
    expect(argsOf(plan)).toEqual([
      ...COMMON,
      '-i',
      '/srv/media/clips/bbb.mp4',
      '-map',
      '0:v:0',
      '-vf',
      'scale=854:480,fps=24',
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-b:v',
      '2500k',
      '-maxrate',
      '2500k',
      '-bufsize',
      '5000k',
      '-g',
      '48',
      '-pix_fmt',
      'yuv420p',
      '-map',
      '0:a:0?',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      'mp4',
      '/var/lib/ffrtmp/work/job-1/1/output_0.mp4',
    ]);
    const capped = planOf({ mode: 'file', input: 'a.mkv', duration: 12 }, { ...env, mediaDir: '/srv/media' });
    expect(capped.durationSec).toBe(12);
    expect(argsOf(capped)).not.toContain('-re');
    expect(valueAfter(argsOf(capped), '-t')).toBe('12');
    expect(valueAfter(argsOf(capped), '-i')).toBe('/srv/media/a.mkv');
    // File mode falls back to the null muxer without a warning: there is no real-time stream to miss.
    expect(capped.warnings).toEqual([]);
    expect(capped.processes[0]?.outputs[0]?.kind).toBe('null');
  });

  it("file mode keeps the probed input's size and rate unless the job names others", () => {
    const probedEnv: PlanEnv = {
      ...env,
      mediaDir: '/srv/media',
      input: { width: 320, height: 240, fps: 25 },
    };
    const kept = planOf({ mode: 'file', input: 'clip.mp4' }, probedEnv);
    expect(kept.processes[0]?.outputs[0]).toMatchObject({ resolution: '320x240', fps: 25 });
    expect(argsOf(kept)).not.toContain('-vf');
    const scaled = planOf({ mode: 'file', input: 'clip.mp4', resolution: '160x120' }, probedEnv);
    expect(valueAfter(argsOf(scaled), '-vf')).toBe('scale=160:120');
    expect(scaled.processes[0]?.outputs[0]).toMatchObject({ resolution: '160x120', fps: 25 });
  });

  it('file mode without a media dir is E_INVALID_PARAMETER', () => {
    const params = parseJobParameters({ mode: 'file', input: 'a.mp4' });
    expect(() => planEncode(params, env)).toThrow(FfrtmpError);
    try {
      planEncode(params, env);
    } catch (error) {
      expect((error as FfrtmpError).code).toBe('E_INVALID_PARAMETER');
      expect((error as FfrtmpError).message).toMatch(/media-dir/);
    }
  });

  it("names RTMP targets: agent base URL + stream key; the job's rtmp_url wins and is used as given", () => {
    expect(planOf({ duration: 5 }, withRtmp).processes[0]?.outputs[0]?.target).toBe(
      'rtmp://127.0.0.1:1935/live/job-1',
    );
    expect(
      planOf({ duration: 5 }, { ...env, rtmpBaseUrl: 'rtmp://h/live/' }).processes[0]?.outputs[0]?.target,
    ).toBe('rtmp://h/live/job-1');
    const own = planOf({ duration: 5, rtmp_url: 'rtmp://media.example:1936/app/mykey' }, withRtmp);
    expect(own.processes[0]?.outputs[0]).toMatchObject({
      kind: 'rtmp',
      target: 'rtmp://media.example:1936/app/mykey',
    });
    expect(argsOf(own).slice(-3)).toEqual(['-f', 'flv', 'rtmp://media.example:1936/app/mykey']);
    const two = planOf({ duration: 5, streams: 2, rtmp_url: 'rtmp://media.example/app/k' });
    expect(two.processes.map((p) => p.outputs[0]?.target)).toEqual([
      'rtmp://media.example/app/k_0',
      'rtmp://media.example/app/k_1',
    ]);
    expect(two.warnings).toEqual([]);
  });

  it('output "rtmp" with no RTMP URL anywhere is E_INVALID_PARAMETER, not a silent fallback', () => {
    expect(() => planOf({ duration: 5, output: 'rtmp' })).toThrow(/needs an RTMP server/);
  });

  it('explicit output "null" with an RTMP server configured encodes to null, without warning', () => {
    const plan = planOf({ duration: 5, output: 'null' }, withRtmp);
    expect(plan.warnings).toEqual([]);
    expect(argsOf(plan).slice(-3)).toEqual(['-f', 'null', '-']);
    expect(argsOf(plan)).toContain('-an');
  });

  it('warns when a live job falls back to the null muxer for lack of an RTMP server', () => {
    expect(planOf({ duration: 5 }).warnings).toEqual([NO_RTMP_WARNING]);
    expect(planOf({ duration: 5 }, withRtmp).warnings).toEqual([]);
  });

  it('vp9 file output is WebM with Opus audio and the deadline/cpu-used pair of its preset', () => {
    const plan = planOf({
      duration: 5,
      encoder: 'vp9',
      preset: 'realtime',
      output: 'file',
      bitrates: ['1M', '2M'],
    });
    expect(plan.processes.map((p) => p.outputs[0]?.target)).toEqual([
      '/var/lib/ffrtmp/work/job-1/1/output_0.webm',
      '/var/lib/ffrtmp/work/job-1/1/output_1.webm',
    ]);
    const args = argsOf(plan);
    expect(args.slice(args.indexOf('-c:v'), args.indexOf('-c:v') + 14)).toEqual([
      '-c:v',
      'libvpx-vp9',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '1000k',
      '-row-mt',
      '1',
      '-g',
      '60',
      '-pix_fmt',
      'yuv420p',
    ]);
    expect(valueAfter(args, '-c:a')).toBe('libopus');
    expect(args.slice(-3)).toEqual(['-f', 'webm', '/var/lib/ffrtmp/work/job-1/1/output_0.webm']);
    expect(valueAfter(argsOf(planOf({ duration: 5, encoder: 'vp9' })), '-cpu-used')).toBe('4');
    expect(valueAfter(argsOf(planOf({ duration: 5, encoder: 'vp9', preset: 'best' })), '-cpu-used')).toBe(
      '1',
    );
  });

  it('encoder arguments per family', () => {
    const encArgs = (raw: Record<string, unknown>): string[] => {
      const args = argsOf(planOf({ duration: 5, fps: 25, bitrate: '3M', ...raw }));
      return args.slice(args.indexOf('-c:v'), args.indexOf('-an'));
    };
    expect(encArgs({ encoder: 'h265', preset: 'fast' })).toEqual([
      '-c:v',
      'libx265',
      '-preset',
      'fast',
      '-b:v',
      '3000k',
      '-maxrate',
      '3000k',
      '-bufsize',
      '6000k',
      '-g',
      '50',
      '-pix_fmt',
      'yuv420p',
      '-x265-params',
      'log-level=error',
    ]);
    expect(encArgs({ encoder: 'av1', preset: '10' })).toEqual([
      '-c:v',
      'libsvtav1',
      '-preset',
      '10',
      '-b:v',
      '3000k',
      '-g',
      '50',
      '-pix_fmt',
      'yuv420p',
    ]);
    expect(encArgs({ encoder: 'h264_nvenc' })).toEqual([
      '-c:v',
      'h264_nvenc',
      '-preset',
      'p4',
      '-b:v',
      '3000k',
      '-rc',
      'cbr',
      '-g',
      '50',
    ]);
    expect(encArgs({ encoder: 'av1_nvenc', preset: 'p1' }).slice(0, 4)).toEqual([
      '-c:v',
      'av1_nvenc',
      '-preset',
      'p1',
    ]);
    expect(encArgs({ encoder: 'hevc_qsv', preset: 'fast' })).toEqual([
      '-c:v',
      'hevc_qsv',
      '-preset',
      'fast',
      '-b:v',
      '3000k',
      '-g',
      '50',
    ]);
  });

  it('vaapi: device before the inputs, upload filter on the video chain (ladder too)', () => {
    const args = argsOf(planOf({ duration: 5, encoder: 'h264_vaapi', fps: 25, bitrate: '3M' }));
    expect(args.slice(COMMON.length, COMMON.length + 2)).toEqual(['-vaapi_device', '/dev/dri/renderD128']);
    expect(args.indexOf('-vaapi_device')).toBeLessThan(args.indexOf('-i'));
    expect(args.slice(args.indexOf('-vf'), args.indexOf('-an'))).toEqual([
      '-vf',
      'format=nv12,hwupload',
      '-c:v',
      'h264_vaapi',
      '-b:v',
      '3000k',
      '-g',
      '50',
    ]);
    const ladder = argsOf(
      planOf({
        duration: 5,
        encoder: 'hevc_vaapi',
        outputs: [
          { resolution: '1280x720', fps: 30, bitrate: '2M' },
          { resolution: '640x360', fps: 30, bitrate: '1M' },
        ],
      }),
    );
    expect(valueAfter(ladder, '-filter_complex')).toBe(
      '[0:v:0]split=2[s0][s1];[s0]scale=1280:720,fps=30,format=nv12,hwupload[v0];' +
        '[s1]scale=640:360,fps=30,format=nv12,hwupload[v1]',
    );
    expect(ladder).not.toContain('-vf');
  });

  it('warns that RTMP carries non-H.264 codecs only on FFmpeg ≥ 6.1', () => {
    expect(planOf({ duration: 5, encoder: 'h265' }, withRtmp).warnings).toEqual([
      expect.stringMatching(/RTMP \(FLV\) carries hevc only with FFmpeg 6\.1/),
    ]);
    expect(planOf({ duration: 5, encoder: 'h264_nvenc' }, withRtmp).warnings).toEqual([]);
  });

  it('defaults: live H.264 goes to the RTMP server; other codecs and file mode to the null muxer', () => {
    const kinds = (raw: Record<string, unknown>) =>
      planOf(raw, withRtmp).processes.flatMap((p) => p.outputs.map((o) => o.kind));
    expect(kinds({ duration: 5, encoder: 'h264' })).toEqual(['rtmp']);
    expect(kinds({ duration: 5, encoder: 'vp9' })).toEqual(['null']);
    expect(planOf({ duration: 5, encoder: 'vp9' }, withRtmp).warnings).toEqual([
      expect.stringMatching(/null muxer/),
    ]);
    expect(kinds({ mode: 'file', input: 'a.mp4', encoder: 'h264' })).toEqual(['null']);
    expect(kinds({ duration: 5, encoder: 'vp9', output: 'rtmp' })).toEqual(['rtmp']);
  });

  it('fractional fps and duration are passed through; the GOP is rounded', () => {
    const args = argsOf(planOf({ duration: 2.5, fps: 29.97 }));
    expect(valueAfter(args, '-i')).toBe('testsrc2=size=1280x720:rate=29.97');
    expect(valueAfter(args, '-g')).toBe('60');
    expect(valueAfter(args, '-t')).toBe('2.5');
  });

  it('a baseline job plans no process', () => {
    const plan = planOf({ type: 'baseline', duration: 60 }, withRtmp);
    expect(plan).toEqual({ processes: [], mode: 'live', durationSec: 60, warnings: [] });
  });

  it('never builds a shell string: every argument is its own array element', () => {
    const plan = planOf({ duration: 5, streams: 3 }, withRtmp);
    for (const p of plan.processes) {
      expect(p.args.every((a) => typeof a === 'string' && a.length > 0)).toBe(true);
      expect(p.args.some((a) => a.includes(' '))).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The argv above, run by the real FFmpeg. Needs /usr/bin/ffmpeg; fails (never skips) without it.

const FFMPEG = '/usr/bin/ffmpeg';
const run = promisify(execFile);

interface Ran {
  blocks: ProgressBlock[];
}

async function runPlan(plan: EncodePlan): Promise<Ran[]> {
  const ran: Ran[] = [];
  for (const p of plan.processes) {
    expect(p.command).toBe(FFMPEG);
    const { stdout } = await run(p.command, p.args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
    const blocks: ProgressBlock[] = [];
    const parser = createProgressParser((b) => blocks.push(b));
    // Feed in awkward pieces, as a pipe would.
    for (let i = 0; i < stdout.length; i += 37) parser.push(stdout.slice(i, i + 37));
    ran.push({ blocks });
  }
  return ran;
}

function expectFinished(r: Ran | undefined, fps: number, durationSec: number): void {
  const last = r?.blocks.at(-1);
  expect(last?.progress).toBe('end');
  expect(last?.frame).toBeDefined();
  expect(Math.abs((last?.frame ?? 0) - fps * durationSec)).toBeLessThanOrEqual(2);
}

function expectNonEmptyFile(path: string): void {
  expect(existsSync(path)).toBe(true);
  expect(statSync(path).size).toBeGreaterThan(0);
}

describe('planEncode: the planned argv runs under the real FFmpeg', () => {
  let work = '';
  let realEnv: PlanEnv = { workDir: '', streamKey: 'test' };
  let encoders = '';

  beforeAll(async () => {
    if (!existsSync(FFMPEG)) throw new Error(`${FFMPEG} not found: install ffmpeg: apt-get install ffmpeg`);
    encoders = (await run(FFMPEG, ['-hide_banner', '-encoders'], { maxBuffer: 4 * 1024 * 1024 })).stdout;
    work = mkdtempSync(join(tmpdir(), 'ffrtmp-plan-'));
    realEnv = { workDir: work, mediaDir: work, streamKey: 'test', ffmpegPath: FFMPEG };
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('(a) live h264 320x240@15, 1 s, null muxer', async () => {
    const plan = planOf(
      { duration: 1, resolution: '320x240', fps: 15, bitrate: '300k', preset: 'ultrafast' },
      realEnv,
    );
    expect(plan.warnings).toEqual([NO_RTMP_WARNING]);
    const [r] = await runPlan(plan);
    expectFinished(r, 15, 1);
  });

  it('(b) a 3-rung ladder in one process, 1 s, null muxer', async () => {
    const plan = planOf(
      {
        duration: 1,
        preset: 'ultrafast',
        outputs: [
          { resolution: '320x240', fps: 15, bitrate: '400k' },
          { resolution: '256x144', fps: 15, bitrate: '200k' },
          { resolution: '160x90', fps: 10, bitrate: '100k' },
        ],
      },
      realEnv,
    );
    expect(plan.processes).toHaveLength(1);
    const [r] = await runPlan(plan);
    // frame= reports the first output.
    expectFinished(r, 15, 1);
  });

  it('(c) vp9 1 s to a WebM file (with Opus audio)', async () => {
    const plan = planOf(
      {
        duration: 1,
        encoder: 'vp9',
        preset: 'realtime',
        resolution: '320x240',
        fps: 15,
        bitrate: '300k',
        output: 'file',
      },
      realEnv,
    );
    const [r] = await runPlan(plan);
    expectFinished(r, 15, 1);
    const target = plan.processes[0]?.outputs[0]?.target ?? '';
    expect(target).toBe(join(work, 'output_0.webm'));
    expectNonEmptyFile(target);
  });

  it('(d) av1 (libsvtav1) 1 s to an MP4 file, or h265 where libsvtav1 is missing', async () => {
    const encoder = /\blibsvtav1\b/.test(encoders) ? 'av1' : 'h265';
    const preset = encoder === 'av1' ? '12' : 'ultrafast';
    const plan = planOf(
      { duration: 1, encoder, preset, resolution: '320x240', fps: 15, bitrate: '300k', output: 'file' },
      { ...realEnv, workDir: join(work, '') },
    );
    const [r] = await runPlan(plan);
    expectFinished(r, 15, 1);
    const target = plan.processes[0]?.outputs[0]?.target ?? '';
    expect(target).toBe(join(work, 'output_0.mp4'));
    expectNonEmptyFile(target);
  });

  it('(e) file mode: two concurrent-stream plans over a real input under the media dir', async () => {
    // Make a 2 s input with audio, then encode its first second at 10 fps.
    await run(FFMPEG, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      join(work, 'input.mp4'),
    ]);
    const plan = planOf(
      {
        mode: 'file',
        input: 'input.mp4',
        duration: 1,
        resolution: '160x120',
        fps: 10,
        bitrates: ['100k', '200k'],
        preset: 'ultrafast',
        output: 'file',
      },
      { ...realEnv, workDir: work },
    );
    const ran = await runPlan(plan);
    for (const r of ran) expectFinished(r, 10, 1);
    for (const p of plan.processes) expectNonEmptyFile(p.outputs[0]?.target ?? '');
  });
});
