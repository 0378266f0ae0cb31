/**
 * Attribution of a host's package energy to one job (DESIGN §6, "process"): the job's share of
 * the host's busy CPU time over the measurement window, and the energy above the idle baseline.
 */

export interface AttributionInput {
  /** Package energy of the host over the window, J (exact counter difference or an estimate). */
  totalJoules: number;
  /** The node's idle baseline; null when none has been measured. */
  idleWatts: number | null;
  windowSec: number;
  /** From `cpuShare`; null when unknown. */
  share: number | null;
}

export interface Attribution {
  /** total − idle × window, at least 0; null without an idle baseline. */
  netJoules: number | null;
  /** share × total; null without a share. */
  attributedJoules: number | null;
}

/**
 * Share of host CPU time used by the job's processes over a window, clamped to [0, 1]; null when
 * host busy time is 0 (or not a finite number). Both times are CPU-seconds over the same window:
 * the job's from `/proc/<pid>/stat` (utime + stime of its process tree), the host's busy time
 * from `/proc/stat` (all states but idle and iowait). The clamp absorbs the two files being read
 * a few milliseconds apart, which can put the job a hair above the host.
 */
export function cpuShare(jobCpuSec: number, hostBusyCpuSec: number): number | null {
  if (!Number.isFinite(hostBusyCpuSec) || hostBusyCpuSec <= 0 || !Number.isFinite(jobCpuSec)) return null;
  return clampUnit(jobCpuSec / hostBusyCpuSec);
}

/**
 * Net energy above idle, and the job's attributed energy.
 *
 * - `netJoules` = max(0, total − idleWatts × windowSec): what the host drew above its idle floor,
 *   whoever drew it. Clamped at 0 because a window quieter than the cached baseline means the
 *   baseline is stale, not that the job gave energy back.
 * - `attributedJoules` = share × total. Assumption: the whole package energy, idle floor
 *   included, is split among the processes in proportion to the CPU time they used, i.e. every
 *   busy CPU-second costs the same energy and the job carries its share of the idle power. It
 *   ignores that vector-heavy code (FFmpeg's SIMD) draws more per CPU-second than other work, and
 *   that a job that runs alone is charged the whole idle floor. Combine with `netJoules` (or
 *   share × net) where the marginal energy is what matters.
 */
export function attribute(input: AttributionInput): Attribution {
  const { totalJoules, idleWatts, windowSec, share } = input;
  if (!Number.isFinite(totalJoules)) return { netJoules: null, attributedJoules: null };
  const netJoules =
    idleWatts === null || !Number.isFinite(idleWatts) || !Number.isFinite(windowSec)
      ? null
      : Math.max(0, totalJoules - idleWatts * windowSec);
  const attributedJoules = share === null || !Number.isFinite(share) ? null : clampUnit(share) * totalJoules;
  return { netJoules, attributedJoules };
}

function clampUnit(value: number): number {
  return Math.min(Math.max(value, 0), 1);
}
