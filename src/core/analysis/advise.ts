import { FfrtmpError } from '../errors.js';
import { co2Kg } from './cost.js';

/**
 * The advisor (DESIGN §8): among measured configurations, the one with the least energy per hour
 * of output that meets the quality and throughput targets, and what choosing it saves against
 * the current configuration (or the median one) in J, $ and g CO2 per hour of output.
 */

export interface AdviseCandidate {
  name: string;
  /** CPU + GPU mean watts while it ran. */
  watts: number | null;
  /** Concurrent output streams; energy per hour of output divides by it. */
  streams: number;
  vmaf?: number | null;
  psnr?: number | null;
  /** Encoding frames per second achieved. */
  fps?: number | null;
}

export interface AdviseTargets {
  minVmaf?: number;
  minPsnr?: number;
  minFps?: number;
}

export interface AdviseRates {
  pricePerKwh: number;
  co2GramsPerKwh: number;
}

export interface AdviseChoice {
  name: string;
  /** J per hour of one output stream = W × 3600 / streams. */
  joules_per_output_hour: number;
}

export interface Saving {
  against: string;
  /** 'current' when --current named it, else 'median'. */
  basis: 'current' | 'median';
  joules_per_output_hour: number;
  cost_per_output_hour: number;
  co2_g_per_output_hour: number;
  percent: number;
}

export interface Advice {
  best: AdviseChoice | null;
  /** Candidates that met every target, least energy first. */
  eligible: AdviseChoice[];
  /** Why each other candidate was left out. */
  rejected: { name: string; reasons: string[] }[];
  saving: Saving | null;
}

const JOULES_PER_KWH = 3_600_000;

/** J per output-hour, or null when the watts are unknown or not positive. */
export function joulesPerOutputHour(c: AdviseCandidate): number | null {
  if (c.watts === null || !Number.isFinite(c.watts) || c.watts <= 0) return null;
  return (c.watts * 3600) / Math.max(1, c.streams);
}

function reasonsAgainst(c: AdviseCandidate, t: AdviseTargets): string[] {
  const reasons: string[] = [];
  const check = (label: string, value: number | null | undefined, min: number | undefined) => {
    if (min === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value)) reasons.push(`no ${label} measured`);
    else if (value < min) reasons.push(`${label} ${round(value)} < ${min}`);
  };
  check('VMAF', c.vmaf, t.minVmaf);
  check('PSNR', c.psnr, t.minPsnr);
  check('fps', c.fps, t.minFps);
  if (joulesPerOutputHour(c) === null) reasons.push('no power measured');
  return reasons;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Median of sorted values (mean of the middle two for an even count). */
function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Picks the least-energy eligible candidate. The saving compares it with `current` (a candidate
 * name; an unknown one is an error) or, without one, with the median energy of all measured
 * candidates. Example: 60 W and 100 W single streams, no targets, at 0.12 $/kWh and 400 g/kWh →
 * best 60 W (216 000 J/h); median 80 W → saving 72 000 J/h = 0.02 kWh → $0.0024, 8 g CO2, 25 %.
 */
export function advise(
  candidates: readonly AdviseCandidate[],
  targets: AdviseTargets,
  rates: AdviseRates,
  current?: string,
): Advice {
  const eligible: AdviseChoice[] = [];
  const rejected: Advice['rejected'] = [];
  for (const c of candidates) {
    const reasons = reasonsAgainst(c, targets);
    const j = joulesPerOutputHour(c);
    if (reasons.length > 0 || j === null) rejected.push({ name: c.name, reasons });
    else eligible.push({ name: c.name, joules_per_output_hour: j });
  }
  eligible.sort((a, b) => a.joules_per_output_hour - b.joules_per_output_hour);
  const best = eligible[0] ?? null;

  let reference: { name: string; joules: number; basis: Saving['basis'] } | null = null;
  if (current !== undefined) {
    const c = candidates.find((x) => x.name === current);
    if (!c)
      throw new FfrtmpError(
        'E_INVALID_PARAMETER',
        `--current '${current}' is not one of the measured scenarios: ${candidates.map((x) => x.name).join(', ')}`,
      );
    const j = joulesPerOutputHour(c);
    if (j !== null) reference = { name: current, joules: j, basis: 'current' };
  } else {
    const all = candidates
      .map(joulesPerOutputHour)
      .filter((j): j is number => j !== null)
      .sort((a, b) => a - b);
    if (all.length > 0)
      reference = { name: 'median of measured scenarios', joules: median(all), basis: 'median' };
  }

  let saving: Saving | null = null;
  if (best && reference) {
    const joules = reference.joules - best.joules_per_output_hour;
    const kwh = joules / JOULES_PER_KWH;
    saving = {
      against: reference.name,
      basis: reference.basis,
      joules_per_output_hour: joules,
      cost_per_output_hour: kwh * rates.pricePerKwh,
      co2_g_per_output_hour: co2Kg(kwh, rates.co2GramsPerKwh) * 1000,
      percent: reference.joules > 0 ? (joules / reference.joules) * 100 : 0,
    };
  }
  return { best, eligible, rejected, saving };
}
