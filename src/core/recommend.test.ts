import { describe, expect, it } from 'vitest';
import { parseJobParameters } from './job-parameters.js';
import { type HardwareProfile, recommendTest } from './recommend.js';

type Row = [string, HardwareProfile, string, string, string, number, string, number];

// name, profile → encoder, preset, resolution, fps, bitrate, duration (the reference's table).
const table: Row[] = [
  [
    '2-thread laptop',
    { cpuThreads: 2, hasNvidiaGpu: false, nodeType: 'laptop' },
    'h264',
    'veryfast',
    '1280x720',
    30,
    '3000k',
    120,
  ],
  [
    '3-thread desktop',
    { cpuThreads: 3, hasNvidiaGpu: false, nodeType: 'desktop' },
    'h264',
    'veryfast',
    '1280x720',
    30,
    '3000k',
    180,
  ],
  [
    '4-thread desktop',
    { cpuThreads: 4, hasNvidiaGpu: false, nodeType: 'desktop' },
    'h264',
    'veryfast',
    '1920x1080',
    30,
    '5000k',
    180,
  ],
  [
    '7-thread laptop',
    { cpuThreads: 7, hasNvidiaGpu: false, nodeType: 'laptop' },
    'h264',
    'veryfast',
    '1920x1080',
    30,
    '5000k',
    120,
  ],
  [
    '8-thread desktop',
    { cpuThreads: 8, hasNvidiaGpu: false, nodeType: 'desktop' },
    'h264',
    'fast',
    '1920x1080',
    60,
    '8000k',
    180,
  ],
  [
    '8-thread + GPU',
    { cpuThreads: 8, hasNvidiaGpu: true, nodeType: 'desktop' },
    'h264_nvenc',
    'medium',
    '2560x1440',
    60,
    '12000k',
    180,
  ],
  [
    '12-thread laptop',
    { cpuThreads: 12, hasNvidiaGpu: false, nodeType: 'laptop' },
    'h264',
    'fast',
    '1920x1080',
    60,
    '8000k',
    120,
  ],
  [
    '12-thread + GPU',
    { cpuThreads: 12, hasNvidiaGpu: true, nodeType: 'desktop' },
    'h264_nvenc',
    'medium',
    '2560x1440',
    60,
    '12000k',
    180,
  ],
  [
    '13-thread desktop',
    { cpuThreads: 13, hasNvidiaGpu: false, nodeType: 'desktop' },
    'h264',
    'fast',
    '3840x2160',
    30,
    '15000k',
    180,
  ],
  [
    '15-thread + GPU',
    { cpuThreads: 15, hasNvidiaGpu: true, nodeType: 'desktop' },
    'h264_nvenc',
    'medium',
    '3840x2160',
    30,
    '15000k',
    180,
  ],
  [
    '16-thread desktop',
    { cpuThreads: 16, hasNvidiaGpu: false, nodeType: 'desktop' },
    'h264',
    'fast',
    '3840x2160',
    60,
    '20000k',
    180,
  ],
  [
    '64-thread GPU server',
    { cpuThreads: 64, hasNvidiaGpu: true, nodeType: 'server' },
    'h264_nvenc',
    'medium',
    '3840x2160',
    60,
    '20000k',
    300,
  ],
  [
    '2-thread + GPU laptop',
    { cpuThreads: 2, hasNvidiaGpu: true, nodeType: 'laptop' },
    'h264_nvenc',
    'medium',
    '1280x720',
    30,
    '3000k',
    120,
  ],
];

describe('recommendTest', () => {
  it.each(table)('%s', (_name, hw, encoder, preset, resolution, fps, bitrate, duration) => {
    const r = recommendTest(hw);
    expect({
      encoder: r.encoder,
      preset: r.preset,
      resolution: r.resolution,
      fps: r.fps,
      bitrate: r.bitrate,
      duration: r.duration,
    }).toEqual({
      encoder,
      preset,
      resolution,
      fps,
      bitrate,
      duration,
    });
    expect(r.reasons).toHaveLength(4);
    expect(r.command).toBe(
      `ffrtmp test single --name recommended_test --encoder ${encoder} --preset ${preset} --bitrate ${bitrate} --resolution ${resolution} --fps ${fps} --duration ${duration}`,
    );
  });

  it('recommends parameters a job accepts (encoder, preset, bitrate, size)', () => {
    for (const [, hw] of table) {
      const r = recommendTest(hw);
      expect(() =>
        parseJobParameters({
          type: 'transcode',
          encoder: r.encoder,
          preset: r.preset,
          bitrate: r.bitrate,
          resolution: r.resolution,
          fps: r.fps,
          duration: r.duration,
        }),
      ).not.toThrow();
    }
  });

  it('explains each choice', () => {
    const r = recommendTest({ cpuThreads: 8, hasNvidiaGpu: true, nodeType: 'laptop' });
    expect(r.reasons[0]).toMatch(/NVIDIA GPU detected/);
    expect(r.reasons[1]).toMatch(/1440p@60fps/);
    expect(r.reasons[2]).toMatch(/laptop → 120 s/);
  });
});
