import {
  type DeltaResult,
  type EstimatorModel,
  type PowerSample,
  counterDelta,
  estimatePowerWatts,
  estimatorLabel,
  estimatorUncertainty,
  sumZones,
} from '../core/energy/index.js';
import type { PowerSource } from '../core/node.js';
import { type GpuSample, type NvidiaReader, startNvidiaReader } from './nvidia.js';
import { readHostCpu } from './procfs.js';
import {
  DEFAULT_POWERCAP_ROOT,
  type RaplProblem,
  type RaplZone,
  discoverRapl,
  readRaplCounters,
} from './rapl.js';

/**
 * The agent's one power sampler (DESIGN §6): a single owned loop reads every source — RAPL
 * counters, the NVIDIA reader's latest cycle, host CPU time for the estimator — at a fixed
 * interval (1 s default, 100 ms at the least). Job windows and the metrics endpoint both read
 * what it sampled, so two scrapers see the same numbers and a window costs no extra reads but
 * its two ends.
 *
 * Energy over a window is the sum of counter differences between consecutive readings (exact,
 * wraps handled per interval), never an integral of sampled power — except for sources that
 * only give power (NVIDIA, the estimator), which are integrated over the readings.
 */

export interface SamplerOptions {
  intervalMs: number;
  powercapRoot?: string;
  procRoot?: string;
  /** nvidia-smi command, or null to not look for GPUs. */
  nvidiaSmi?: string | null;
  estimator: EstimatorModel;
  clock?: () => number;
  /** A zone drawing more than this is a bad reading, not a measurement. */
  maxZoneWatts?: number;
  /** How much history to keep for open windows and metrics. */
  historyMs?: number;
}

export interface Reading {
  t: number;
  rapl: Map<string, number | RaplProblem>;
  hostCpu: { busy: number; total: number } | undefined;
  gpus: GpuSample[];
  /** Why there is no GPU cycle in this reading (nvidia-smi not running, or no cycle yet). */
  gpuProblem?: string;
}

/** What happened between two consecutive readings. */
export interface Interval {
  t0: number;
  t1: number;
  zones: Record<string, DeltaResult>;
  packageJoules: number | null;
  dramJoules: number | null;
  psysJoules: number | null;
  /** Host CPU utilisation over the interval, 0..1. */
  cpuUtil: number | null;
  hostBusyCpuSec: number | null;
  estimateWatts: number | null;
  /** Summed power.draw of the GPUs that report it, when both ends of the interval have a GPU cycle. */
  gpuWatts: number | null;
  /** RAPL zones that gave no good delta (`<zone id>: <reason>: <detail>`). */
  gaps: string[];
  /** Why `gpuWatts` is null, when it is and GPUs are expected. */
  gpuGap: string | null;
}

export interface DomainMeasurement {
  joules: number | null;
  /** `rapl`, `nvidia`, `estimated:<model>`. */
  source: string;
  /** Relative uncertainty of `joules` (0.05 = ±5 %). */
  uncertainty: number;
  series: PowerSample[];
  gaps: string[];
}

export interface WindowMeasurement {
  start: number;
  end: number;
  durationSec: number;
  /** Package (CPU) energy: RAPL when the host has it, else the estimator. */
  package: DomainMeasurement;
  dram: DomainMeasurement | null;
  psys: DomainMeasurement | null;
  gpu: DomainMeasurement | null;
  hostBusyCpuSec: number | null;
  meanCpuUtil: number | null;
  gpus: GpuSample[][];
}

export interface Window {
  close(): WindowMeasurement;
}

export interface Sampler {
  readonly sources: PowerSource[];
  readonly zones: readonly RaplZone[];
  readonly problems: readonly string[];
  readonly estimatorSource: string;
  start(): void;
  /** Takes a reading now (outside the cadence) and returns it. */
  sampleNow(): Reading;
  openWindow(): Window;
  /** CPU package watts over the latest interval (RAPL, else the estimate) and GPU watts, for live displays. */
  latestWatts(): { package: number | null; gpu: number | null };
  /** The latest interval, for rapl_power_watts and friends. */
  latestInterval(): Interval | undefined;
  /** Cumulative joules per RAPL zone id since the sampler started (wrap-corrected). */
  zoneTotals(): ReadonlyMap<string, number>;
  /** Cumulative estimated package joules since start (for hosts without counters). */
  estimatedTotal(): number;
  latestGpus(): GpuSample[];
  /** How many readings and intervals are held (trimmed to `historyMs` while no window is open). */
  historySize(): { readings: number; intervals: number };
  stop(): Promise<void>;
}

// RAPL on Haswell and later is measured, not modelled; studies put package energy within a few
// percent of external meters. NVIDIA documents power.draw as accurate to ±5 W.
const RAPL_UNCERTAINTY = 0.05;
const NVIDIA_UNCERTAINTY = 0.05;

export function createSampler(options: SamplerOptions): Sampler {
  const clock = options.clock ?? Date.now;
  const intervalMs = Math.max(100, options.intervalMs);
  const maxZoneWatts = options.maxZoneWatts ?? 1000;
  const historyMs = options.historyMs ?? 15 * 60_000;
  const discovery = discoverRapl(options.powercapRoot ?? DEFAULT_POWERCAP_ROOT);
  const zones = discovery.zones;
  const hasPackage = zones.some((z) => z.kind === 'package');
  const problems = discovery.problems.map(
    (p) => `${p.zone ? `${p.zone}: ` : ''}${p.message} (fix: ${p.fix})`,
  );
  const nvidia: NvidiaReader | undefined =
    options.nvidiaSmi === null
      ? undefined
      : startNvidiaReader({ command: options.nvidiaSmi ?? 'nvidia-smi', intervalMs, clock });
  const estimatorSource = estimatorLabel(options.estimator);

  const readings: Reading[] = [];
  let lastUtil: number | null = null;
  const intervals: Interval[] = [];
  const totals = new Map<string, number>();
  let estimated = 0;
  let timer: NodeJS.Timeout | undefined;

  const procStat = `${options.procRoot ?? '/proc'}/stat`;
  // Once a GPU cycle has been seen this host has GPUs: a window without GPU readings then has
  // unknown GPU energy (a gap), not "no GPU".
  let gpusSeen = false;

  function read(): Reading {
    const gpus = nvidia?.latest() ?? [];
    if (gpus.length > 0) gpusSeen = true;
    return {
      t: clock(),
      rapl: zones.length > 0 ? readRaplCounters(zones) : new Map(),
      hostCpu: readHostCpu(options.procRoot),
      gpus,
      ...(nvidia && gpus.length === 0 ? { gpuProblem: describeGpuProblem(nvidia) } : {}),
    };
  }

  function between(a: Reading, b: Reading): Interval {
    const dtSec = (b.t - a.t) / 1000;
    const deltas: Record<string, DeltaResult> = {};
    for (const z of zones) {
      const prev = a.rapl.get(z.id);
      const curr = b.rapl.get(z.id);
      deltas[z.id] = counterDelta(
        typeof prev === 'number' ? prev : undefined,
        typeof curr === 'number' ? curr : undefined,
        z.maxEnergyRangeUj,
        dtSec,
        maxZoneWatts,
      );
    }
    const sums = sumZones(deltas, zones);
    let cpuUtil: number | null = null;
    let busy: number | null = null;
    if (a.hostCpu && b.hostCpu && b.hostCpu.total > a.hostCpu.total) {
      busy = b.hostCpu.busy - a.hostCpu.busy;
      cpuUtil = Math.min(1, Math.max(0, busy / (b.hostCpu.total - a.hostCpu.total)));
      lastUtil = cpuUtil;
    } else if (a.hostCpu && b.hostCpu) {
      // Two readings within one clock tick (a window opened right after a scheduled reading):
      // /proc/stat has not moved, so carry the last utilisation over this sliver of time rather
      // than leave a gap that would void the whole window's estimate.
      busy = 0;
      cpuUtil = lastUtil ?? 0;
    }
    // A card that prints power.draw as [N/A] is left out of the sum (and named in the window's
    // gaps) rather than making every GPU's energy unknown.
    const gpuWatts = (gpus: GpuSample[]) =>
      gpus.some((g) => g.powerW !== null) ? gpus.reduce((s, g) => s + (g.powerW ?? 0), 0) : null;
    const g0 = gpuWatts(a.gpus);
    const g1 = gpuWatts(b.gpus);
    // Both ends or nothing: holding the last power across a death of nvidia-smi would be made up.
    const gpuGap =
      g0 !== null && g1 !== null
        ? null
        : (b.gpuProblem ??
          a.gpuProblem ??
          (a.gpus.length > 0 && b.gpus.length > 0 ? 'no GPU reports power.draw' : 'no GPU reading'));
    return {
      t0: a.t,
      t1: b.t,
      zones: deltas,
      packageJoules: sums.packageJoules,
      dramJoules: sums.dramJoules,
      psysJoules: sums.psysJoules,
      cpuUtil,
      hostBusyCpuSec: busy,
      estimateWatts: cpuUtil === null ? null : estimatePowerWatts(options.estimator, cpuUtil),
      gpuWatts: g0 !== null && g1 !== null ? (g0 + g1) / 2 : null,
      gaps: sums.gaps,
      gpuGap,
    };
  }

  function record(): Reading {
    const reading = read();
    const prev = readings.at(-1);
    readings.push(reading);
    if (prev && reading.t > prev.t) {
      const iv = between(prev, reading);
      intervals.push(iv);
      for (const [id, d] of Object.entries(iv.zones))
        if (d.ok) totals.set(id, (totals.get(id) ?? 0) + d.joules);
      if (iv.estimateWatts !== null) estimated += iv.estimateWatts * ((iv.t1 - iv.t0) / 1000);
    }
    // Forget what no open window can need any more.
    const horizon = reading.t - historyMs;
    while (readings.length > 2 && (readings[0]?.t ?? 0) < horizon && openWindows === 0) readings.shift();
    while (intervals.length > 1 && (intervals[0]?.t1 ?? 0) < horizon && openWindows === 0) intervals.shift();
    return reading;
  }

  let openWindows = 0;

  /** The gaps of one RAPL domain: only its own zones (a dram reset is no reason for package). */
  function zoneGaps(kind: 'package' | 'dram' | 'psys'): (iv: Interval) => string[] {
    const ids = zones
      .filter((z) => z.kind === kind && (kind !== 'package' || z.parent === null))
      .map((z) => z.id);
    return (iv) => iv.gaps.filter((g) => ids.some((id) => g.startsWith(`${id}: `)));
  }

  /** `gapsOf` says why `joulesOf` is null for an interval, in that domain's own terms. */
  function domain(
    ivs: Interval[],
    joulesOf: (iv: Interval) => number | null,
    gapsOf: (iv: Interval) => string[],
    source: string,
    uncertainty: number,
  ): DomainMeasurement {
    const series: PowerSample[] = [];
    const gaps: string[] = [];
    let joules: number | null = 0;
    for (const iv of ivs) {
      const j = joulesOf(iv);
      const dt = (iv.t1 - iv.t0) / 1000;
      if (j === null) {
        joules = null;
        gaps.push(...gapsOf(iv).map((g) => `${new Date(iv.t0).toISOString()}: ${g}`));
      } else {
        if (joules !== null) joules += j;
        if (dt > 0) series.push({ t: iv.t1, watts: j / dt });
      }
    }
    if (gaps.length === 0 && joules === null) gaps.push('no reading in the window');
    return { joules, source, uncertainty, series, gaps };
  }

  return {
    sources: [
      ...(hasPackage ? (['rapl'] as const) : []),
      ...(nvidia ? (['nvidia'] as const) : []),
      'estimate',
    ],
    zones,
    problems,
    estimatorSource,
    start() {
      if (timer) return;
      record();
      timer = setInterval(record, intervalMs);
      timer.unref();
    },
    sampleNow: record,
    openWindow() {
      openWindows++;
      const first = record();
      let closed = false;
      return {
        close() {
          // Read before this window stops holding history: the reading trims what is older than
          // historyMs, and a window longer than that still needs all of its intervals.
          const last = record();
          if (!closed) {
            closed = true;
            openWindows--;
          }
          const ivs = intervals.filter((iv) => iv.t0 >= first.t && iv.t1 <= last.t);
          const pkg = hasPackage
            ? domain(ivs, (iv) => iv.packageJoules, zoneGaps('package'), 'rapl', RAPL_UNCERTAINTY)
            : domain(
                ivs,
                (iv) => (iv.estimateWatts === null ? null : iv.estimateWatts * ((iv.t1 - iv.t0) / 1000)),
                () => [`no host CPU time: cannot read ${procStat}`],
                estimatorSource,
                estimatorUncertainty(options.estimator),
              );
          const hasDram = zones.some((z) => z.kind === 'dram');
          const hasPsys = zones.some((z) => z.kind === 'psys');
          const hasGpu = gpusSeen || ivs.some((iv) => iv.gpuWatts !== null);
          const windowReadings = readings.filter((r) => r.t >= first.t && r.t <= last.t);
          const gpu = hasGpu
            ? domain(
                ivs,
                (iv) => (iv.gpuWatts === null ? null : iv.gpuWatts * ((iv.t1 - iv.t0) / 1000)),
                (iv) => [iv.gpuGap ?? 'no GPU reading'],
                'nvidia',
                NVIDIA_UNCERTAINTY,
              )
            : null;
          if (gpu) gpu.gaps.push(...unpoweredGpus(windowReadings));
          const busy = ivs.every((iv) => iv.hostBusyCpuSec !== null)
            ? ivs.reduce((s, iv) => s + (iv.hostBusyCpuSec ?? 0), 0)
            : null;
          const utils = ivs.map((iv) => iv.cpuUtil).filter((u): u is number => u !== null);
          return {
            start: first.t,
            end: last.t,
            durationSec: (last.t - first.t) / 1000,
            package: pkg,
            dram: hasDram
              ? domain(ivs, (iv) => iv.dramJoules, zoneGaps('dram'), 'rapl', RAPL_UNCERTAINTY)
              : null,
            psys: hasPsys
              ? domain(ivs, (iv) => iv.psysJoules, zoneGaps('psys'), 'rapl', RAPL_UNCERTAINTY)
              : null,
            gpu,
            hostBusyCpuSec: busy,
            meanCpuUtil: utils.length > 0 ? utils.reduce((a, b) => a + b, 0) / utils.length : null,
            gpus: windowReadings.filter((r) => r.gpus.length > 0).map((r) => r.gpus),
          };
        },
      };
    },
    latestInterval: () => intervals.at(-1),
    latestWatts() {
      const iv = intervals.at(-1);
      const dt = iv ? (iv.t1 - iv.t0) / 1000 : 0;
      if (!iv || dt <= 0) return { package: null, gpu: null };
      return {
        package: hasPackage ? (iv.packageJoules === null ? null : iv.packageJoules / dt) : iv.estimateWatts,
        gpu: iv.gpuWatts,
      };
    },
    zoneTotals: () => totals,
    estimatedTotal: () => estimated,
    latestGpus: () => nvidia?.latest() ?? [],
    historySize: () => ({ readings: readings.length, intervals: intervals.length }),
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await nvidia?.stop();
    },
  };
}

function describeGpuProblem(nvidia: NvidiaReader): string {
  if (nvidia.running()) return 'nvidia-smi is running but has not reported a full GPU cycle yet';
  const why = nvidia.lastError();
  return `nvidia-smi is not running${why ? ` (${why})` : ''}; GPU energy is unknown until it restarts`;
}

/** One line per GPU that printed no power.draw in the window's readings: its energy is not in the sum. */
function unpoweredGpus(readings: readonly Reading[]): string[] {
  const names = new Map<number, string | null>();
  for (const r of readings) for (const g of r.gpus) if (g.powerW === null) names.set(g.index, g.name);
  return [...names].map(
    ([index, name]) =>
      `GPU ${index}${name ? ` (${name})` : ''} reports no power.draw: its energy is not included`,
  );
}
