import { FfrtmpError } from '../errors.js';
import { type OutputShape, bitrateMbps, outputLadderId, streamCount, totalPixels } from './measures.js';

/**
 * Energy-efficiency scores of scenarios (DESIGN §8), higher is better, and the rankings built on
 * them. A score is null — never 0, Infinity or NaN — when a quantity it needs is missing or not
 * positive, so an unmeasured scenario is left unranked rather than ranked last.
 */

export const SCORING_ALGORITHMS = [
  'auto',
  'throughput_per_watt',
  'pixels_per_joule',
  'quality_per_watt',
  'qoe_efficiency_score',
] as const;
export type ScoringAlgorithm = (typeof SCORING_ALGORITHMS)[number];
export type ConcreteAlgorithm = Exclude<ScoringAlgorithm, 'auto'>;

/** Units of each score, for tables and reports. */
export const SCORE_UNITS: Record<ConcreteAlgorithm, string> = {
  throughput_per_watt: 'Mbps/W',
  pixels_per_joule: 'pixels/J',
  quality_per_watt: 'VMAF/W',
  qoe_efficiency_score: 'quality-weighted pixels/J',
};

/** Checks an algorithm name at an edge (flag, API field); anything unknown is a user error. */
export function parseScoringAlgorithm(name: string): ScoringAlgorithm {
  if ((SCORING_ALGORITHMS as readonly string[]).includes(name)) return name as ScoringAlgorithm;
  throw new FfrtmpError(
    'E_INVALID_PARAMETER',
    `unknown scoring algorithm '${name}': expected one of ${SCORING_ALGORITHMS.join(', ')}`,
  );
}

/** What scoring reads from a scenario; every field may be missing. */
export interface ScoreInput {
  name: string;
  /** `'2500k'`, `'5M'`, `'1000k,2500k'`; `'0k'` for a baseline. */
  bitrate?: string | number | null;
  /** Concurrent streams as recorded; parsed from the name when absent. */
  streams?: number | null;
  /** Mean CPU package power, W. */
  meanWatts?: number | null;
  /** Mean GPU board power, W, when measured; added to meanWatts. */
  gpuWatts?: number | null;
  /** Energy over the scenario's window, J. */
  energyJoules?: number | null;
  outputs?: readonly OutputShape[] | null;
  resolution?: string | null;
  fps?: number | null;
  duration?: number | null;
  /** VMAF 0–100. */
  vmaf?: number | null;
}

const positive = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;

/** CPU + GPU watts; null when the CPU figure is missing or the sum is not positive. */
function totalWatts(s: ScoreInput): number | null {
  if (typeof s.meanWatts !== 'number' || !Number.isFinite(s.meanWatts)) return null;
  const gpu = typeof s.gpuWatts === 'number' && Number.isFinite(s.gpuWatts) ? s.gpuWatts : 0;
  return positive(s.meanWatts + gpu);
}

function vmafOf(s: ScoreInput): number | null {
  const v = s.vmaf;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100 ? v : null;
}

/** Mbps × streams / (CPU + GPU W). '4 streams @ 2500k' at 100 W → 10 / 100 = 0.1 Mbps/W. */
export function throughputPerWatt(s: ScoreInput): number | null {
  const mbps = positive(bitrateMbps(s.bitrate) * throughputStreams(s));
  const watts = totalWatts(s);
  return mbps === null || watts === null ? null : mbps / watts;
}

/**
 * Streams that multiply the bitrate: a mixed multi's `'300k,600k'` already sums its streams,
 * so it counts once.
 */
function throughputStreams(s: ScoreInput): number {
  if (typeof s.bitrate === 'string' && s.bitrate.includes(',')) return 1;
  return streamCount(s.name, s.streams);
}

/** total_pixels / J. 1280x720 @ 30 for 120 s with 12 000 J → 221 184 pixels/J. */
export function pixelsPerJoule(s: ScoreInput): number | null {
  const pixels = totalPixels(s);
  const joules = positive(s.energyJoules);
  return pixels === null || joules === null ? null : pixels / joules;
}

/** VMAF / (CPU + GPU W); VMAF must lie in 0–100. */
export function qualityPerWatt(s: ScoreInput): number | null {
  const vmaf = vmafOf(s);
  const watts = totalWatts(s);
  return vmaf === null || watts === null ? null : vmaf / watts;
}

/** total_pixels × VMAF/100 / J. */
export function qoeEfficiencyScore(s: ScoreInput): number | null {
  const vmaf = vmafOf(s);
  const ppj = pixelsPerJoule(s);
  return vmaf === null || ppj === null ? null : (ppj * vmaf) / 100;
}

/**
 * `auto`: QoE when VMAF is present, pixels when there is more than one output, else throughput.
 * Outputs count by shape (`WxH@fps`): the N identical streams of a multi scenario are one output
 * encoded N times (its throughput already counts them), a ladder's rungs are different outputs.
 */
export function resolveAlgorithm(algorithm: ScoringAlgorithm, s: ScoreInput): ConcreteAlgorithm {
  if (algorithm !== 'auto') return algorithm;
  if (typeof s.vmaf === 'number') return 'qoe_efficiency_score';
  const shapes = new Set((s.outputs ?? []).map((o) => `${o.resolution}@${o.fps}`));
  if (shapes.size > 1) return 'pixels_per_joule';
  return 'throughput_per_watt';
}

const SCORERS: Record<ConcreteAlgorithm, (s: ScoreInput) => number | null> = {
  throughput_per_watt: throughputPerWatt,
  pixels_per_joule: pixelsPerJoule,
  quality_per_watt: qualityPerWatt,
  qoe_efficiency_score: qoeEfficiencyScore,
};

export interface Score {
  score: number | null;
  algorithm: ConcreteAlgorithm;
}

export function scoreScenario(s: ScoreInput, algorithm: ScoringAlgorithm = 'auto'): Score {
  const chosen = resolveAlgorithm(algorithm, s);
  return { score: SCORERS[chosen](s), algorithm: chosen };
}

// ---------------------------------------------------------------------------------------------
// Ranking

export interface Ranked<T> {
  item: T;
  score: number | null;
  /** 1..n over the scored items, best first; null for an unscored one. */
  rank: number | null;
}

/**
 * Scored items sorted by score descending and ranked 1..n (ties keep input order), then the
 * unscored ones in input order with rank null. The input array and its items are not touched.
 */
export function rankByScore<T>(items: readonly T[], scoreOf: (item: T) => number | null): Ranked<T>[] {
  const withScores = items.map((item, index) => ({ item, index, score: scoreOf(item) }));
  const scored = withScores
    .filter((x): x is typeof x & { score: number } => x.score !== null && Number.isFinite(x.score))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const unscored = withScores.filter((x) => x.score === null || !Number.isFinite(x.score));
  return [
    ...scored.map((x, i) => ({ item: x.item, score: x.score, rank: i + 1 })),
    ...unscored.map((x) => ({ item: x.item, score: null, rank: null })),
  ];
}

/**
 * Rankings within each output ladder (`outputLadderId`), so a 1080p ladder is compared only with
 * other 1080p ladders. Items without a ladder (baselines) are left out. Map order: ladders in
 * order of first appearance.
 */
export function rankByLadder<T>(
  items: readonly T[],
  ladderOf: (item: T) => string | null,
  scoreOf: (item: T) => number | null,
): Map<string, Ranked<T>[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const ladder = ladderOf(item);
    if (ladder === null) continue;
    const list = groups.get(ladder);
    if (list) list.push(item);
    else groups.set(ladder, [item]);
  }
  return new Map([...groups.entries()].map(([ladder, list]) => [ladder, rankByScore(list, scoreOf)]));
}

/** The ladder id of a scoring input (outputs, else its own resolution and fps). */
export const ladderOf = (s: ScoreInput): string | null => outputLadderId(s);

// ---------------------------------------------------------------------------------------------
// Head to head

export interface Comparison {
  /** 'a', 'b', 'tie', or null when either score is missing. */
  winner: 'a' | 'b' | 'tie' | null;
  /** score a − score b. */
  difference: number | null;
  /** |a − b| / mean(a, b) × 100. */
  percent_difference: number | null;
  /** watts a − watts b (CPU + GPU). */
  power_difference_w: number | null;
}

/**
 * Two scenarios head to head. Example: scores 0.1 and 0.05 → winner a, difference 0.05,
 * percent 0.05 / 0.075 × 100 = 66.67 %.
 */
export function compareScores(
  a: { score: number | null; watts?: number | null },
  b: { score: number | null; watts?: number | null },
): Comparison {
  const power = typeof a.watts === 'number' && typeof b.watts === 'number' ? a.watts - b.watts : null;
  if (a.score === null || b.score === null)
    return { winner: null, difference: null, percent_difference: null, power_difference_w: power };
  const difference = a.score - b.score;
  const mean = (a.score + b.score) / 2;
  return {
    winner: difference > 0 ? 'a' : difference < 0 ? 'b' : 'tie',
    difference,
    percent_difference: mean === 0 ? null : (Math.abs(difference) / mean) * 100,
    power_difference_w: power,
  };
}

/** CPU + GPU watts of a scoring input, for comparisons; null when unknown. */
export const wattsOf = totalWatts;

// ---------------------------------------------------------------------------------------------
// Net values against the baseline

export interface NetValues {
  power_w: number | null;
  energy_wh: number | null;
}

/**
 * The baseline: the first scenario whose name contains "baseline" (any case) and that has a
 * mean power. -1 when there is none.
 */
export function findBaseline(items: readonly { name: string; meanWatts?: number | null }[]): number {
  return items.findIndex(
    (s) => /baseline/i.test(s.name) && typeof s.meanWatts === 'number' && Number.isFinite(s.meanWatts),
  );
}

/**
 * Power and energy above the baseline's: `power_w` = W − baseline W, `energy_wh` = Wh − baseline
 * Wh (null when either energy is unknown). The baseline's own net values are 0.
 */
export function netValues(
  scenario: { meanWatts?: number | null; energyWh?: number | null },
  baseline: { meanWatts?: number | null; energyWh?: number | null },
): NetValues {
  const num = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const w = num(scenario.meanWatts);
  const bw = num(baseline.meanWatts);
  const e = num(scenario.energyWh);
  const be = num(baseline.energyWh);
  return {
    power_w: w === null || bw === null ? null : w - bw,
    energy_wh: e === null || be === null ? null : e - be,
  };
}
