/**
 * A streaming parser for FFmpeg's `-progress pipe:1` output (DESIGN §5): `key=value` lines, one
 * block per report, each block ending with `progress=continue` or, for the last one,
 * `progress=end`. Values FFmpeg cannot know yet are `N/A` and become `undefined`; numbers are
 * printed padded (`bitrate= 123.4kbits/s`, `speed=   1x`), so values are trimmed.
 */

export interface ProgressBlock {
  /** Frames encoded so far (of the first output in a multi-output process). */
  frame?: number;
  fps?: number;
  bitrateKbps?: number;
  /** Bytes written so far. */
  totalSize?: number;
  /** Media time encoded so far, in microseconds. */
  outTimeUs?: number;
  /** Encoding speed relative to real time (1 = real time). */
  speed?: number;
  dupFrames?: number;
  dropFrames?: number;
  progress: 'continue' | 'end';
}

export interface ProgressParser {
  /** Feeds a chunk of FFmpeg's stdout; chunks may split lines anywhere. */
  push(chunk: string): void;
}

function numberOf(value: string, suffix?: string): number | undefined {
  let text = value.trim();
  if (suffix !== undefined && text.endsWith(suffix)) text = text.slice(0, -suffix.length).trim();
  if (text === '' || text === 'N/A') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const OUT_TIME_RE = /^(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/;

/** `HH:MM:SS.micro` into microseconds. */
function clockToUs(value: string): number | undefined {
  const m = OUT_TIME_RE.exec(value.trim());
  if (!m) return undefined;
  const us = Math.round((Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1e6);
  return m[1] ? -us : us;
}

export function createProgressParser(onBlock: (p: ProgressBlock) => void): ProgressParser {
  let buffer = '';
  let fields = new Map<string, string>();

  const emit = (state: 'continue' | 'end'): void => {
    const get = (key: string): string | undefined => fields.get(key);
    const block: ProgressBlock = { progress: state };
    const set = <K extends keyof ProgressBlock>(key: K, value: ProgressBlock[K] | undefined): void => {
      if (value !== undefined) block[key] = value;
    };
    const raw = (key: string, suffix?: string): number | undefined => {
      const v = get(key);
      return v === undefined ? undefined : numberOf(v, suffix);
    };
    set('frame', raw('frame'));
    set('fps', raw('fps'));
    set('bitrateKbps', raw('bitrate', 'kbits/s'));
    set('totalSize', raw('total_size'));
    // out_time_ms is, despite its name, microseconds too (a long-standing FFmpeg quirk).
    const outTime = get('out_time');
    set('outTimeUs', raw('out_time_us') ?? raw('out_time_ms') ?? (outTime ? clockToUs(outTime) : undefined));
    set('speed', raw('speed', 'x'));
    set('dupFrames', raw('dup_frames'));
    set('dropFrames', raw('drop_frames'));
    fields = new Map();
    onBlock(block);
  };

  const line = (text: string): void => {
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) return;
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1);
    if (key === 'progress') {
      const state = value.trim();
      emit(state === 'end' ? 'end' : 'continue');
      return;
    }
    fields.set(key, value);
  };

  return {
    push(chunk: string): void {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    },
  };
}

/**
 * The bytes encoded, from FFmpeg's closing summary on stderr:
 * `video:56kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: …`
 * (FFmpeg ≥ 6.1 writes `KiB`; both mean 1024 bytes, so the figure is good to ±512 bytes). Sums
 * every such line: newer FFmpeg prints one per output, older one total for the process.
 */
export function parseEncodedBytes(stderr: string): { videoBytes: number; audioBytes: number } | undefined {
  const re = /video:\s*(\d+(?:\.\d+)?)\s*[kK]i?B\s+audio:\s*(\d+(?:\.\d+)?)\s*[kK]i?B/g;
  let video = 0;
  let audio = 0;
  let found = false;
  for (const m of stderr.matchAll(re)) {
    found = true;
    video += Number(m[1]) * 1024;
    audio += Number(m[2]) * 1024;
  }
  return found ? { videoBytes: video, audioBytes: audio } : undefined;
}
