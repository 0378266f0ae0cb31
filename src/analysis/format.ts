import type { AnalysisPredictions } from '../core/analysis/predictions.js';
import {
  type AnalysisReport,
  type HeadToHead,
  type ScenarioAnalysis,
  formatScore,
} from '../core/analysis/report.js';
import { formatTable } from '../cli/client-options.js';

/** The analysis as a terminal report and as CSV (one row per scenario, the reference's columns first). */

const fixed = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined ? '-' : x.toFixed(digits);
const signed = (x: number | null | undefined, digits: number): string =>
  x === null || x === undefined ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const money = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : x < 0.01 ? x.toExponential(2) : x.toFixed(4);

function scenarioBlock(s: ScenarioAnalysis, currency: string): string[] {
  const lines = [
    `Scenario: ${s.name} [${s.status}]`,
    `  Configuration: ${s.bitrate}${s.resolution ? ` @ ${s.resolution}` : ''}${s.fps ? ` ${s.fps} fps` : ''}, ${s.streams} stream(s)${s.encoder ? `, ${s.encoder}${s.preset ? `/${s.preset}` : ''}` : ''}`,
    `  Duration: ${fixed(s.window_sec, 1)} s${s.output_ladder ? `, ladder ${s.output_ladder}` : ''}`,
  ];
  const p = s.power;
  if (p) {
    lines.push(
      `  Power: mean ${fixed(p.mean_watts, 2)} W, median ${fixed(p.median_watts, 2)} W, min ${fixed(p.min_watts, 2)} W, max ${fixed(p.max_watts, 2)} W, stdev ${fixed(p.stdev_watts, 2)} W${p.source ? ` (${p.source})` : ''}`,
      `  Energy: ${fixed(s.energy.total_wh, 4)} Wh (${fixed(s.energy.total_joules, 0)} J)`,
    );
  } else lines.push('  Power: not measured');
  if (s.dram_power) lines.push(`  DRAM: ${fixed(s.dram_power.mean_watts, 2)} W`);
  if (s.gpu_power) lines.push(`  GPU: ${fixed(s.gpu_power.mean_watts, 2)} W`);
  if (s.net && (s.net.power_w !== null || s.net.energy_wh !== null))
    lines.push(`  Net vs baseline: ${signed(s.net.power_w, 2)} W, ${signed(s.net.energy_wh, 4)} Wh`);
  if (s.joules_per_frame !== null || s.wh_per_mbps !== null)
    lines.push(
      `  Per unit: ${fixed(s.joules_per_frame, 3)} J/frame, ${fixed(s.wh_per_minute, 4)} Wh/min, ${fixed(s.wh_per_mbps, 4)} Wh/Mbps`,
    );
  if (s.cost)
    lines.push(
      `  Cost: ${money(s.cost.total_cost)} ${currency} (energy ${money(s.cost.energy_cost)}, compute ${money(s.cost.compute_cost)}), CO2 ${fixed(s.cost.co2_kg * 1000, 2)} g; a month at this power: ${money(s.cost.monthly_energy_cost)} ${currency}, ${fixed(s.cost.monthly_co2_kg, 2)} kg CO2`,
    );
  if (s.efficiency_score !== null)
    lines.push(
      `  Efficiency: ${formatScore(s.efficiency_score)} ${s.efficiency_unit} (rank ${s.efficiency_rank})`,
    );
  return lines;
}

/** The terminal report: per-scenario blocks, comparison table, ranking, per-ladder ranking, recommendation. */
export function formatReportTable(report: AnalysisReport): string {
  const currency = report.pricing?.currency ?? 'USD';
  const out: string[] = ['ENERGY ANALYSIS', ''];
  for (const s of report.scenarios) out.push(...scenarioBlock(s, currency), '');

  out.push('COMPARISON');
  out.push(
    formatTable(
      [
        'SCENARIO',
        'BITRATE',
        'STREAMS',
        'MEAN W',
        'ENERGY WH',
        'NET W',
        'NET WH',
        'COST',
        'CO2 G',
        'SCORE',
        'RANK',
      ],
      report.scenarios.map((s) => [
        s.name,
        s.bitrate,
        String(s.streams),
        fixed(s.power?.mean_watts, 2),
        fixed(s.energy.total_wh, 4),
        signed(s.net?.power_w, 2),
        signed(s.net?.energy_wh, 4),
        money(s.cost?.total_cost),
        s.cost ? fixed(s.cost.co2_kg * 1000, 2) : '-',
        s.efficiency_score === null ? '-' : formatScore(s.efficiency_score),
        s.efficiency_rank === null ? '-' : String(s.efficiency_rank),
      ]),
    ),
  );
  out.push('', `RANKING (${report.algorithm})`);
  if (report.ranking.length === 0) out.push('no scenario could be scored (power or bitrate missing)');
  else
    out.push(
      formatTable(
        ['RANK', 'SCENARIO', 'SCORE', 'UNIT'],
        report.ranking.map((r) => [
          String(r.rank),
          r.name,
          formatScore(r.efficiency_score),
          r.efficiency_unit,
        ]),
      ),
    );
  const ladders = Object.entries(report.by_ladder);
  if (ladders.length > 1) {
    out.push('', 'PER-LADDER RANKING');
    for (const [ladder, entries] of ladders)
      out.push(
        `  ${ladder}: ${entries.map((e) => `${e.rank}. ${e.name} (${formatScore(e.efficiency_score)})`).join(', ')}`,
      );
  }
  for (const note of report.notes) out.push(`note: ${note}`);
  out.push('', `RECOMMENDATION: ${report.recommendation?.text ?? 'none (no scored scenario)'}`);
  return out.join('\n');
}

/** `--compare A,B` as two lines. */
export function formatHeadToHead(h: HeadToHead): string {
  const head = `\nHEAD TO HEAD: ${h.a} vs ${h.b}`;
  if (h.winner === null)
    return `${head}\nno winner: ${h.efficiency_unit === null ? 'their scores are in different units (use --algorithm)' : 'a score is missing'}; power difference ${signed(h.power_difference_w, 2)} W`;
  const winner = h.winner === 'tie' ? 'tie' : `${h.winner === 'a' ? h.a : h.b} wins`;
  return `${head}\n${winner}: difference ${formatScore(h.difference ?? 0)} ${h.efficiency_unit} (${fixed(h.percent_difference, 1)} % of their mean), power difference ${signed(h.power_difference_w, 2)} W`;
}

/** The predictions section of the terminal report. */
export function formatPredictions(p: AnalysisPredictions): string {
  const out = ['', 'POWER SCALABILITY PREDICTIONS'];
  if (p.power.model === null) out.push(`not available: ${p.power.unavailable}`);
  else {
    const m = p.power.model;
    out.push(
      `model: ${m.degree === 1 ? 'linear' : 'quadratic'} fit of mean W on streams, ${m.training_size} points at ${m.distinct_streams.join(', ')} streams, R² ${m.r2.toFixed(3)}`,
      formatTable(
        ['STREAMS', 'MEAN W', 'LOW', 'HIGH'],
        p.power.predictions.map((x) => [
          String(x.streams),
          x.mean_watts.value.toFixed(2),
          x.mean_watts.low.toFixed(2),
          x.mean_watts.high.toFixed(2),
        ]),
      ),
    );
  }
  if (p.multivariate) {
    out.push('', 'MULTIVARIATE PREDICTIONS');
    const mv = p.multivariate;
    if (!mv.workload) out.push(`not available: ${mv.unavailable}`);
    else {
      out.push(
        `workload of ${mv.workload.from} (${mv.workload.bitrate_mbps} Mbps per stream, ${mv.workload.fps} fps, ${mv.workload.encoder}${mv.workload.preset ? `/${mv.workload.preset}` : ''}) scaled to each count`,
        formatTable(
          ['STREAMS', 'MEAN W', 'W LOW', 'W HIGH', 'ENERGY J'],
          mv.rows.map((r) => [
            String(r.streams),
            fixed(r.mean_power?.value, 2),
            fixed(r.mean_power?.low, 2),
            fixed(r.mean_power?.high, 2),
            fixed(r.energy?.value, 0),
          ]),
        ),
      );
    }
  }
  return out.join('\n');
}

/** The reference analyzer's CSV columns, in its order, then ours. */
export const CSV_COLUMNS = [
  'name',
  'bitrate',
  'resolution',
  'fps',
  'duration',
  'mean_power_w',
  'median_power_w',
  'total_energy_wh',
  'predicted_mean_power_w',
  'net_power_w',
  'net_energy_wh',
  'net_container_cpu_pct',
  'docker_overhead_w',
  'docker_overhead_pct',
  'container_cpu_pct',
  'container_power_w',
  'efficiency_score',
  'efficiency_rank',
  'output_ladder',
  'total_pixels',
  'streams',
  'status',
  'dram_mean_power_w',
  'gpu_mean_power_w',
  'energy_total_j',
  'joules_per_frame',
  'wh_per_minute',
  'wh_per_mbps',
  'vmaf_score',
  'psnr_score',
  'efficiency_algorithm',
  'energy_cost',
  'compute_cost',
  'total_cost',
  'co2_kg',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV, RFC 4180 quoting; empty cells for what was not measured (the docker/container columns always). */
export function formatReportCsv(
  report: AnalysisReport,
  predictedWatts?: (s: ScenarioAnalysis) => number | null,
): string {
  const rows = report.scenarios.map((s) => {
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      name: s.name,
      bitrate: s.bitrate,
      resolution: s.resolution,
      fps: s.fps,
      duration: s.window_sec,
      mean_power_w: s.power?.mean_watts,
      median_power_w: s.power?.median_watts,
      total_energy_wh: s.power?.total_energy_wh,
      predicted_mean_power_w: predictedWatts?.(s),
      net_power_w: s.net?.power_w,
      net_energy_wh: s.net?.energy_wh,
      net_container_cpu_pct: null,
      docker_overhead_w: null,
      docker_overhead_pct: null,
      container_cpu_pct: null,
      container_power_w: null,
      efficiency_score: s.efficiency_score,
      efficiency_rank: s.efficiency_rank,
      output_ladder: s.output_ladder,
      total_pixels: s.total_pixels,
      streams: s.streams,
      status: s.status,
      dram_mean_power_w: s.dram_power?.mean_watts,
      gpu_mean_power_w: s.gpu_power?.mean_watts,
      energy_total_j: s.energy.total_joules,
      joules_per_frame: s.joules_per_frame,
      wh_per_minute: s.wh_per_minute,
      wh_per_mbps: s.wh_per_mbps,
      vmaf_score: s.vmaf_score,
      psnr_score: s.psnr_score,
      efficiency_algorithm: s.efficiency_algorithm,
      energy_cost: s.cost?.energy_cost,
      compute_cost: s.cost?.compute_cost,
      total_cost: s.cost?.total_cost,
      co2_kg: s.cost?.co2_kg,
    };
    return CSV_COLUMNS.map((c) => csvCell(row[c])).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\n');
}
