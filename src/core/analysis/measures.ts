import { parseBitrateKbps, parseResolution } from '../units.js';
import { parseStreamCount } from './streams.js';

/**
 * The quantities every analysis formula starts from, each computed in one place (DESIGN §8):
 * stream count, bitrate in Mbps, total pixels delivered and the output-ladder id.
 */

/** One encoded output: its frame size and rate (a ladder rung, or one stream of a multi). */
export interface OutputShape {
  resolution: string;
  fps: number;
}

/**
 * Concurrent streams of a scenario for throughput: the record's own `streams` field when it is a
 * whole number ≥ 1 (what actually ran), else what the name says through the one name parser
 * (`parseStreamCount`: `'4 Streams @ 2500k'` → 4, `'4-stream test'` → 4, `'Single stream'` → 1),
 * else 1 (`'10 Mbps Stream'` is one stream).
 */
export function streamCount(name: string, streams?: number | null): number {
  if (typeof streams === 'number' && Number.isInteger(streams) && streams >= 1) return streams;
  return parseStreamCount(name) ?? 1;
}

/**
 * A bitrate in Mbps through the one bitrate parser (src/core/units.ts, bare numbers are kbps):
 * `'1000k'` → 1, `'5M'` → 5, `'3000'` → 3, `'1500.5'` → 1.5005. A mixed multi's
 * `'1000k,2500k'` is the sum of its streams. Anything that is not a positive bitrate
 * (`'0k'`, `'N/A'`, `''`, null) is 0: no throughput.
 */
export function bitrateMbps(bitrate: unknown): number {
  if (typeof bitrate === 'string' && bitrate.includes(',')) {
    return bitrate.split(',').reduce((sum, part) => sum + bitrateMbps(part), 0);
  }
  const kbps = parseBitrateKbps(bitrate);
  return kbps === undefined ? 0 : kbps / 1000;
}

export interface PixelSource {
  outputs?: readonly OutputShape[] | null;
  resolution?: string | null;
  fps?: number | null;
  /** Seconds encoded. */
  duration?: number | null;
}

/**
 * Pixels delivered: Σ over the outputs of width × height × fps × duration, or the scenario's own
 * resolution and fps when it lists no outputs. Null when the duration is not positive or nothing
 * parses (a baseline). Example: 1280x720 @ 30 fps for 120 s → 3 317 760 000.
 */
export function totalPixels(source: PixelSource): number | null {
  const duration = source.duration;
  if (typeof duration !== 'number' || !(duration > 0)) return null;
  const shapes =
    source.outputs && source.outputs.length > 0
      ? source.outputs
      : source.resolution && source.fps
        ? [{ resolution: source.resolution, fps: source.fps }]
        : [];
  let pixels = 0;
  for (const shape of shapes) {
    const r = parseResolution(shape.resolution);
    if (r && shape.fps > 0) pixels += r.width * r.height * shape.fps * duration;
  }
  return pixels > 0 ? pixels : null;
}

/**
 * The output-ladder id used to rank like with like: each distinct output as `WxH@fps`, sorted
 * largest first (pixels per second, then width), comma-joined; the scenario's own
 * resolution and fps when it lists no outputs; null when neither is known (a baseline).
 * Example: [640x360@30, 1920x1080@30, 1280x720@30] → `1920x1080@30,1280x720@30,640x360@30`.
 */
export function outputLadderId(source: PixelSource): string | null {
  const shapes =
    source.outputs && source.outputs.length > 0
      ? source.outputs
      : source.resolution && source.fps
        ? [{ resolution: source.resolution, fps: source.fps }]
        : [];
  const entries = new Map<string, number[]>();
  for (const shape of shapes) {
    const r = parseResolution(shape.resolution);
    if (!r || !(shape.fps > 0)) continue;
    entries.set(`${r.width}x${r.height}@${shape.fps}`, [r.width * r.height * shape.fps, r.width]);
  }
  if (entries.size === 0) return null;
  return [...entries.entries()]
    .sort(([, a], [, b]) => b[0]! - a[0]! || b[1]! - a[1]!)
    .map(([id]) => id)
    .join(',');
}
