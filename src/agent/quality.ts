import type { EncodePlan } from '../core/encode-plan.js';
import type { JobParameters } from '../core/job-parameters.js';
import {
  type QualityReference,
  type QualityScores,
  meanScores,
  parseQuality,
  qualityArgs,
} from '../core/quality.js';
import { parseResolution } from '../core/units.js';
import { spawnOwned } from './children.js';
import { describeExit } from './run-ffmpeg.js';

export interface QualityOutcome {
  psnr?: number;
  ssim?: number;
  vmaf?: number;
  outputs: (QualityScores & { resolution: string; fps: number; bitrate: string })[];
  errors: string[];
}

let vmafAvailable: Promise<boolean> | undefined;

/** Whether this FFmpeg has libvmaf (asked once). */
function hasVmaf(ffmpegPath: string): Promise<boolean> {
  vmafAvailable ??= (async () => {
    const p = spawnOwned(ffmpegPath, ['-hide_banner', '-filters']);
    let out = '';
    p.child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    await p.closed;
    return /\blibvmaf\b/.test(out);
  })();
  return vmafAvailable;
}

/**
 * PSNR/SSIM (and VMAF where built in) of every file output of an encode against its source:
 * the regenerated live test pattern at the encode's source size, or the file-mode input. Runs
 * after the measurement window, so it never counts in the job's energy.
 */
export async function measureQuality(
  plan: EncodePlan,
  params: JobParameters,
  inputPath: string | undefined,
  ffmpegPath: string,
  signal: AbortSignal,
): Promise<QualityOutcome> {
  const vmaf = await hasVmaf(ffmpegPath);
  const outcome: QualityOutcome = { outputs: [], errors: [] };
  for (const proc of plan.processes) {
    const sizes = proc.outputs.map((o) => parseResolution(o.resolution) ?? { width: 0, height: 0 });
    const source = sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const sourceFps = Math.max(...proc.outputs.map((o) => o.fps));
    for (const [i, output] of proc.outputs.entries()) {
      if (output.kind !== 'file' || signal.aborted) continue;
      const size = sizes[i] ?? source;
      const reference: QualityReference =
        params.mode === 'file' && inputPath
          ? { kind: 'file', path: inputPath }
          : {
              kind: 'testsrc2',
              width: source.width,
              height: source.height,
              fps: sourceFps,
              durationSec: params.duration ?? 0,
            };
      const p = spawnOwned(
        ffmpegPath,
        qualityArgs({
          distortedPath: output.target,
          reference,
          width: size.width,
          height: size.height,
          fps: output.fps,
          vmaf,
        }),
      );
      let stderr = '';
      p.child.stderr?.setEncoding('utf8').on('data', (c: string) => {
        stderr = (stderr + c).slice(-65_536);
      });
      const stop = () => void p.stop(2000);
      signal.addEventListener('abort', stop, { once: true });
      const exit = await p.exited;
      await p.closed;
      signal.removeEventListener('abort', stop);
      if (exit.code !== 0) {
        outcome.errors.push(
          `quality of ${output.resolution}: ffmpeg ${describeExit(exit)}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
        );
        continue;
      }
      outcome.outputs.push({
        ...parseQuality(stderr),
        resolution: output.resolution,
        fps: output.fps,
        bitrate: output.bitrate,
      });
    }
  }
  return { ...meanScores(outcome.outputs), ...outcome };
}
