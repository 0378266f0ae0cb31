/**
 * The `metrics` section of a result (DESIGN §3): the reference's keys plus ours, from what each
 * FFmpeg process reported. Pure, so the agent and the tests compute them the same way.
 */

export interface ProcessReport {
  /** Frames of the process's first output (FFmpeg's `frame=`). */
  frames: number;
  /** Media seconds encoded (`out_time_us`). */
  outTimeSec: number;
  /** Bytes the process produced, all outputs: encoded (from FFmpeg's summary) or else muxed (`total_size`). */
  outputBytes: number;
  dropFrames: number;
  dupFrames: number;
  cpuSeconds: number;
  peakRssBytes: number | undefined;
  /** Frame rates of the process's outputs, first one first. */
  outputFps: readonly number[];
}

export interface EncodeMetrics {
  transcode_duration_sec: number;
  output_size_bytes: number;
  frames_encoded: number;
  encoding_fps: number;
  duration: number;
  speed: number;
  dropped_frames: number;
  duplicated_frames: number;
  avg_bitrate_kbps: number;
  cpu_seconds: number;
  cpu_cores_avg: number;
  peak_rss_bytes: number | null;
  streams: number;
  outputs: number;
  [key: string]: number | null;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * - frames_encoded: every frame of every output. FFmpeg reports frames of a process's first output
 *   only; other rungs of a ladder are scaled by their frame rate (they see the same input seconds).
 * - encoding_fps: frames_encoded per wall second (the aggregate throughput of the job).
 * - duration: media seconds produced per stream (the longest process).
 * - speed: media seconds per wall second, averaged over processes (1.0 = real time).
 * - output_size_bytes: bytes written to files when the outputs were files, else bytes encoded.
 */
export function summarizeEncode(
  processes: readonly ProcessReport[],
  wallSeconds: number,
  fileBytes: number | undefined,
): EncodeMetrics {
  const wall = Math.max(wallSeconds, 1e-9);
  let frames = 0;
  let muxed = 0;
  let peak: number | null = null;
  for (const p of processes) {
    const first = p.outputFps[0] ?? 0;
    frames += p.outputFps.reduce((sum, fps) => sum + (first > 0 ? (p.frames * fps) / first : p.frames), 0);
    muxed += p.outputBytes;
    if (p.peakRssBytes !== undefined) peak = Math.max(peak ?? 0, p.peakRssBytes);
  }
  const duration = Math.max(0, ...processes.map((p) => p.outTimeSec));
  const bitrate = processes.reduce(
    (sum, p) => sum + (p.outTimeSec > 0 ? (p.outputBytes * 8) / 1000 / p.outTimeSec : 0),
    0,
  );
  const cpu = processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  const speeds = processes.filter((p) => p.outTimeSec > 0).map((p) => p.outTimeSec / wall);
  return {
    transcode_duration_sec: round(wallSeconds),
    output_size_bytes: fileBytes ?? muxed,
    frames_encoded: Math.round(frames),
    encoding_fps: round(frames / wall, 2),
    duration: round(duration),
    speed: round(speeds.length > 0 ? speeds.reduce((a, b) => a + b, 0) / speeds.length : 0),
    dropped_frames: processes.reduce((sum, p) => sum + p.dropFrames, 0),
    duplicated_frames: processes.reduce((sum, p) => sum + p.dupFrames, 0),
    avg_bitrate_kbps: round(bitrate, 1),
    cpu_seconds: round(cpu),
    cpu_cores_avg: round(cpu / wall),
    peak_rss_bytes: peak,
    streams: processes.length,
    outputs: processes.reduce((sum, p) => sum + p.outputFps.length, 0),
  };
}
