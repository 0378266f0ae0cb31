import { powerStats } from '../core/energy/stats.js';
import type { PowerSample } from '../core/energy/stats.js';
import { FfrtmpError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import type { ScenarioRecord, Section } from '../core/run-stats.js';
import { httpGet } from '../stack/http-get.js';

/**
 * Power of a scenario's [start, end] window from VictoriaMetrics (or Prometheus), with the
 * reference analyzer's queries. The zone regex `package.*` sums CPU packages only (DESIGN §7):
 * `psys` already contains the packages, and `core`/`uncore` are inside them, so a bare sum of
 * `rapl_power_watts` would count the same joules two or three times.
 */

export const PROMETHEUS_QUERIES = {
  power: 'sum(rapl_power_watts{zone=~"package.*"})',
  dram: 'sum(rapl_power_watts{zone=~".*dram.*"})',
  gpu: 'sum(gpu_power_draw_watts)',
  energy: (zoneRegex: string, windowSec: number) =>
    `sum(increase(rapl_energy_joules_total{zone=~"${zoneRegex}"}[${Math.max(1, Math.round(windowSec))}s]))`,
} as const;

interface PromResult {
  values?: [number, string][];
  value?: [number, string];
}

async function promQuery(base: string, path: string, params: Record<string, string>): Promise<PromResult[]> {
  const url = `${base.replace(/\/$/, '')}${path}?${new URLSearchParams(params)}`;
  let res: Awaited<ReturnType<typeof httpGet>>;
  try {
    res = await httpGet(url, 30_000);
  } catch (cause) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--prometheus-url: cannot reach ${base}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const body = JSON.parse(res.body) as { status?: string; error?: string; data?: { result?: unknown } };
  if (res.status !== 200 || body.status !== 'success')
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `--prometheus-url: ${params.query} failed (${res.status}): ${body.error ?? res.body.slice(0, 200)}`,
    );
  return Array.isArray(body.data?.result) ? (body.data.result as PromResult[]) : [];
}

/** A range query's points as samples (t in ms), summed series by series at equal times. */
export async function queryRange(
  base: string,
  query: string,
  startSec: number,
  endSec: number,
  stepSec: number,
): Promise<PowerSample[]> {
  const series = await promQuery(base, '/api/v1/query_range', {
    query,
    start: String(startSec),
    end: String(endSec),
    step: `${stepSec}s`,
  });
  const byT = new Map<number, number>();
  for (const s of series)
    for (const [t, v] of s.values ?? []) {
      const w = Number(v);
      if (Number.isFinite(w)) byT.set(t * 1000, (byT.get(t * 1000) ?? 0) + w);
    }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, watts]) => ({ t, watts }));
}

/** An instant query's first value at `atSec`; null when there is none. */
export async function queryInstant(base: string, query: string, atSec: number): Promise<number | null> {
  const [first] = await promQuery(base, '/api/v1/query', { query, time: String(atSec) });
  const v = first?.value ? Number(first.value[1]) : Number.NaN;
  return Number.isFinite(v) ? v : null;
}

export interface PrometheusPower {
  power: Section;
  samples: { t: number; package_watts: number; gpu_watts?: number }[];
}

function statsSection(samples: PowerSample[], joules: number | null, windowSec: number): Section | null {
  const stats = powerStats(samples, joules ?? undefined);
  if (!stats) return null;
  // The counter saw the whole window; the reference divides by end − start, not the sample span.
  const mean = joules !== null && windowSec > 0 ? joules / windowSec : stats.mean_watts;
  const total = joules ?? mean * windowSec;
  return {
    ...stats,
    mean_watts: mean,
    total_energy_joules: total,
    total_energy_wh: total / 3600,
    duration_sec: windowSec,
  };
}

/**
 * The `power` section (package stats with `dram_power` and `gpu_power` inside, as the agent
 * writes it, `source: 'prometheus'`) of the window [startSec, endSec]; null when the server has
 * no package power for it.
 */
export async function prometheusPower(
  base: string,
  startSec: number,
  endSec: number,
  stepSec = 5,
): Promise<PrometheusPower | null> {
  const windowSec = endSec - startSec;
  const [pkg, pkgJ, dram, dramJ, gpu] = await Promise.all([
    queryRange(base, PROMETHEUS_QUERIES.power, startSec, endSec, stepSec),
    queryInstant(base, PROMETHEUS_QUERIES.energy('package.*', windowSec), endSec),
    queryRange(base, PROMETHEUS_QUERIES.dram, startSec, endSec, stepSec),
    queryInstant(base, PROMETHEUS_QUERIES.energy('.*dram.*', windowSec), endSec),
    queryRange(base, PROMETHEUS_QUERIES.gpu, startSec, endSec, stepSec),
  ]);
  const power = statsSection(pkg, pkgJ, windowSec);
  if (!power) return null;
  power.source = 'prometheus';
  power.dram_power = statsSection(dram, dramJ, windowSec);
  power.gpu_power = statsSection(gpu, null, windowSec);
  const gpuByT = new Map(gpu.map((s) => [s.t, s.watts]));
  const samples = pkg.map((s) => {
    const g = gpuByT.get(s.t);
    return g === undefined
      ? { t: s.t, package_watts: s.watts }
      : { t: s.t, package_watts: s.watts, gpu_watts: g };
  });
  return { power, samples };
}

const hasPower = (r: ScenarioRecord) => isRecord(r.power) && typeof r.power.mean_watts === 'number';

/**
 * Fills in power from Prometheus for the records that have none but have a time window; the
 * others are returned as they are. New records, the inputs untouched. `onProgress` names each query.
 */
export async function withPrometheusPower(
  records: readonly ScenarioRecord[],
  base: string,
  onProgress: (line: string) => void = () => {},
): Promise<ScenarioRecord[]> {
  const out: ScenarioRecord[] = [];
  for (const r of records) {
    const start = r.start_time ? Date.parse(r.start_time) / 1000 : Number.NaN;
    const end = r.end_time ? Date.parse(r.end_time) / 1000 : Number.NaN;
    if (hasPower(r) || !(end > start)) {
      out.push(r);
      continue;
    }
    onProgress(`querying ${base} for ${r.name} (${Math.round(end - start)} s window)`);
    const found = await prometheusPower(base, start, end);
    out.push(found ? { ...r, power: found.power, samples: found.samples } : r);
  }
  return out;
}
