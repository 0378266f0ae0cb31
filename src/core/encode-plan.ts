import { ENCODERS, type EncoderFamily, type EncoderSpec } from './encoders.js';
import { FfrtmpError } from './errors.js';
import type { JobParameters } from './job-parameters.js';
import { formatBitrate, parseBitrateKbps, parseResolution } from './units.js';

/**
 * Turns validated job parameters into FFmpeg argument arrays (DESIGN §3). Pure: no I/O, no clock,
 * no environment. Every value placed in an argument array is either a constant of this file, a
 * value `parseJobParameters` validated (closed lists, bounded numbers, canonical `NNNNk`
 * bitrates, `WxH` resolutions, a relative input name, an rtmp URL of plain segments), or
 * agent-side configuration (`PlanEnv`). Nothing is ever joined into a shell string.
 */

export interface PlanEnv {
  /** Absolute work dir for this job attempt (file outputs go here). */
  workDir: string;
  /** Absolute media dir; `params.input` is resolved inside it (pure string join, input already validated). */
  mediaDir?: string;
  /** What the agent's ffprobe found in a file-mode input; file jobs keep the input's size and rate unless told otherwise. */
  input?: { width: number; height: number; fps: number };
  /** RTMP base URL from agent config, e.g. rtmp://127.0.0.1:1935/live ; the job's params.rtmp_url wins. */
  rtmpBaseUrl?: string;
  /** Stream key prefix for RTMP, e.g. the job id. */
  streamKey: string;
  /** Default `ffmpeg` (looked up on PATH by the process runner). */
  ffmpegPath?: string;
}

export type OutputKind = 'null' | 'file' | 'rtmp';

export interface PlannedOutput {
  resolution: string;
  fps: number;
  bitrate: string;
  /** `'null'` | file path | rtmp url */
  target: string;
  kind: OutputKind;
}

export interface PlannedProcess {
  command: string;
  args: string[];
  /** What this process encodes, in output order. */
  outputs: PlannedOutput[];
}

export interface EncodePlan {
  /** Processes to run concurrently; empty for a baseline. */
  processes: PlannedProcess[];
  /** Seconds of media per process (live: `duration`; file: the optional cap). */
  durationSec?: number;
  mode: 'live' | 'file';
  warnings: string[];
}

export const PLAN_DEFAULTS = {
  resolution: '1280x720',
  fps: 30,
  bitrate: '2500k',
  streams: 1,
  audioBitrate: '128k',
  sineHz: 1000,
  sampleRate: 48_000,
  vaapiDevice: '/dev/dri/renderD128',
} as const;

export const NO_RTMP_WARNING = 'no RTMP server configured; encoding to the null muxer';

// `info`, not `error`: FFmpeg's closing summary (`video:56kB audio:0kB …`), the only report of
// the bytes encoded when the output is the null muxer, is an info line. The agent keeps a tail.
const COMMON_ARGS = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'info',
  '-progress',
  'pipe:1',
  '-nostats',
  '-y',
];

interface Rung {
  resolution: string;
  width: number;
  height: number;
  fps: number;
  bitrate: string;
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

function joinPath(dir: string, name: string): string {
  return `${trimSlashes(dir)}/${name}`;
}

/** Numbers as FFmpeg reads them: `30`, `29.97` (never exponent notation for our bounded values). */
function num(n: number): string {
  return String(n);
}

function doubleBitrate(bitrate: string): string {
  const kbps = parseBitrateKbps(bitrate);
  if (kbps === undefined) throw invalidParam('bitrate', `expected a bitrate like "2500k", got ${bitrate}`);
  return formatBitrate(kbps * 2);
}

function gopOf(fps: number): string {
  return String(Math.max(1, Math.round(fps * 2)));
}

function invalidParam(field: string, message: string): FfrtmpError {
  const problems = [{ field: `parameters.${field}`, message }];
  return new FfrtmpError('E_INVALID_PARAMETER', `parameters.${field}: ${message}`, {
    details: { problems },
  });
}

function rungOf(resolution: string, fps: number, bitrate: string, field: string): Rung {
  const r = parseResolution(resolution);
  if (!r) throw invalidParam(field, `expected WIDTHxHEIGHT, got ${resolution}`);
  return { resolution, width: r.width, height: r.height, fps, bitrate };
}

const VP9_CPU_USED: Record<string, string> = { realtime: '8', good: '4', best: '1' };

/** Video encoder arguments for one output (they follow its `-map`s, so they apply to it alone). */
function videoEncoderArgs(spec: EncoderSpec, preset: string | undefined, rung: Rung): string[] {
  const b = rung.bitrate;
  const g = gopOf(rung.fps);
  const family: EncoderFamily = spec.family;
  switch (family) {
    case 'x264':
    case 'x265': {
      const args = ['-c:v', spec.ffmpeg];
      if (preset) args.push('-preset', preset);
      args.push('-b:v', b, '-maxrate', b, '-bufsize', doubleBitrate(b), '-g', g, '-pix_fmt', 'yuv420p');
      if (family === 'x265') args.push('-x265-params', 'log-level=error');
      return args;
    }
    case 'vp9': {
      const deadline = preset ?? 'good';
      return [
        '-c:v',
        spec.ffmpeg,
        '-deadline',
        deadline,
        '-cpu-used',
        VP9_CPU_USED[deadline] ?? '4',
        '-b:v',
        b,
        '-row-mt',
        '1',
        '-g',
        g,
        '-pix_fmt',
        'yuv420p',
      ];
    }
    case 'svtav1': {
      // FFmpeg's libsvtav1 wrapper selects SVT's VBR rate control whenever -b:v is set.
      const args = ['-c:v', spec.ffmpeg];
      if (preset) args.push('-preset', preset);
      args.push('-b:v', b, '-g', g, '-pix_fmt', 'yuv420p');
      return args;
    }
    case 'nvenc':
      return ['-c:v', spec.ffmpeg, '-preset', preset ?? 'p4', '-b:v', b, '-rc', 'cbr', '-g', g];
    case 'qsv': {
      const args = ['-c:v', spec.ffmpeg];
      if (preset) args.push('-preset', preset);
      args.push('-b:v', b, '-g', g);
      return args;
    }
    case 'vaapi':
      return ['-c:v', spec.ffmpeg, '-b:v', b, '-g', g];
  }
}

/** Filters the encoder family needs at the end of the video chain (upload to the GPU for VAAPI). */
function familyFilters(family: EncoderFamily): string[] {
  return family === 'vaapi' ? ['format=nv12', 'hwupload'] : [];
}

/** Arguments that must precede the inputs (hardware device set-up). */
function familyGlobalArgs(family: EncoderFamily): string[] {
  return family === 'vaapi' ? ['-vaapi_device', PLAN_DEFAULTS.vaapiDevice] : [];
}

interface Target {
  kind: OutputKind;
  target: string;
  muxerArgs: string[];
}

function withSuffix(url: string, suffix: string): string {
  return suffix === '' ? url : `${url}${suffix}`;
}

/**
 * Resolves where output `index` (of `count` in the whole job) goes.
 * - rtmp: the job's `rtmp_url` is a full `rtmp://host/app/key` URL; the agent's base URL gets
 *   `/<streamKey>` appended. With several outputs each gets `_<index>` (0-based) appended.
 * - file: `<workDir>/output_<index>.<ext>` (webm for VP9, mp4 otherwise).
 * - null: the null muxer.
 */
function targetOf(
  kind: OutputKind,
  index: number,
  count: number,
  spec: EncoderSpec,
  env: PlanEnv,
  rtmpUrl: string | undefined,
): Target {
  const suffix = count > 1 ? `_${index}` : '';
  switch (kind) {
    case 'rtmp': {
      const url = rtmpUrl ?? '';
      return { kind, target: withSuffix(url, suffix), muxerArgs: ['-f', 'flv'] };
    }
    case 'file': {
      const webm = spec.codec === 'vp9';
      const path = joinPath(env.workDir, `output_${index}.${webm ? 'webm' : 'mp4'}`);
      return { kind, target: path, muxerArgs: ['-f', webm ? 'webm' : 'mp4'] };
    }
    case 'null':
      return { kind, target: 'null', muxerArgs: ['-f', 'null'] };
  }
}

/** Audio arguments for one output. FLV (RTMP) and files carry audio; the null muxer needs none. */
function audioArgs(kind: OutputKind, spec: EncoderSpec, audioMap: string | undefined): string[] {
  if (kind === 'null' || audioMap === undefined) return ['-an'];
  // WebM only carries Opus or Vorbis.
  const codec = kind === 'file' && spec.codec === 'vp9' ? 'libopus' : 'aac';
  return ['-map', audioMap, '-c:a', codec, '-b:a', PLAN_DEFAULTS.audioBitrate];
}

/**
 * Plans the FFmpeg processes for one job attempt. Throws E_INVALID_PARAMETER when the job cannot
 * run with this agent's configuration (file mode without a media dir, rtmp output without a URL).
 */
export function planEncode(params: JobParameters, env: PlanEnv): EncodePlan {
  const mode = params.mode;
  const warnings: string[] = [];
  const plan = (processes: PlannedProcess[]): EncodePlan => {
    const result: EncodePlan = { processes, mode, warnings };
    if (params.duration !== undefined) result.durationSec = params.duration;
    return result;
  };
  if (params.type === 'baseline') return plan([]);

  const encoderName = params.encoder ?? 'h264';
  const spec: EncoderSpec = ENCODERS[encoderName];
  const command = env.ffmpegPath ?? 'ffmpeg';

  // Where the outputs go.
  const rtmpUrl =
    params.rtmp_url ?? (env.rtmpBaseUrl !== undefined ? joinPath(env.rtmpBaseUrl, env.streamKey) : undefined);
  let kind: OutputKind;
  if (params.output !== undefined) {
    kind = params.output;
    if (kind === 'rtmp' && rtmpUrl === undefined) {
      throw invalidParam(
        'output',
        'output "rtmp" needs an RTMP server: give parameters.rtmp_url or configure the agent RTMP URL',
      );
    }
  } else if (params.quality) {
    // Quality is computed on the encoded output afterwards, so it has to be kept.
    kind = 'file';
  } else if (mode === 'file') {
    // File mode measures an encode as fast as it can go: no network sink unless asked for.
    kind = 'null';
  } else if (rtmpUrl !== undefined && spec.codec === 'h264') {
    kind = 'rtmp';
  } else {
    kind = 'null';
    warnings.push(
      rtmpUrl === undefined
        ? NO_RTMP_WARNING
        : `RTMP (FLV) carries ${spec.codec} only with FFmpeg 6.1 or later; encoding to the null muxer (set output "rtmp" to try anyway)`,
    );
  }
  if (kind === 'rtmp' && spec.codec !== 'h264') {
    warnings.push(
      `RTMP (FLV) carries ${spec.codec} only with FFmpeg 6.1 or later (enhanced RTMP); older FFmpeg refuses the output`,
    );
  }

  // The input.
  let inputArgs: string[];
  let videoIn: string;
  let audioIn: string | undefined;
  if (mode === 'file') {
    if (env.mediaDir === undefined) {
      throw invalidParam('input', 'file mode needs the agent to be started with --media-dir');
    }
    if (params.input === undefined) {
      throw invalidParam('input', 'file mode needs an input file under the agent media dir');
    }
    inputArgs = ['-i', joinPath(env.mediaDir, params.input)];
    videoIn = '0:v:0';
    // The input may have no audio: `?` makes the mapping optional.
    audioIn = '0:a:0?';
  } else {
    inputArgs = [];
    videoIn = '0:v:0';
    audioIn = kind === 'null' ? undefined : '1:a:0';
  }
  const durationArgs = params.duration !== undefined ? ['-t', num(params.duration)] : [];

  const liveInputs = (source: Rung): string[] => {
    const args = [
      '-re',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${source.width}x${source.height}:rate=${num(source.fps)}`,
    ];
    if (audioIn !== undefined) {
      args.push(
        '-re',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${PLAN_DEFAULTS.sineHz}:sample_rate=${PLAN_DEFAULTS.sampleRate}`,
      );
    }
    return args;
  };

  const outputArgs = (rung: Rung, target: Target, videoMap: string, vf: string[]): string[] => {
    const args = ['-map', videoMap];
    if (vf.length > 0) args.push('-vf', vf.join(','));
    args.push(...videoEncoderArgs(spec, params.preset, rung));
    args.push(...audioArgs(target.kind, spec, audioIn));
    args.push(...durationArgs, ...target.muxerArgs, target.kind === 'null' ? '-' : target.target);
    return args;
  };

  const planned = (rung: Rung, target: Target): PlannedOutput => ({
    resolution: rung.resolution,
    fps: rung.fps,
    bitrate: rung.bitrate,
    target: target.target,
    kind: target.kind,
  });

  // An output ladder: one process, one input, split into N scaled rungs.
  if (params.outputs !== undefined && params.outputs.length > 0) {
    const rungs = params.outputs.map((o, i) => rungOf(o.resolution, o.fps, o.bitrate, `outputs[${i}]`));
    const n = rungs.length;
    const labels = rungs.map((_, i) => `s${i}`);
    const chains = rungs.map((r, i) => {
      const filters = [`scale=${r.width}:${r.height}`, `fps=${num(r.fps)}`, ...familyFilters(spec.family)];
      return `[${labels[i]}]${filters.join(',')}[v${i}]`;
    });
    const filterComplex = [`[${videoIn}]split=${n}${labels.map((l) => `[${l}]`).join('')}`, ...chains].join(
      ';',
    );
    // The live source is generated at the largest rung's size and the highest rate.
    const largest = rungs.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const source: Rung = { ...largest, fps: Math.max(...rungs.map((r) => r.fps)) };
    const args = [
      ...COMMON_ARGS,
      ...familyGlobalArgs(spec.family),
      ...(mode === 'live' ? liveInputs(source) : inputArgs),
      '-filter_complex',
      filterComplex,
    ];
    const outputs: PlannedOutput[] = [];
    rungs.forEach((rung, i) => {
      const target = targetOf(kind, i, n, spec, env, rtmpUrl);
      args.push(...outputArgs(rung, target, `[v${i}]`, []));
      outputs.push(planned(rung, target));
    });
    return plan([{ command, args, outputs }]);
  }

  // Concurrent encodes: one process per stream, each with its own bitrate when `bitrates` is given.
  // A file input keeps its own size and rate unless the job asks for others.
  const probed = mode === 'file' ? env.input : undefined;
  const resolution =
    params.resolution ?? (probed ? `${probed.width}x${probed.height}` : PLAN_DEFAULTS.resolution);
  const fps = params.fps ?? probed?.fps ?? PLAN_DEFAULTS.fps;
  const bitrates =
    params.bitrates ??
    Array.from(
      { length: params.streams ?? PLAN_DEFAULTS.streams },
      () => params.bitrate ?? PLAN_DEFAULTS.bitrate,
    );
  const processes = bitrates.map((bitrate, i): PlannedProcess => {
    const rung = rungOf(resolution, fps, bitrate, 'resolution');
    const target = targetOf(kind, i, bitrates.length, spec, env, rtmpUrl);
    // Live sources are generated at the target size and rate; file inputs are scaled to it.
    const vf =
      mode === 'live'
        ? familyFilters(spec.family)
        : [
            ...(params.resolution !== undefined || !probed ? [`scale=${rung.width}:${rung.height}`] : []),
            ...(params.fps !== undefined || !probed ? [`fps=${num(rung.fps)}`] : []),
            ...familyFilters(spec.family),
          ];
    const args = [
      ...COMMON_ARGS,
      ...familyGlobalArgs(spec.family),
      ...(mode === 'live' ? liveInputs(rung) : inputArgs),
      ...outputArgs(rung, target, videoIn, vf),
    ];
    return { command, args, outputs: [planned(rung, target)] };
  });
  return plan(processes);
}
