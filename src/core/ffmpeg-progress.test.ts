import { describe, expect, it } from 'vitest';
import { createProgressParser, type ProgressBlock } from './ffmpeg-progress.js';

function parseAll(chunks: string[]): ProgressBlock[] {
  const blocks: ProgressBlock[] = [];
  const parser = createProgressParser((b) => blocks.push(b));
  for (const c of chunks) parser.push(c);
  return blocks;
}

// Verbatim from FFmpeg 5.1 (`-progress pipe:1`, libx264, null muxer), padding included.
const FIRST = [
  'frame=1',
  'fps=0.00',
  'stream_0_0_q=0.0',
  'bitrate=N/A',
  'total_size=N/A',
  'out_time_us=0',
  'out_time_ms=0',
  'out_time=00:00:00.000000',
  'dup_frames=0',
  'drop_frames=0',
  'speed=N/A',
  'progress=continue',
  '',
].join('\n');

const LAST = [
  'frame=150',
  'fps=29.97',
  'stream_0_0_q=-1.0',
  'bitrate= 2512.3kbits/s',
  'total_size=1570304',
  'out_time_us=5000000',
  'out_time_ms=5000000',
  'out_time=00:00:05.000000',
  'dup_frames=2',
  'drop_frames=1',
  'speed=   1x',
  'progress=end',
  '',
].join('\n');

describe('createProgressParser', () => {
  it('turns N/A into undefined and reads numbers', () => {
    expect(parseAll([FIRST])).toEqual([
      { frame: 1, fps: 0, outTimeUs: 0, dupFrames: 0, dropFrames: 0, progress: 'continue' },
    ]);
  });

  it('parses padded bitrate (kbits/s), speed (x), total_size and the end marker', () => {
    expect(parseAll([LAST])).toEqual([
      {
        frame: 150,
        fps: 29.97,
        bitrateKbps: 2512.3,
        totalSize: 1_570_304,
        outTimeUs: 5_000_000,
        speed: 1,
        dupFrames: 2,
        dropFrames: 1,
        progress: 'end',
      },
    ]);
  });

  it('gives the same blocks however the stream is chunked, even one character at a time', () => {
    const whole = parseAll([FIRST + LAST]);
    expect(whole).toHaveLength(2);
    expect(parseAll([...(FIRST + LAST)])).toEqual(whole);
    const text = FIRST + LAST;
    for (const size of [2, 7, 13, 64]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
  });

  it('emits nothing until the progress= line arrives', () => {
    const blocks: ProgressBlock[] = [];
    const parser = createProgressParser((b) => blocks.push(b));
    parser.push('frame=10\nfps=5\nprogress=cont');
    expect(blocks).toEqual([]);
    parser.push('inue\n');
    expect(blocks).toEqual([{ frame: 10, fps: 5, progress: 'continue' }]);
  });

  it('accepts CRLF line ends', () => {
    expect(parseAll(['frame=3\r\nspeed=2.5x\r\nprogress=end\r\n'])).toEqual([
      { frame: 3, speed: 2.5, progress: 'end' },
    ]);
  });

  it('reads out_time_ms (microseconds, despite the name) or out_time when out_time_us is absent', () => {
    expect(parseAll(['out_time_ms=1500000\nprogress=continue\n'])[0]?.outTimeUs).toBe(1_500_000);
    expect(parseAll(['out_time=01:02:03.500000\nprogress=continue\n'])[0]?.outTimeUs).toBe(3_723_500_000);
    expect(parseAll(['out_time_us=N/A\nout_time=N/A\nprogress=continue\n'])[0]?.outTimeUs).toBeUndefined();
  });

  it('does not carry fields from one block into the next', () => {
    const blocks = parseAll(['frame=1\nbitrate=100.0kbits/s\nprogress=continue\nframe=2\nprogress=end\n']);
    expect(blocks).toEqual([
      { frame: 1, bitrateKbps: 100, progress: 'continue' },
      { frame: 2, progress: 'end' },
    ]);
  });

  it('ignores unknown keys, blank and malformed lines, and garbage numbers', () => {
    expect(parseAll(['\nnot a pair\n=x\nstream_0_0_q=28.0\nframe=abc\nfps=12\nprogress=continue\n'])).toEqual(
      [{ fps: 12, progress: 'continue' }],
    );
  });
});
