import {
  type PowerStats,
  cpuShare,
  attribute,
  derivedFigures,
  downsample,
  powerStats,
} from '../core/energy/index.js';
import type { EncodeMetrics } from '../core/encode-metrics.js';
import type { DomainMeasurement, WindowMeasurement } from '../power/sampler.js';
import type { Baseline } from './baseline.js';

/**
 * The energy ledger of one job attempt (DESIGN §3 Result): power statistics per domain over the
 * measurement window, joules per domain with their source and uncertainty, the idle baseline,
 * net and attributed joules, a downsampled series, and the derived per-job figures — computed by
 * the same core functions the analyzer uses.
 */

export interface LedgerInput {
  window: WindowMeasurement;
  baseline: Baseline | undefined;
  /** CPU seconds of the job's FFmpeg process trees (exact, from their exits). */
  jobCpuSec: number | null;
  metrics: EncodeMetrics | null;
  /** Σ width × height × frames over outputs. */
  pixels: number;
  /** Total target bitrate of all outputs, Mbit/s. */
  bitrateMbps: number;
}

export interface Ledger {
  power: Record<string, unknown> | null;
  energy: Record<string, unknown>;
  samples: { t: number; package_watts: number; gpu_watts?: number }[];
  figures: Record<string, number | null>;
  warnings: string[];
}

/**
 * Statistics of one domain over the window. The series holds one point per sampling interval
 * (its average power); the mean is the exact energy over the whole window's duration.
 */
function statsOf(
  d: DomainMeasurement | null,
  windowSec: number,
): (PowerStats & { source: string; uncertainty: number }) | null {
  if (!d || d.joules === null) return null;
  const stats = powerStats(d.series, d.joules);
  if (!stats) return null;
  return {
    ...stats,
    mean_watts: windowSec > 0 ? d.joules / windowSec : stats.mean_watts,
    duration_sec: windowSec,
    source: d.source,
    uncertainty: d.uncertainty,
  };
}

function domainEntry(d: DomainMeasurement | null) {
  if (!d) return null;
  return { joules: d.joules, source: d.source, uncertainty: d.uncertainty, gaps: d.gaps };
}

export function buildLedger(input: LedgerInput): Ledger {
  const { window: w, baseline } = input;
  const warnings: string[] = [];
  const pkg = statsOf(w.package, w.durationSec);
  if (w.package.joules === null)
    warnings.push(`package energy has gaps: ${w.package.gaps.slice(0, 3).join('; ')}`);
  else if (w.package.joules <= 0)
    warnings.push(
      'package energy is 0 over the window: a counter that does not move is an error, not a measurement',
    );
  const usable = (j: number | null | undefined) => (j !== null && j !== undefined && j > 0 ? j : null);
  const packageJ = usable(w.package.joules);
  const dramJ = usable(w.dram?.joules);
  const gpuJ = usable(w.gpu?.joules);
  const totalJ = packageJ === null ? null : packageJ + (dramJ ?? 0) + (gpuJ ?? 0);
  const share =
    input.jobCpuSec === null || w.hostBusyCpuSec === null
      ? null
      : cpuShare(input.jobCpuSec, w.hostBusyCpuSec);
  const idleWatts =
    baseline === undefined
      ? null
      : baseline.package_watts +
        (w.dram ? (baseline.dram_watts ?? 0) : 0) +
        (w.gpu ? (baseline.gpu_watts ?? 0) : 0);
  const att =
    totalJ === null
      ? { netJoules: null, attributedJoules: null }
      : attribute({ totalJoules: totalJ, idleWatts, windowSec: w.durationSec, share });
  if (baseline === undefined) warnings.push('no idle baseline measured yet: net energy is unknown');

  const gpuByT = new Map((w.gpu?.series ?? []).map((s) => [s.t, s.watts]));
  const series = downsample(w.package.series, 600).map((s) => {
    const gpu = gpuByT.get(s.t);
    return gpu === undefined
      ? { t: s.t, package_watts: round(s.watts) }
      : { t: s.t, package_watts: round(s.watts), gpu_watts: round(gpu) };
  });
  const meanWatts = totalJ !== null && w.durationSec > 0 ? totalJ / w.durationSec : null;
  const figures = derivedFigures({
    energyJoules: totalJ,
    meanWatts,
    frames: input.metrics?.frames_encoded ?? 0,
    outputSeconds: (input.metrics?.duration ?? 0) * (input.metrics?.outputs ?? 0),
    bitrateMbps: input.bitrateMbps,
    pixels: input.pixels,
  });

  return {
    power: pkg
      ? {
          ...pkg,
          dram_power: statsOf(w.dram, w.durationSec),
          gpu_power: statsOf(w.gpu, w.durationSec),
          psys_power: statsOf(w.psys, w.durationSec),
        }
      : null,
    energy: {
      window: {
        start: new Date(w.start).toISOString(),
        end: new Date(w.end).toISOString(),
        duration_sec: round(w.durationSec, 3),
      },
      domains: {
        package: domainEntry(w.package),
        dram: domainEntry(w.dram),
        gpu: domainEntry(w.gpu),
        psys: domainEntry(w.psys),
      },
      total_joules: totalJ === null ? null : round(totalJ, 3),
      total_source: [
        w.package.source,
        ...(dramJ !== null ? ['rapl'] : []),
        ...(gpuJ !== null ? ['nvidia'] : []),
      ]
        .filter((s, i, a) => a.indexOf(s) === i)
        .join('+'),
      uncertainty: w.package.uncertainty,
      idle_baseline_watts: idleWatts === null ? null : round(idleWatts, 3),
      idle_baseline_source: baseline?.source ?? null,
      idle_baseline_measured_at: baseline?.measured_at ?? null,
      net_joules: att.netJoules === null ? null : round(att.netJoules, 3),
      cpu_share: share === null ? null : round(share, 4),
      attributed_joules: att.attributedJoules === null ? null : round(att.attributedJoules, 3),
      job_cpu_seconds: input.jobCpuSec,
      host_busy_cpu_seconds: w.hostBusyCpuSec === null ? null : round(w.hostBusyCpuSec, 3),
      mean_cpu_utilization: w.meanCpuUtil === null ? null : round(w.meanCpuUtil, 4),
      complete: packageJ !== null,
    },
    samples: series,
    figures: { ...figures, mean_watts: meanWatts === null ? null : round(meanWatts, 3) },
    warnings,
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
