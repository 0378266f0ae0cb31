/**
 * Objective quality of an encode against its source (DESIGN §3 `quality`): PSNR and SSIM with
 * FFmpeg's own filters, VMAF where the FFmpeg build has libvmaf. The argument list and the parse
 * of FFmpeg's summary lines are pure; the agent runs them after the measurement window.
 */

export type QualityReference =
  /** The live source, regenerated: testsrc2 is deterministic, frame for frame. */
  | { kind: 'testsrc2'; width: number; height: number; fps: number; durationSec: number }
  /** A file-mode input. */
  | { kind: 'file'; path: string };

export interface QualityPlanInput {
  distortedPath: string;
  reference: QualityReference;
  /** The encoded output's size and rate: the reference is scaled to it. */
  width: number;
  height: number;
  fps: number;
  vmaf: boolean;
}

export function qualityArgs(q: QualityPlanInput): string[] {
  const refInput =
    q.reference.kind === 'testsrc2'
      ? [
          '-f',
          'lavfi',
          '-t',
          String(q.reference.durationSec),
          '-i',
          `testsrc2=size=${q.reference.width}x${q.reference.height}:rate=${q.reference.fps}`,
        ]
      : ['-i', q.reference.path];
  const n = q.vmaf ? 3 : 2;
  const labels = (p: string) => Array.from({ length: n }, (_, i) => `[${p}${i}]`).join('');
  // Both streams on one time base from 0, the reference scaled to the encode's size and rate.
  const graph = [
    `[0:v]settb=AVTB,setpts=PTS-STARTPTS,split=${n}${labels('d')}`,
    `[1:v]scale=${q.width}:${q.height}:flags=bicubic,fps=${q.fps},settb=AVTB,setpts=PTS-STARTPTS,split=${n}${labels('r')}`,
    '[d0][r0]psnr',
    '[d1][r1]ssim',
    ...(q.vmaf ? ['[d2][r2]libvmaf'] : []),
  ].join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'info',
    '-i',
    q.distortedPath,
    ...refInput,
    '-lavfi',
    graph,
    '-f',
    'null',
    '-',
  ];
}

export interface QualityScores {
  psnr?: number;
  ssim?: number;
  vmaf?: number;
}

/**
 * Reads FFmpeg's summaries: `PSNR y:… average:38.12 min:…`, `SSIM Y:… All:0.975123 (16.05)`,
 * `VMAF score: 95.3`. A metric FFmpeg did not print is absent — never 0. PSNR of identical
 * frames prints `inf`, kept as Infinity.
 */
export function parseQuality(stderr: string): QualityScores {
  const scores: QualityScores = {};
  const psnr = /PSNR [^\n]*average:(inf|[\d.]+)/.exec(stderr)?.[1];
  if (psnr !== undefined) scores.psnr = psnr === 'inf' ? Number.POSITIVE_INFINITY : Number(psnr);
  const ssim = /SSIM [^\n]*All:([\d.]+)/.exec(stderr)?.[1];
  if (ssim !== undefined) scores.ssim = Number(ssim);
  const vmaf = /VMAF score[:=]\s*([\d.]+)/.exec(stderr)?.[1];
  if (vmaf !== undefined) scores.vmaf = Number(vmaf);
  return scores;
}

/** The mean of each metric over outputs that have it (a ladder's rungs count equally). */
export function meanScores(list: readonly QualityScores[]): QualityScores {
  const out: QualityScores = {};
  for (const key of ['psnr', 'ssim', 'vmaf'] as const) {
    const values = list.map((s) => s[key]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length > 0)
      out[key] = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10_000) / 10_000;
  }
  return out;
}
