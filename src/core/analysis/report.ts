import { isRecord } from '../guards.js';
import type { PowerSample } from '../energy/stats.js';
import type { ScenarioRecord, Section } from '../run-stats.js';
import { type CostSummary, type ResolvedPricing, costSummary } from './cost.js';
import { bitrateMbps, outputLadderId, streamCount, totalPixels } from './measures.js';
import { FfrtmpError } from '../errors.js';
import {
  type Comparison,
  type ConcreteAlgorithm,
  type NetValues,
  SCORE_UNITS,
  type ScoreInput,
  type ScoringAlgorithm,
  compareScores,
  findBaseline,
  netValues,
  rankByLadder,
  rankByScore,
  scoreScenario,
} from './scoring.js';

/**
 * `ffrtmp analyze` as data: per-scenario statistics, net values, derived figures, cost, CO2,
 * efficiency score and rank, output ladder, then the ranking and a recommendation. Field names
 * follow the reference analyzer's scenario result (docs/analysis.md has the schema).
 */

export interface PowerBlock {
  mean_watts: number;
  median_watts: number | null;
  min_watts: number | null;
  max_watts: number | null;
  stdev_watts: number | null;
  /** CPU package energy over the window, J (the reference's meaning). */
  total_energy_joules: number | null;
  total_energy_wh: number | null;
  source: string | null;
}

export interface DomainPower {
  mean_watts: number;
  total_energy_wh: number | null;
}

export interface ScenarioAnalysis {
  name: string;
  status: string;
  bitrate: string;
  resolution: string | null;
  fps: number | null;
  /** Seconds encoded (asked for). */
  duration: number | null;
  /** Seconds between start_time and end_time; the duration when those are missing. */
  window_sec: number | null;
  encoder: string | null;
  preset: string | null;
  streams: number;
  output_ladder: string | null;
  total_pixels: number | null;
  power: PowerBlock | null;
  dram_power: DomainPower | null;
  gpu_power: DomainPower | null;
  /** CPU package + DRAM + GPU energy, J and Wh. */
  energy: { total_joules: number | null; total_wh: number | null };
  net: NetValues | null;
  joules_per_frame: number | null;
  wh_per_minute: number | null;
  wh_per_mbps: number | null;
  vmaf_score: number | null;
  psnr_score: number | null;
  encoding_fps: number | null;
  efficiency_score: number | null;
  efficiency_algorithm: ConcreteAlgorithm;
  efficiency_unit: string;
  efficiency_rank: number | null;
  cost: CostSummary | null;
}

export interface RankingEntry {
  rank: number;
  name: string;
  efficiency_score: number;
  efficiency_unit: string;
}

export interface AnalysisReport {
  algorithm: ScoringAlgorithm;
  baseline: string | null;
  pricing: (ResolvedPricing & { cpu_cost_per_hour: number; gpu_cost_per_hour: number }) | null;
  scenarios: ScenarioAnalysis[];
  ranking: RankingEntry[];
  by_ladder: Record<string, RankingEntry[]>;
  recommendation: { name: string; efficiency_score: number; efficiency_unit: string; text: string } | null;
  /** Caveats about the ranking, e.g. scores in different units side by side. */
  notes: string[];
}

export interface AnalyzeOptions {
  algorithm?: ScoringAlgorithm;
  pricing?: ResolvedPricing;
  cpuCostPerHour?: number;
  gpuCostPerHour?: number;
  viewers?: number;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function powerBlock(power: Section | undefined): PowerBlock | null {
  const mean = num(power?.mean_watts);
  if (!power || mean === null) return null;
  const joules = num(power.total_energy_joules);
  return {
    mean_watts: mean,
    median_watts: num(power.median_watts),
    min_watts: num(power.min_watts),
    max_watts: num(power.max_watts),
    stdev_watts: num(power.stdev_watts),
    total_energy_joules: joules,
    total_energy_wh: num(power.total_energy_wh) ?? (joules === null ? null : joules / 3600),
    source: typeof power.source === 'string' ? power.source : null,
  };
}

/** `power.dram_power` / `power.gpu_power` as the agent writes them (a stats block or null). */
function domainPower(section: unknown): DomainPower | null {
  if (!isRecord(section)) return null;
  const mean = num(section.mean_watts);
  if (mean === null) return null;
  const joules = num(section.total_energy_joules);
  return {
    mean_watts: mean,
    total_energy_wh: num(section.total_energy_wh) ?? (joules === null ? null : joules / 3600),
  };
}

function windowSec(r: ScenarioRecord): number | null {
  const start = r.start_time ? Date.parse(r.start_time) : Number.NaN;
  const end = r.end_time ? Date.parse(r.end_time) : Number.NaN;
  if (Number.isFinite(start) && Number.isFinite(end) && end > start) return (end - start) / 1000;
  return num(r.power?.duration_sec) ?? num(r.duration);
}

/** Power samples (package + GPU watts) of a record, for the load-aware cost. */
export function recordSamples(r: ScenarioRecord): PowerSample[] {
  const out: PowerSample[] = [];
  for (const s of r.samples ?? []) {
    if (!isRecord(s)) continue;
    const t = num(s.t);
    const pkg = num(s.package_watts) ?? num(s.watts);
    if (t === null || pkg === null) continue;
    out.push({ t, watts: pkg + (num(s.gpu_watts) ?? 0) });
  }
  return out;
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || !(b > 0) ? null : a / b;

function analyzeOne(
  r: ScenarioRecord,
  options: AnalyzeOptions,
): { row: ScenarioAnalysis; input: ScoreInput } {
  const power = powerBlock(r.power);
  const dram = domainPower(r.power?.dram_power);
  const gpu = domainPower(r.power?.gpu_power);
  const pixels = totalPixels(r);
  const window = windowSec(r);
  const pkgJ = power?.total_energy_joules ?? null;
  const gpuJ = gpu?.total_energy_wh === null || gpu === null ? 0 : gpu.total_energy_wh * 3600;
  const dramJ = dram?.total_energy_wh === null || dram === null ? 0 : dram.total_energy_wh * 3600;
  const totalJ = num(r.energy?.total_joules) ?? (pkgJ === null ? null : pkgJ + dramJ + gpuJ);
  const totalWh = totalJ === null ? null : totalJ / 3600;
  const frames = num(r.metrics?.frames_encoded);
  const mbps = bitrateMbps(r.bitrate) * (r.bitrate.includes(',') ? 1 : streamCount(r.name, r.streams));

  const input: ScoreInput = {
    name: r.name,
    bitrate: r.bitrate,
    streams: r.streams,
    meanWatts: power?.mean_watts ?? null,
    gpuWatts: gpu?.mean_watts ?? null,
    energyJoules: pkgJ === null ? null : pkgJ + gpuJ,
    outputs: r.outputs,
    resolution: r.resolution,
    fps: r.fps,
    duration: r.duration,
    vmaf: r.vmaf_score ?? null,
  };
  const { score, algorithm } = scoreScenario(input, options.algorithm ?? 'auto');
  const watts = power === null ? null : power.mean_watts + (gpu?.mean_watts ?? 0);
  const cost =
    options.pricing === undefined
      ? null
      : costSummary(
          {
            watts,
            durationSec: window,
            pixels,
            samples: recordSamples(r),
            coreSeconds: num(r.metrics?.cpu_seconds),
          },
          {
            pricing: options.pricing,
            cpuPerHour: options.cpuCostPerHour ?? 0,
            gpuPerHour: options.gpuCostPerHour ?? 0,
            viewers: options.viewers ?? 1,
          },
        );

  const row: ScenarioAnalysis = {
    name: r.name,
    status: r.status,
    bitrate: r.bitrate,
    resolution: r.resolution,
    fps: r.fps,
    duration: r.duration,
    window_sec: window,
    encoder: r.encoder,
    preset: r.preset,
    streams: r.streams,
    output_ladder: outputLadderId(r),
    total_pixels: pixels,
    power,
    dram_power: dram,
    gpu_power: gpu,
    energy: { total_joules: totalJ, total_wh: totalWh },
    net: null,
    joules_per_frame: frames !== null && frames > 0 ? ratio(totalJ, frames) : null,
    wh_per_minute: ratio(totalWh, window === null ? null : window / 60),
    wh_per_mbps: mbps > 0 ? ratio(totalWh, mbps) : null,
    vmaf_score: r.vmaf_score ?? null,
    psnr_score: r.psnr_score ?? null,
    encoding_fps: num(r.metrics?.encoding_fps),
    efficiency_score: score,
    efficiency_algorithm: algorithm,
    efficiency_unit: SCORE_UNITS[algorithm],
    efficiency_rank: null,
    cost,
  };
  return { row, input };
}

const entry = (name: string, score: number, rank: number, unit: string): RankingEntry => ({
  rank,
  name,
  efficiency_score: score,
  efficiency_unit: unit,
});

/** The whole analysis of a run's scenarios (input order kept in `scenarios`). */
export function analyzeRecords(
  records: readonly ScenarioRecord[],
  options: AnalyzeOptions = {},
): AnalysisReport {
  const analyzed = records.map((r) => analyzeOne(r, options));
  const rows = analyzed.map((a) => a.row);

  const b = findBaseline(rows.map((row) => ({ name: row.name, meanWatts: row.power?.mean_watts ?? null })));
  const baseline = b >= 0 ? rows[b]! : null;
  if (baseline) {
    const base = { meanWatts: baseline.power?.mean_watts, energyWh: baseline.power?.total_energy_wh };
    for (const row of rows) {
      row.net =
        row === baseline
          ? { power_w: 0, energy_wh: base.energyWh === null || base.energyWh === undefined ? null : 0 }
          : row.power
            ? netValues({ meanWatts: row.power.mean_watts, energyWh: row.power.total_energy_wh }, base)
            : { power_w: null, energy_wh: null };
    }
  }

  const ranked = rankByScore(rows, (row) => row.efficiency_score);
  for (const r of ranked) r.item.efficiency_rank = r.rank;
  const ranking = ranked
    .filter((r) => r.rank !== null && r.score !== null)
    .map((r) => entry(r.item.name, r.score!, r.rank!, r.item.efficiency_unit));

  const byLadder: Record<string, RankingEntry[]> = {};
  for (const [ladder, list] of rankByLadder(
    rows,
    (row) => row.output_ladder,
    (row) => row.efficiency_score,
  )) {
    const scored = list.filter((r) => r.rank !== null && r.score !== null);
    if (scored.length > 0)
      byLadder[ladder] = scored.map((r) => entry(r.item.name, r.score!, r.rank!, r.item.efficiency_unit));
  }

  const best = ranking[0];
  const bestRow = best ? rows.find((row) => row.name === best.name) : undefined;
  const recommendation =
    best && bestRow
      ? {
          name: best.name,
          efficiency_score: best.efficiency_score,
          efficiency_unit: best.efficiency_unit,
          text: `Most energy-efficient: ${best.name} (${formatScore(best.efficiency_score)} ${best.efficiency_unit}${
            bestRow.power ? `, ${bestRow.power.mean_watts.toFixed(1)} W` : ''
          }, ${bestRow.bitrate}${bestRow.resolution ? ` @ ${bestRow.resolution}` : ''}${
            bestRow.fps ? ` ${bestRow.fps} fps` : ''
          })`,
        }
      : null;

  const notes: string[] = [];
  const units = new Set(ranking.map((r) => r.efficiency_unit));
  if (units.size > 1)
    notes.push(
      `the ranking mixes ${[...units].join(' and ')} (auto scores ladders by pixels, single outputs by throughput); use --algorithm pixels_per_joule or throughput_per_watt for one unit, or read the per-ladder ranking`,
    );

  return {
    algorithm: options.algorithm ?? 'auto',
    baseline: baseline?.name ?? null,
    pricing: options.pricing
      ? {
          ...options.pricing,
          cpu_cost_per_hour: options.cpuCostPerHour ?? 0,
          gpu_cost_per_hour: options.gpuCostPerHour ?? 0,
        }
      : null,
    scenarios: rows,
    ranking,
    by_ladder: byLadder,
    recommendation,
    notes,
  };
}

/** 4 significant digits, exponent form for big pixel counts: 0.1 → "0.1000", 276480 → "2.765e+5". */
export function formatScore(score: number): string {
  return Math.abs(score) >= 1000 ? score.toExponential(3) : score.toFixed(4);
}

export interface HeadToHead extends Comparison {
  a: string;
  b: string;
  efficiency_unit: string | null;
}

/**
 * Two analyzed scenarios head to head (`--compare A,B`). Scores in different units are not
 * compared (winner null). An unknown name is a user error naming the scenarios there are.
 */
export function headToHead(report: AnalysisReport, a: string, b: string): HeadToHead {
  const find = (name: string) => {
    const row = report.scenarios.find((s) => s.name === name);
    if (!row)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--compare: no scenario named '${name}'; there are: ${report.scenarios.map((s) => s.name).join(', ')}`,
      );
    return row;
  };
  const ra = find(a);
  const rb = find(b);
  const watts = (r: ScenarioAnalysis) =>
    r.power ? r.power.mean_watts + (r.gpu_power?.mean_watts ?? 0) : null;
  const sameUnit = ra.efficiency_unit === rb.efficiency_unit;
  const c = compareScores(
    { score: sameUnit ? ra.efficiency_score : null, watts: watts(ra) },
    { score: sameUnit ? rb.efficiency_score : null, watts: watts(rb) },
  );
  return { a, b, efficiency_unit: sameUnit ? ra.efficiency_unit : null, ...c };
}
