import { describe, expect, it } from 'vitest';
import { type ProcessReport, summarizeEncode } from './encode-metrics.js';
import { parseEncodedBytes } from './ffmpeg-progress.js';

const proc = (over: Partial<ProcessReport> = {}): ProcessReport => ({
  frames: 300,
  outTimeSec: 10,
  outputBytes: 6_250_000,
  dropFrames: 0,
  dupFrames: 0,
  cpuSeconds: 8,
  peakRssBytes: 100_000_000,
  outputFps: [30],
  ...over,
});

describe('summarizeEncode', () => {
  it('one live stream: 300 frames in 10 s of wall time at 5 Mbit/s', () => {
    const m = summarizeEncode([proc()], 10, undefined);
    expect(m).toMatchObject({
      transcode_duration_sec: 10,
      frames_encoded: 300,
      encoding_fps: 30,
      duration: 10,
      speed: 1,
      output_size_bytes: 6_250_000,
      avg_bitrate_kbps: 5000, // 6,250,000 B × 8 / 1000 / 10 s
      cpu_seconds: 8,
      cpu_cores_avg: 0.8,
      peak_rss_bytes: 100_000_000,
      streams: 1,
      outputs: 1,
    });
  });

  it('two streams add frames, bytes, bitrate and CPU; peak memory is the larger', () => {
    const m = summarizeEncode(
      [proc(), proc({ outputBytes: 2_500_000, cpuSeconds: 4, peakRssBytes: 120_000_000 })],
      10,
      undefined,
    );
    expect(m).toMatchObject({
      frames_encoded: 600,
      encoding_fps: 60,
      avg_bitrate_kbps: 7000,
      cpu_seconds: 12,
      peak_rss_bytes: 120_000_000,
      streams: 2,
    });
  });

  it('a ladder scales the first output frame count by each rung frame rate', () => {
    // 300 frames at 30 fps for the first rung; a 15 fps rung saw the same 10 s: 150 frames.
    const m = summarizeEncode([proc({ outputFps: [30, 30, 15] })], 10, undefined);
    expect(m.frames_encoded).toBe(750);
    expect(m.outputs).toBe(3);
  });

  it('file mode runs faster than real time; file bytes win over encoded bytes', () => {
    const m = summarizeEncode([proc({ outTimeSec: 10 })], 2.5, 7_000_000);
    expect(m.speed).toBe(4);
    expect(m.output_size_bytes).toBe(7_000_000);
    expect(m.encoding_fps).toBe(120);
  });
});

describe('parseEncodedBytes', () => {
  it('reads FFmpeg 5 (kB) and 6.1+ (KiB, one line per output) summaries', () => {
    expect(
      parseEncodedBytes(
        'frame=15\nvideo:56kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown\n',
      ),
    ).toEqual({
      videoBytes: 56 * 1024,
      audioBytes: 0,
    });
    const newer =
      '[out#0/null @ 0x1] video:100KiB audio:16KiB subtitle:0KiB\n[out#1/null @ 0x2] video:50KiB audio:16KiB subtitle:0KiB\n';
    expect(parseEncodedBytes(newer)).toEqual({ videoBytes: 150 * 1024, audioBytes: 32 * 1024 });
    expect(parseEncodedBytes('Conversion failed!')).toBeUndefined();
  });
});
