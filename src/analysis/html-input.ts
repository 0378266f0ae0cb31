import type { AnalysisReport } from '../core/analysis/report.js';
import { recordSamples } from '../core/analysis/report.js';
import type { ScenarioRecord } from '../core/run-stats.js';
import type { HtmlReportInput, PowerSourceInfo } from './report-model.js';

/** The HTML report's input (src/analysis/report-model.ts) from what `ffrtmp analyze` computed. */

function sourceOf(record: ScenarioRecord | undefined): PowerSourceInfo | null {
  const name = record?.power?.source;
  if (typeof name !== 'string') return null;
  const u = record?.power?.uncertainty;
  return { name, estimated: name.startsWith('estimated'), uncertainty: typeof u === 'number' ? u : null };
}

export function toHtmlReportInput(
  report: AnalysisReport,
  records: readonly ScenarioRecord[],
  options: { title: string; generatedAt: string },
): HtmlReportInput {
  const starts = records
    .map((r) => (r.start_time ? Date.parse(r.start_time) : Number.NaN))
    .filter(Number.isFinite);
  const runSource = records.map(sourceOf).find((s) => s !== null) ?? { name: 'unknown', estimated: false };
  const units = new Set(report.ranking.map((r) => r.efficiency_unit));
  return {
    title: options.title,
    testDate: starts.length > 0 ? new Date(Math.min(...starts)).toISOString() : 'unknown',
    generatedAt: options.generatedAt,
    powerSource: runSource,
    algorithm: report.algorithm,
    scoreUnit: units.size === 1 ? [...units][0]! : null,
    recommendation: report.recommendation?.text ?? 'No scenario could be scored.',
    region: report.pricing?.region ?? null,
    scenarios: report.scenarios.map((s, i) => {
      const record = records[i];
      const samples = record ? recordSamples(record) : [];
      const t0 = samples[0]?.t ?? 0;
      const own = sourceOf(record);
      return {
        name: s.name,
        baseline: s.name === report.baseline,
        encoder: s.encoder,
        preset: s.preset,
        bitrate: s.bitrate,
        resolution: s.resolution,
        fps: s.fps,
        streams: s.streams,
        durationS: s.window_sec,
        meanWatts: s.power ? s.power.mean_watts + (s.gpu_power?.mean_watts ?? 0) : null,
        peakWatts: s.power?.max_watts ?? null,
        energyJ: s.energy.total_joules,
        netEnergyJ: s.net?.energy_wh === null || s.net === null ? null : s.net.energy_wh * 3600,
        efficiencyScore: s.efficiency_score,
        efficiencyRank: s.efficiency_rank,
        vmaf: s.vmaf_score,
        psnr: s.psnr_score,
        costUsd: s.cost?.total_cost ?? null,
        co2G: s.cost ? s.cost.co2_kg * 1000 : null,
        powerSource: own && own.name !== runSource.name ? own : null,
        samples: samples.map((p) => ({ t: (p.t - t0) / 1000, w: p.watts })),
      };
    }),
  };
}
