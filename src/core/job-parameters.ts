import { ENCODER_NAMES, ENCODERS, type EncoderName, defaultPresetFor, presetsFor } from './encoders.js';
import { type FieldProblem, invalid } from './errors.js';
import { formatBitrate, formatResolution, parseBitrateKbps, parseResolution } from './units.js';
import { isRecord } from './guards.js';

/**
 * Job parameters (DESIGN §3), checked at the edge. Everything that later becomes an FFmpeg argument
 * passes through here: closed lists, bounded numbers, one bitrate parser, no paths except a
 * relative input under the agent's media dir, no free-form arguments.
 */

export const LIMITS = {
  durationSec: { min: 1, max: 86_400 },
  width: { min: 16, max: 7680 },
  height: { min: 16, max: 4320 },
  fps: { min: 1, max: 240 },
  streams: { min: 1, max: 64 },
  bitrateKbps: { min: 16, max: 200_000 },
  outputs: { min: 1, max: 8 },
  settleSec: { min: 0, max: 3600 },
  timeoutSec: { min: 1, max: 172_800 },
} as const;

export interface OutputRung {
  resolution: string;
  fps: number;
  /** Canonical `NNNNk`. */
  bitrate: string;
}

export interface JobParameters {
  type: 'transcode' | 'baseline';
  mode: 'live' | 'file';
  /** Seconds. For `file` mode, a cap on how much of the input to encode (optional). */
  duration?: number;
  bitrate?: string;
  bitrates?: string[];
  streams?: number;
  resolution?: string;
  fps?: number;
  encoder?: EncoderName;
  preset?: string;
  outputs?: OutputRung[];
  output?: 'rtmp' | 'file' | 'null';
  rtmp_url?: string;
  input?: string;
  stabilization?: number;
  cooldown?: number;
  quality?: boolean;
  timeout_sec?: number;
}

const KNOWN_KEYS = new Set<string>([
  'type',
  'mode',
  'duration',
  'bitrate',
  'bitrates',
  'streams',
  'resolution',
  'fps',
  'encoder',
  'preset',
  'outputs',
  'output',
  'rtmp_url',
  'input',
  'stabilization',
  'cooldown',
  'quality',
  'timeout_sec',
]);

type Problems = FieldProblem[];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function numberIn(
  problems: Problems,
  field: string,
  value: unknown,
  bounds: { min: number; max: number },
  integer: boolean,
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push({ field, message: `expected a number, got ${describe(value)}` });
    return undefined;
  }
  if (integer && !Number.isInteger(value)) {
    problems.push({ field, message: `expected a whole number, got ${value}` });
    return undefined;
  }
  if (value < bounds.min || value > bounds.max) {
    problems.push({ field, message: `expected ${bounds.min} to ${bounds.max}, got ${value}` });
    return undefined;
  }
  return value;
}

function bitrateIn(problems: Problems, field: string, value: unknown): string | undefined {
  const kbps = parseBitrateKbps(value);
  if (kbps === undefined) {
    problems.push({
      field,
      message: `expected a bitrate like "5000k", "5M" or a number of kbps, got ${describe(value)}`,
    });
    return undefined;
  }
  const { min, max } = LIMITS.bitrateKbps;
  if (kbps < min || kbps > max) {
    problems.push({ field, message: `expected ${min}k to ${max}k, got ${formatBitrate(kbps)}` });
    return undefined;
  }
  return formatBitrate(kbps);
}

function resolutionIn(problems: Problems, field: string, value: unknown): string | undefined {
  const r = parseResolution(value);
  if (!r) {
    problems.push({ field, message: `expected WIDTHxHEIGHT like "1280x720", got ${describe(value)}` });
    return undefined;
  }
  const { width: w, height: h } = LIMITS;
  if (r.width < w.min || r.width > w.max || r.height < h.min || r.height > h.max) {
    problems.push({
      field,
      message: `expected width ${w.min}–${w.max} and height ${h.min}–${h.max}, got ${formatResolution(r)}`,
    });
    return undefined;
  }
  if (r.width % 2 !== 0 || r.height % 2 !== 0) {
    problems.push({
      field,
      message: `expected even width and height (4:2:0 video), got ${formatResolution(r)}`,
    });
    return undefined;
  }
  return formatResolution(r);
}

function oneOf<T extends string>(
  problems: Problems,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ field, message: `expected one of ${allowed.join(', ')}, got ${describe(value)}` });
  return undefined;
}

// A media file name relative to the agent's --media-dir: no absolute paths, no `..`, no URLs or
// FFmpeg protocol prefixes (`concat:`, `subfile,`), so a job can never read outside that folder.
const INPUT_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

function inputIn(problems: Problems, value: unknown): string | undefined {
  if (
    typeof value !== 'string' ||
    value.length > 255 ||
    !INPUT_RE.test(value) ||
    value.split('/').includes('..')
  ) {
    problems.push({
      field: 'input',
      message: `expected a file name relative to the agent's media dir (letters, digits, . _ - /), got ${describe(value)}`,
    });
    return undefined;
  }
  return value;
}

const RTMP_URL_RE = /^rtmps?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~-]+)+$/;

function rtmpUrlIn(problems: Problems, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 512 || !RTMP_URL_RE.test(value)) {
    problems.push({
      field: 'rtmp_url',
      message: `expected rtmp://host[:port]/app/key with plain path segments, got ${describe(value)}`,
    });
    return undefined;
  }
  return value;
}

function outputsIn(problems: Problems, value: unknown): OutputRung[] | undefined {
  if (!Array.isArray(value) || value.length < LIMITS.outputs.min || value.length > LIMITS.outputs.max) {
    problems.push({
      field: 'outputs',
      message: `expected a list of ${LIMITS.outputs.min}–${LIMITS.outputs.max} rungs {resolution, fps, bitrate}, got ${describe(value)}`,
    });
    return undefined;
  }
  const rungs: OutputRung[] = [];
  value.forEach((rung, i) => {
    const at = `outputs[${i}]`;
    if (!isRecord(rung)) {
      problems.push({
        field: at,
        message: `expected an object {resolution, fps, bitrate}, got ${describe(rung)}`,
      });
      return;
    }
    for (const key of Object.keys(rung)) {
      if (!['resolution', 'fps', 'bitrate'].includes(key)) {
        problems.push({ field: `${at}.${key}`, message: 'unknown key; expected resolution, fps, bitrate' });
      }
    }
    const resolution = resolutionIn(problems, `${at}.resolution`, rung.resolution);
    const fps = numberIn(problems, `${at}.fps`, rung.fps, LIMITS.fps, false);
    const bitrate = bitrateIn(problems, `${at}.bitrate`, rung.bitrate);
    if (resolution && fps !== undefined && bitrate) rungs.push({ resolution, fps, bitrate });
  });
  return rungs.length === value.length ? rungs : undefined;
}

/**
 * Checks raw job parameters and returns them in canonical form (bitrates as `NNNNk`, defaults for
 * encoder and preset filled in). Throws E_INVALID_PARAMETER listing every problem, each naming its
 * field (`parameters.encoder`, `parameters.outputs[1].fps`).
 */
export function parseJobParameters(raw: unknown): JobParameters {
  if (!isRecord(raw)) {
    throw invalid([{ field: 'parameters', message: `expected an object, got ${describe(raw)}` }]);
  }
  const problems: Problems = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) {
      problems.push({
        field: key,
        message: `unknown parameter; expected one of ${[...KNOWN_KEYS].join(', ')}`,
      });
    }
  }
  const p: JobParameters = { type: 'transcode', mode: 'live' };
  if (raw.type !== undefined)
    p.type = oneOf(problems, 'type', raw.type, ['transcode', 'baseline'] as const) ?? 'transcode';
  if (raw.mode !== undefined) p.mode = oneOf(problems, 'mode', raw.mode, ['live', 'file'] as const) ?? 'live';
  if (raw.duration !== undefined)
    p.duration = numberIn(problems, 'duration', raw.duration, LIMITS.durationSec, false);
  if (raw.bitrate !== undefined) p.bitrate = bitrateIn(problems, 'bitrate', raw.bitrate);
  if (raw.bitrates !== undefined) {
    if (!Array.isArray(raw.bitrates) || raw.bitrates.length < 1 || raw.bitrates.length > LIMITS.streams.max) {
      problems.push({
        field: 'bitrates',
        message: `expected a list of 1–${LIMITS.streams.max} bitrates, got ${describe(raw.bitrates)}`,
      });
    } else {
      const list = raw.bitrates.map((b, i) => bitrateIn(problems, `bitrates[${i}]`, b));
      if (list.every((b) => b !== undefined)) p.bitrates = list as string[];
    }
  }
  if (raw.streams !== undefined) p.streams = numberIn(problems, 'streams', raw.streams, LIMITS.streams, true);
  if (raw.resolution !== undefined) p.resolution = resolutionIn(problems, 'resolution', raw.resolution);
  if (raw.fps !== undefined) p.fps = numberIn(problems, 'fps', raw.fps, LIMITS.fps, false);
  if (raw.encoder !== undefined) p.encoder = oneOf(problems, 'encoder', raw.encoder, ENCODER_NAMES);
  if (raw.outputs !== undefined) p.outputs = outputsIn(problems, raw.outputs);
  if (raw.output !== undefined)
    p.output = oneOf(problems, 'output', raw.output, ['rtmp', 'file', 'null'] as const);
  if (raw.rtmp_url !== undefined) p.rtmp_url = rtmpUrlIn(problems, raw.rtmp_url);
  if (raw.input !== undefined) p.input = inputIn(problems, raw.input);
  if (raw.stabilization !== undefined) {
    p.stabilization = numberIn(problems, 'stabilization', raw.stabilization, LIMITS.settleSec, false);
  }
  if (raw.cooldown !== undefined)
    p.cooldown = numberIn(problems, 'cooldown', raw.cooldown, LIMITS.settleSec, false);
  if (raw.quality !== undefined) {
    if (typeof raw.quality === 'boolean') p.quality = raw.quality;
    else problems.push({ field: 'quality', message: `expected true or false, got ${describe(raw.quality)}` });
  }
  if (raw.timeout_sec !== undefined) {
    p.timeout_sec = numberIn(problems, 'timeout_sec', raw.timeout_sec, LIMITS.timeoutSec, false);
  }

  // Cross-field rules, checked only when the fields themselves were valid.
  if (p.type === 'transcode') p.encoder ??= raw.encoder === undefined ? 'h264' : undefined;
  if (p.encoder !== undefined) {
    const presets = presetsFor(p.encoder);
    if (raw.preset !== undefined) {
      if (presets.length === 0) {
        problems.push({
          field: 'preset',
          message: `encoder ${p.encoder} takes no preset, got ${describe(raw.preset)}`,
        });
      } else {
        p.preset = oneOf(problems, 'preset', raw.preset, presets);
      }
    } else {
      const preset = defaultPresetFor(p.encoder);
      if (preset !== undefined) p.preset = preset;
    }
  }
  if (p.bitrates && raw.streams !== undefined && p.streams !== undefined && p.streams !== p.bitrates.length) {
    problems.push({
      field: 'streams',
      message: `expected ${p.bitrates.length} to match the ${p.bitrates.length} bitrates given, got ${p.streams}`,
    });
  }
  if (p.outputs && (raw.bitrates !== undefined || (raw.streams !== undefined && p.streams !== 1))) {
    problems.push({
      field: 'outputs',
      message: 'an output ladder is one encode; it cannot be combined with streams or bitrates',
    });
  }
  if (p.mode === 'file' && p.type === 'transcode' && raw.input === undefined) {
    problems.push({ field: 'input', message: 'file mode needs an input file under the agent media dir' });
  }
  if (p.mode === 'live' && p.type === 'transcode' && raw.duration === undefined) {
    problems.push({ field: 'duration', message: 'live mode needs a duration in seconds' });
  }
  if (p.type === 'baseline') {
    if (raw.duration === undefined)
      problems.push({ field: 'duration', message: 'a baseline needs a duration in seconds' });
    for (const key of ['encoder', 'preset', 'outputs', 'bitrates', 'input', 'output'] as const) {
      if (raw[key] !== undefined)
        problems.push({ field: key, message: 'a baseline runs no encode; remove this field' });
    }
  }
  if (p.quality && p.output !== undefined && p.output !== 'file') {
    problems.push({
      field: 'quality',
      message: `quality is measured on the encoded file: use output "file" or leave output out, got output "${p.output}"`,
    });
  }
  if (p.rtmp_url !== undefined && p.output !== undefined && p.output !== 'rtmp') {
    problems.push({ field: 'rtmp_url', message: `only used with output "rtmp", got output "${p.output}"` });
  }

  if (problems.length > 0) {
    throw invalid(problems.map((pr) => ({ field: `parameters.${pr.field}`, message: pr.message })));
  }
  return p;
}

/**
 * Capabilities a node must have to run a job: today the FFmpeg encoder it uses (`libx264`,
 * `h264_nvenc`). A node advertises the encoders its probe proved usable, and a job is only handed
 * to a node whose encoders include every entry.
 */
export function requiresOf(params: JobParameters): string[] {
  if (params.type === 'baseline' || params.encoder === undefined) return [];
  return [ENCODERS[params.encoder].ffmpeg];
}
