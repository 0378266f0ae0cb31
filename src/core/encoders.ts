/**
 * The closed list of encoders a job may name, mapped to FFmpeg encoders, with the presets each
 * family accepts. Nothing outside this table can reach FFmpeg's argument list.
 */

const X26X_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;
// libvpx-vp9 has no -preset; these select -deadline (realtime/good/best).
const VP9_PRESETS = ['realtime', 'good', 'best'] as const;
// SVT-AV1 presets are numbers, 0 (slowest) to 13 (fastest).
const SVTAV1_PRESETS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'] as const;
// NVENC's p1..p7 plus the older names FFmpeg still maps onto them.
const NVENC_PRESETS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'fast', 'medium', 'slow'] as const;
const QSV_PRESETS = ['veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

export const ENCODER_FAMILIES = {
  x264: { presets: X26X_PRESETS, defaultPreset: 'medium' },
  x265: { presets: X26X_PRESETS, defaultPreset: 'medium' },
  vp9: { presets: VP9_PRESETS, defaultPreset: 'good' },
  svtav1: { presets: SVTAV1_PRESETS, defaultPreset: '8' },
  nvenc: { presets: NVENC_PRESETS, defaultPreset: 'p4' },
  qsv: { presets: QSV_PRESETS, defaultPreset: 'medium' },
  vaapi: { presets: [], defaultPreset: undefined },
} as const satisfies Record<string, { presets: readonly string[]; defaultPreset: string | undefined }>;

export type EncoderFamily = keyof typeof ENCODER_FAMILIES;

export interface EncoderSpec {
  /** The FFmpeg encoder (`-c:v` value). */
  ffmpeg: string;
  family: EncoderFamily;
  /** Needs a hardware device; a one-frame test encode proves it usable on a node. */
  hardware: 'none' | 'nvidia' | 'intel' | 'vaapi';
  /** The codec, for grouping in analysis. */
  codec: 'h264' | 'hevc' | 'vp9' | 'av1';
}

export const ENCODERS = {
  h264: { ffmpeg: 'libx264', family: 'x264', hardware: 'none', codec: 'h264' },
  h265: { ffmpeg: 'libx265', family: 'x265', hardware: 'none', codec: 'hevc' },
  hevc: { ffmpeg: 'libx265', family: 'x265', hardware: 'none', codec: 'hevc' },
  vp9: { ffmpeg: 'libvpx-vp9', family: 'vp9', hardware: 'none', codec: 'vp9' },
  av1: { ffmpeg: 'libsvtav1', family: 'svtav1', hardware: 'none', codec: 'av1' },
  h264_nvenc: { ffmpeg: 'h264_nvenc', family: 'nvenc', hardware: 'nvidia', codec: 'h264' },
  hevc_nvenc: { ffmpeg: 'hevc_nvenc', family: 'nvenc', hardware: 'nvidia', codec: 'hevc' },
  av1_nvenc: { ffmpeg: 'av1_nvenc', family: 'nvenc', hardware: 'nvidia', codec: 'av1' },
  h264_qsv: { ffmpeg: 'h264_qsv', family: 'qsv', hardware: 'intel', codec: 'h264' },
  hevc_qsv: { ffmpeg: 'hevc_qsv', family: 'qsv', hardware: 'intel', codec: 'hevc' },
  h264_vaapi: { ffmpeg: 'h264_vaapi', family: 'vaapi', hardware: 'vaapi', codec: 'h264' },
  hevc_vaapi: { ffmpeg: 'hevc_vaapi', family: 'vaapi', hardware: 'vaapi', codec: 'hevc' },
} as const satisfies Record<string, EncoderSpec>;

export type EncoderName = keyof typeof ENCODERS;

export const ENCODER_NAMES = Object.keys(ENCODERS) as EncoderName[];

/** The FFmpeg encoder names ffrtmp can drive (deduplicated), e.g. for probing `ffmpeg -encoders`. */
export const FFMPEG_ENCODERS: readonly string[] = [...new Set(Object.values(ENCODERS).map((e) => e.ffmpeg))];

export function isEncoderName(value: unknown): value is EncoderName {
  return typeof value === 'string' && Object.hasOwn(ENCODERS, value);
}

export function presetsFor(encoder: EncoderName): readonly string[] {
  return ENCODER_FAMILIES[ENCODERS[encoder].family].presets;
}

export function defaultPresetFor(encoder: EncoderName): string | undefined {
  return ENCODER_FAMILIES[ENCODERS[encoder].family].defaultPreset;
}
