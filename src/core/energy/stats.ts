/**
 * Summary statistics of a power time series (the `power` block of a Result, DESIGN §3), its
 * energy by trapezoid integration, and the downsampling that keeps `samples` at ≤ 600 points.
 */

export interface PowerSample {
  /** Epoch milliseconds. */
  t: number;
  watts: number;
}

export interface PowerStats {
  mean_watts: number;
  median_watts: number;
  min_watts: number;
  max_watts: number;
  stdev_watts: number;
  total_energy_joules: number;
  total_energy_wh: number;
  samples: number;
  duration_sec: number;
}

const J_PER_WH = 3600;

/** The samples in time order; the input itself when it already is (the common case). */
function inTimeOrder(samples: readonly PowerSample[]): readonly PowerSample[] {
  for (let i = 1; i < samples.length; i += 1) {
    if (samples[i]!.t < samples[i - 1]!.t) return [...samples].sort((a, b) => a.t - b.t);
  }
  return samples;
}

/** Energy in joules under the samples, by the trapezoid rule over time; 0 for fewer than 2. */
export function integrateJoules(samples: readonly PowerSample[]): number {
  const ordered = inTimeOrder(samples);
  let joules = 0;
  for (let i = 1; i < ordered.length; i += 1) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    joules += ((a.watts + b.watts) / 2) * ((b.t - a.t) / 1000);
  }
  return joules;
}

/**
 * Statistics of the samples; null when there are none.
 *
 * - `total_energy_joules`: `energyJoules` when given (the exact counter difference over the same
 *   window, DESIGN §6), else the trapezoid integral of the samples.
 * - `mean_watts`: `energyJoules / duration_sec` when both are known (duration > 0), because the
 *   counter saw every microjoule while the samples saw instants; otherwise the arithmetic mean of
 *   the sample watts.
 * - `duration_sec`: last sample time − first sample time.
 * - `stdev_watts`: the population standard deviation of the sample watts (the samples are the
 *   whole window, not a draw from a larger one).
 */
export function powerStats(samples: readonly PowerSample[], energyJoules?: number): PowerStats | null {
  const ordered = inTimeOrder(samples);
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  if (first === undefined || last === undefined) return null;

  const watts = ordered.map((sample) => sample.watts).sort((a, b) => a - b);
  const n = watts.length;
  const arithmeticMean = watts.reduce((sum, w) => sum + w, 0) / n;
  const variance = watts.reduce((sum, w) => sum + (w - arithmeticMean) ** 2, 0) / n;
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? watts[middle]! : (watts[middle - 1]! + watts[middle]!) / 2;

  const durationSec = (last.t - first.t) / 1000;
  const totalJoules = energyJoules ?? integrateJoules(ordered);
  const mean = energyJoules !== undefined && durationSec > 0 ? energyJoules / durationSec : arithmeticMean;

  return {
    mean_watts: mean,
    median_watts: median,
    min_watts: watts[0]!,
    max_watts: watts[n - 1]!,
    stdev_watts: Math.sqrt(variance),
    total_energy_joules: totalJoules,
    total_energy_wh: totalJoules / J_PER_WH,
    samples: n,
    duration_sec: durationSec,
  };
}

/**
 * At most `maxPoints` samples: the window is cut into `maxPoints` equal time spans and each
 * non-empty span becomes one point at the mean time and mean watts of its samples (a gap in the
 * sampling stays a gap, so there may be fewer points). The first and last points are pinned to
 * the first and last sample times, so a chart or an integral of the result spans the same window
 * as the original. A copy of the input (in time order) when it already has ≤ `maxPoints`.
 */
export function downsample(samples: readonly PowerSample[], maxPoints = 600): PowerSample[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  const ordered = inTimeOrder(samples);
  if (ordered.length <= maxPoints) return ordered.map((sample) => ({ ...sample }));

  const start = ordered[0]!.t;
  const end = ordered[ordered.length - 1]!.t;
  const span = (end - start) / maxPoints;
  const sums = new Map<number, { t: number; watts: number; count: number }>();
  for (const sample of ordered) {
    const bucket = span > 0 ? Math.min(Math.floor((sample.t - start) / span), maxPoints - 1) : 0;
    const sum = sums.get(bucket) ?? { t: 0, watts: 0, count: 0 };
    sum.t += sample.t;
    sum.watts += sample.watts;
    sum.count += 1;
    sums.set(bucket, sum);
  }

  // Buckets were created in time order (the input is ordered), so the map iterates in order.
  const points = [...sums.values()].map((sum) => ({ t: sum.t / sum.count, watts: sum.watts / sum.count }));
  points[0]!.t = start;
  points[points.length - 1]!.t = end;
  return points;
}
