/**
 * The one parser for each unit the system accepts: durations (`500ms`, `4s`, `2m`, `1h`), bitrates
 * (`5000k`, `5M`, `2.5M`, or a number of kbps) and resolutions (`1920x1080`). Every entry point —
 * flags, job parameters, scenario files, analysis — goes through these.
 */

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses `500ms`, `4s`, `2m`, `1.5h` into milliseconds. Bare numbers are rejected: a unit is required. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] as keyof typeof DURATION_UNITS_MS;
  const ms = Math.round(value * DURATION_UNITS_MS[unit]);
  return Number.isFinite(ms) ? ms : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const BITRATE_RE = /^(\d+(?:\.\d+)?)\s*([kKmM]?)(?:bps|b)?$/;

/**
 * Parses a bitrate into kbps. Accepts `"5000k"`, `"5M"`, `"2.5m"`, `"800kbps"`, or a number (kbps).
 * A string without a suffix is kbps too, as FFmpeg's own `-b:v 5000` would be bits — we refuse that
 * ambiguity by treating bare numbers as kbps everywhere, which is what every scenario file means.
 */
export function parseBitrateKbps(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input > 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const match = BITRATE_RE.exec(input.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const kbps = unit === 'm' ? value * 1000 : value;
  return Number.isFinite(kbps) && kbps > 0 ? kbps : undefined;
}

/** The canonical string form used in job parameters and FFmpeg arguments: `5000k`. */
export function formatBitrate(kbps: number): string {
  return `${Math.round(kbps)}k`;
}

export interface Resolution {
  width: number;
  height: number;
}

const RESOLUTION_RE = /^(\d{1,5})x(\d{1,5})$/;

export function parseResolution(text: unknown): Resolution | undefined {
  if (typeof text !== 'string') return undefined;
  const match = RESOLUTION_RE.exec(text.trim());
  if (!match) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

export function formatResolution(r: Resolution): string {
  return `${r.width}x${r.height}`;
}
