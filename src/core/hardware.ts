/**
 * Parsers for what the agent's hardware probe reads (DESIGN §5): `ffmpeg -encoders`,
 * `ffmpeg -version`, `nvidia-smi --query-gpu` CSV and /proc/cpuinfo. Pure: the agent runs the
 * commands and reads the files, these functions turn their text into data.
 */
import { ENCODERS, type EncoderSpec, FFMPEG_ENCODERS } from './encoders.js';

export interface GpuInfo {
  index: number;
  name: string;
  /** Total memory in MiB; null where nvidia-smi prints `[N/A]`. */
  memoryMiB: number | null;
  uuid: string;
}

// ` V....D libx264   libx264 H.264 …`: six flag characters, the encoder name, its description.
const ENCODER_LINE = /^\s*([VASD.][A-Z.]{5})\s+(\S+)/;

/** Video encoder names listed by `ffmpeg -hide_banner -encoders` (lines after the `------` rule). */
export function parseFfmpegEncoders(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const rule = lines.findIndex((line) => /^\s*-{3,}\s*$/.test(line));
  if (rule < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(rule + 1)) {
    const match = ENCODER_LINE.exec(line);
    if (match?.[1]?.startsWith('V') && match[2]) names.push(match[2]);
  }
  return names;
}

/** `ffmpeg version 5.1.6-0+deb12u1 Copyright …` → `5.1.6-0+deb12u1`; null when absent. */
export function parseFfmpegVersion(output: string): string | null {
  const match = /^\s*ffmpeg version (\S+)/m.exec(output);
  return match?.[1] ?? null;
}

function parseMemoryMiB(field: string): number | null {
  if (!/^\d+(\.\d+)?$/.test(field)) return null; // `[N/A]`, `[Not Supported]`
  return Number(field);
}

/**
 * GPUs from `nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits`.
 * Lines that are not GPU rows (e.g. "No devices were found") are skipped. A name containing a
 * comma stays whole: index is the first field, memory and uuid the last two.
 */
export function parseNvidiaGpuList(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 4) continue;
    const [indexField = ''] = fields;
    const uuid = fields.at(-1) ?? '';
    const memory = fields.at(-2) ?? '';
    const name = fields.slice(1, -2).join(', ');
    if (!/^\d+$/.test(indexField) || name === '' || uuid === '') continue;
    gpus.push({ index: Number(indexField), name, memoryMiB: parseMemoryMiB(memory), uuid });
  }
  return gpus;
}

// x86 names the CPU in `model name`; ARM kernels often only give the SoC in `Hardware`, MIPS in
// `cpu model`. The first key found in this order wins.
const CPU_MODEL_KEYS = ['model name', 'hardware', 'cpu model'] as const;

/** The CPU model from /proc/cpuinfo, or null when no known field names it. */
export function parseCpuModel(cpuinfo: string): string | null {
  const fields = new Map<string, string>();
  for (const line of cpuinfo.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (value !== '' && !fields.has(key)) fields.set(key, value);
  }
  for (const key of CPU_MODEL_KEYS) {
    const value = fields.get(key);
    if (value) return value;
  }
  return null;
}

function specOf(ffmpegEncoder: string): EncoderSpec | undefined {
  return Object.values(ENCODERS).find((spec) => spec.ffmpeg === ffmpegEncoder);
}

/** True for the encoders that need a device (NVENC, QSV, VAAPI) and so a test encode. */
export function isHardwareEncoder(ffmpegEncoder: string): boolean {
  const spec = specOf(ffmpegEncoder);
  return spec !== undefined && spec.hardware !== 'none';
}

/** The ffrtmp-drivable hardware encoders among those ffmpeg lists: the ones to test-encode. */
export function hardwareEncodersToTest(listed: readonly string[]): string[] {
  return FFMPEG_ENCODERS.filter((name) => listed.includes(name) && isHardwareEncoder(name));
}

/**
 * The encoders a node can offer: those ffrtmp drives (FFMPEG_ENCODERS, in that order) that ffmpeg
 * lists, hardware ones only when a test encode passed (Debian's ffmpeg lists NVENC, QSV and VAAPI
 * on every machine, GPU or not).
 */
export function usableEncoders(listed: readonly string[], hardwareTestPassed: ReadonlySet<string>): string[] {
  return FFMPEG_ENCODERS.filter(
    (name) => listed.includes(name) && (!isHardwareEncoder(name) || hardwareTestPassed.has(name)),
  );
}

export const DEFAULT_VAAPI_DEVICE = '/dev/dri/renderD128';

/** FFmpeg arguments for a one-frame encode of a black 256x144 frame with `encoder`, output discarded. */
export function toTestEncodeArgs(encoder: string, vaapiDevice = DEFAULT_VAAPI_DEVICE): string[] {
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=black:s=256x144:r=1'];
  const upload =
    specOf(encoder)?.hardware === 'vaapi'
      ? ['-vaapi_device', vaapiDevice, '-vf', 'format=nv12,hwupload']
      : [];
  return [...input, '-frames:v', '1', ...upload, '-c:v', encoder, '-f', 'null', '-'];
}
