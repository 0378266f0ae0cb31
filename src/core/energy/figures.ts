/**
 * Derived per-job figures (`analyzer_output` of a Result, DESIGN §3 and §8). The agent and the
 * analyzer both call this, so each formula exists once.
 */

export interface DerivedFigures {
  joules_per_frame: number | null;
  joules_per_output_minute: number | null;
  wh_per_mbps: number | null;
  mbps_per_watt: number | null;
  pixels_per_joule: number | null;
}

export interface DerivedFiguresInput {
  energyJoules: number | null;
  meanWatts: number | null;
  frames: number;
  /** Media seconds × number of outputs. */
  outputSeconds: number;
  /** Total of all output streams, Mbps. */
  bitrateMbps: number;
  /** Σ width × height × frames over the outputs. */
  pixels: number;
}

const J_PER_WH = 3600;

/**
 * - `joules_per_frame` = energy / frames
 * - `joules_per_output_minute` = energy / (outputSeconds / 60)
 * - `wh_per_mbps` = (energy / 3600) / bitrate Mbps
 * - `mbps_per_watt` = bitrate Mbps / mean watts
 * - `pixels_per_joule` = pixels / energy
 *
 * A figure is null, never Infinity, NaN or 0, when any quantity it uses is null, not finite or
 * ≤ 0. That includes the numerators: a job reporting 0 pixels or 0 Mbps is one whose output was
 * not measured, and a 0 figure would rank it as the least efficient instead of leaving it out.
 */
export function derivedFigures(input: DerivedFiguresInput): DerivedFigures {
  const energy = positive(input.energyJoules);
  const watts = positive(input.meanWatts);
  const frames = positive(input.frames);
  const outputSeconds = positive(input.outputSeconds);
  const mbps = positive(input.bitrateMbps);
  const pixels = positive(input.pixels);

  return {
    joules_per_frame: ratio(energy, frames),
    joules_per_output_minute: ratio(energy, outputSeconds === null ? null : outputSeconds / 60),
    wh_per_mbps: ratio(energy === null ? null : energy / J_PER_WH, mbps),
    mbps_per_watt: ratio(mbps, watts),
    pixels_per_joule: ratio(pixels, energy),
  };
}

function positive(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}

function ratio(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null) return null;
  return positive(numerator / denominator);
}
