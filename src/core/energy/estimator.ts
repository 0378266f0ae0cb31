/**
 * Power from CPU utilisation, for machines without energy counters (VMs, CI runners). Every figure
 * made here is labelled `estimated:<model>` and carries a relative uncertainty (DESIGN §6), so an
 * estimate is never mistaken for a measurement.
 */
import { FfrtmpError } from '../errors.js';

export type EstimatorCurve = readonly (readonly [number, number])[];

export type EstimatorModel =
  | { kind: 'tdp'; tdpWatts: number; curve?: EstimatorCurve }
  | { kind: 'linear'; idleWatts: number; maxWatts: number };

/**
 * Teads' utilisation → power curve: CPU utilisation in percent → fraction of the processor's TDP.
 * From Teads Engineering (Benjamin Davy, "Building an AWS EC2 Carbon Emissions Dataset", 2021),
 * derived from SPECpower_ssj2008 results; the same four points ship as the Green Software
 * Foundation Impact Framework's `teads-curve` plugin. 12 % of TDP at idle, 32 % at 10 % load,
 * 75 % at 50 %, 102 % at full load (turbo draws past TDP).
 */
export const TEADS_CURVE = [
  [0, 0.12],
  [10, 0.32],
  [50, 0.75],
  [100, 1.02],
] as const;

/**
 * Estimated power at `utilization` (0..1, clamped). TDP model: piecewise-linear interpolation on
 * the curve (percent → × TDP; flat past its ends), Teads by default. Linear model:
 * `idle + (max − idle) · u`, Cloud Carbon Footprint's formula (average watts = min watts +
 * utilisation × (max watts − min watts)) with the machine's own idle and max.
 */
export function estimatePowerWatts(model: EstimatorModel, utilization: number): number {
  if (!Number.isFinite(utilization)) {
    // A bug upstream (a 0/0 share): a made-up power would hide it.
    throw new RangeError(`utilization must be a finite number in [0, 1], got ${utilization}`);
  }
  const u = Math.min(Math.max(utilization, 0), 1);
  if (model.kind === 'linear') return model.idleWatts + (model.maxWatts - model.idleWatts) * u;
  return model.tdpWatts * interpolate(model.curve ?? TEADS_CURVE, u * 100);
}

function interpolate(curve: EstimatorCurve, x: number): number {
  const first = curve[0];
  if (first === undefined) throw new RangeError('an estimator curve needs at least one point');
  if (x <= first[0]) return first[1];
  let previous = first;
  for (const point of curve) {
    if (x <= point[0]) {
      const [x0, y0] = previous;
      const [x1, y1] = point;
      return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
    previous = point;
  }
  return previous[1];
}

/**
 * The stable `source` label of a model's figures: `estimated:teads-tdp-65w`,
 * `estimated:curve-tdp-65w` (a configured curve), `estimated:linear-20-95w`.
 */
export function estimatorLabel(model: EstimatorModel): string {
  if (model.kind === 'linear') return `estimated:linear-${model.idleWatts}-${model.maxWatts}w`;
  const curve = model.curve === undefined || model.curve === TEADS_CURVE ? 'teads' : 'curve';
  return `estimated:${curve}-tdp-${model.tdpWatts}w`;
}

/**
 * Relative uncertainty (± fraction of the estimate) reported with each estimated figure. These
 * are stated judgements, not measured error bars:
 *
 * - TDP models, ±30 % (0.3). TDP is a thermal design rating, not a power reading, and the curve
 *   is an average over many servers' SPECpower results (Teads; Cloud Carbon Footprint's
 *   methodology uses the same kind of averaged min/max coefficients and publishes no tighter
 *   bound). A given part's idle floor and its turbo headroom above TDP each move the estimate by
 *   tens of percent, so a bound tighter than ±30 % would claim more than the method knows.
 * - Linear model with the user's own idle and max watts, ±15 % (0.15). The two ends were measured
 *   on this machine, so only the shape in between is assumed: real SPECpower curves bow away
 *   from a straight line mid-range (the Teads curve itself is at 75 % of full power at 50 % load,
 *   where a straight line from 12 % would give 57 %), and FFmpeg's vector-heavy load draws more
 *   per busy core than the benchmark's.
 */
export function estimatorUncertainty(model: EstimatorModel): number {
  return model.kind === 'linear' ? 0.15 : 0.3;
}

/** 10 W per physical-core equivalent, counting 2 threads as 1 core. */
const DEFAULT_WATTS_PER_THREAD = 5;
const DEFAULT_MIN_TDP_WATTS = 15;
const DEFAULT_MAX_TDP_WATTS = 280;

/**
 * A rough default when nothing is configured: a TDP guessed from the thread count, 10 W per
 * physical-core equivalent (2 threads ≈ 1 core), at least 15 W (a low-power laptop part) and at
 * most 280 W (a large server socket), with the Teads curve. It is a placeholder, not a property
 * of the machine: configure the node's estimator with the real TDP (`tdp:<watts>`, from the CPU
 * vendor's spec sheet) or, better, with idle and full-load watts measured at the wall
 * (`linear:<idle>:<max>`).
 */
export function defaultEstimatorModel(cpuThreads: number): EstimatorModel {
  const threads = Number.isFinite(cpuThreads) && cpuThreads >= 1 ? cpuThreads : 1;
  const guess = Math.round(threads * DEFAULT_WATTS_PER_THREAD);
  return {
    kind: 'tdp',
    tdpWatts: Math.min(Math.max(guess, DEFAULT_MIN_TDP_WATTS), DEFAULT_MAX_TDP_WATTS),
  };
}

const WATTS_RE = /^\d+(?:\.\d+)?$/;
const SPEC_HELP =
  'expected "tdp:<watts>" (e.g. tdp:65) or "linear:<idle watts>:<max watts>" with max above idle (e.g. linear:20:95)';

/** Parses a CLI/config estimator spec: `tdp:65` or `linear:20:95`. */
export function parseEstimatorSpec(spec: string): EstimatorModel {
  const parts = spec.trim().split(':');
  const watts = parts.slice(1).map((part) => (WATTS_RE.test(part) ? Number(part) : Number.NaN));
  const [a, b] = watts;
  if (parts[0] === 'tdp' && watts.length === 1 && a !== undefined && a > 0) {
    return { kind: 'tdp', tdpWatts: a };
  }
  if (parts[0] === 'linear' && watts.length === 2 && a !== undefined && b !== undefined && a >= 0 && b > a) {
    return { kind: 'linear', idleWatts: a, maxWatts: b };
  }
  throw new FfrtmpError(
    'E_INVALID_CONFIG',
    `Invalid power estimator ${JSON.stringify(spec)}: ${SPEC_HELP}.`,
    {
      details: { spec },
    },
  );
}
