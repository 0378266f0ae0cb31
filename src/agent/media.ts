import { execFile } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FfrtmpError } from '../core/errors.js';

const run = promisify(execFile);

/** ffprobe beside the configured ffmpeg (`/opt/ff/bin/ffmpeg` → `/opt/ff/bin/ffprobe`). */
export function ffprobeFor(ffmpegPath: string): string {
  const name = basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe');
  return ffmpegPath.includes('/') ? join(dirname(ffmpegPath), name) : name;
}

/** Size and frame rate of a file's first video stream. */
export async function probeInput(
  ffprobe: string,
  path: string,
): Promise<{ width: number; height: number; fps: number }> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      ffprobe,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=width,height,avg_frame_rate',
        '-of',
        'json',
        path,
      ],
      { timeout: 30_000 },
    ));
  } catch (cause) {
    const detail = ((cause as { stderr?: string }).stderr ?? (cause as Error).message).trim().split('\n')[0];
    throw new FfrtmpError(
      'E_INVALID_PARAMETER',
      `parameters.input: cannot read ${basename(path)} (${detail})`,
      { cause },
    );
  }
  const stream = (
    JSON.parse(stdout) as { streams?: { width?: number; height?: number; avg_frame_rate?: string }[] }
  ).streams?.[0];
  const [num = 0, den = 1] = (stream?.avg_frame_rate ?? '0/1').split('/').map(Number);
  const fps = den > 0 ? num / den : 0;
  if (!stream?.width || !stream.height || !(fps > 0)) {
    throw new FfrtmpError('E_INVALID_PARAMETER', `parameters.input: ${basename(path)} has no video stream`);
  }
  return { width: stream.width, height: stream.height, fps: Math.round(fps * 1000) / 1000 };
}
