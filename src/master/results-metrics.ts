import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import {
  type ResolvedPricing,
  type ScenarioAnalysis,
  analyzeRecords,
  netValues,
  parsePricingTable,
  qualityPerWatt,
  resolvePricing,
} from '../core/analysis/index.js';
import { type ModelSet, nodeHardwareId } from '../core/analysis/job-prediction.js';
import { type PowerPredictor, predictPower } from '../core/analysis/power-model.js';
import { isFfrtmpError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { type ScenarioRecord, toScenarioRecord } from '../core/run-stats.js';
import type { ScenarioKind } from '../core/scenarios.js';
import type { ScenarioResult, Store } from '../store/port.js';

/**
 * The reference's results-exporter, computed from the store when scraped: for the latest completed
 * result of each scenario (at most `limit` scenarios, so label cardinality stays bounded), the
 * figures of core's analysis — the same functions `ffrtmp analyze` uses, with the scenario's run
 * (its baseline) as context. No formula lives here.
 */

export interface ResultsMetricsOptions {
  /** Scenarios shown (the most recently finished first). Default 50. */
  limit?: number;
  /** Prices and grid intensity for cost_* and co2_*; null: those are not exported. */
  pricing?: ResolvedPricing | null;
  /** Trained models by hardware id: `results_scenario_predicted_power_watts` where one applies. */
  models?: ModelSet;
}

export const DEFAULT_RESULTS_LIMIT = 50;

export const RESULT_LABELS = [
  'run_id',
  'scenario',
  'bitrate',
  'resolution',
  'fps',
  'streams',
  'encoder',
  'preset',
] as const;
export type ResultLabels = Record<(typeof RESULT_LABELS)[number], string>;

export interface ScenarioFigures {
  labels: ResultLabels;
  row: ScenarioAnalysis;
  record: ScenarioRecord;
  /** Watts above the run's baseline scenario, else above the node's measured idle. */
  deltaWatts: number | null;
  /** 1 when the energy ledger says complete, 0 when not, null without a ledger. */
  measurementComplete: number | null;
  qualityPerWatt: number | null;
  /** Power vs streams model of the node's hardware id at the scenario's stream count, W. */
  predictedWatts: number | null;
}

/** config/pricing.json of this package at its default region; null when missing or invalid. */
export function loadDefaultPricing(): ResolvedPricing | null {
  try {
    const path = join(import.meta.dirname, '..', '..', 'config', 'pricing.json');
    return resolvePricing(parsePricingTable(JSON.parse(readFileSync(path, 'utf8'))));
  } catch {
    return null;
  }
}

function kindOf(job: Job): ScenarioKind {
  const p = job.parameters;
  if (p.type === 'baseline') return 'baseline';
  return (p.streams ?? 1) > 1 || (p.bitrates?.length ?? 0) > 1 ? 'multi' : 'single';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toRecord({ job, result }: ScenarioResult): ScenarioRecord {
  const a = result.analyzer_output;
  return toScenarioRecord(
    { name: job.scenario, kind: kindOf(job), parameters: { ...job.parameters } },
    job,
    result,
    {
      startIso: typeof a?.started_at === 'string' ? a.started_at : iso(job.started_at),
      endIso: typeof a?.ended_at === 'string' ? a.ended_at : iso(job.completed_at),
    },
  );
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The run's baseline (a finished scenario named like "baseline"), when the run has one. */
async function runBaseline(store: Store, runId: string): Promise<ScenarioResult | undefined> {
  const jobs = await store.listJobs({ run_id: runId, status: 'completed' }, { limit: 1000 });
  const job = jobs.items.find((j) => /baseline/i.test(j.scenario));
  return job ? { job, result: await store.getLatestResult(job.id) } : undefined;
}

/** The power model of the hardware a job ran on, by node id (one store read per node per scrape). */
function powerModelOf(store: Store, models: ModelSet | undefined) {
  const cache = new Map<string, Promise<PowerPredictor | null>>();
  const predictorOf = async (nodeId: string): Promise<PowerPredictor | null> => {
    try {
      return models?.get(nodeHardwareId(await store.getNode(nodeId)))?.power ?? null;
    } catch (error) {
      if (isFfrtmpError(error) && error.code === 'E_NODE_NOT_FOUND') return null; // removed since
      throw error;
    }
  };
  return (job: Job) => {
    if (!models || models.size === 0 || job.node_id === null) return Promise.resolve(null);
    const known = cache.get(job.node_id);
    if (known) return known;
    const p = predictorOf(job.node_id);
    cache.set(job.node_id, p);
    return p;
  };
}

export async function scenarioFigures(store: Store, o: ResultsMetricsOptions): Promise<ScenarioFigures[]> {
  const latest = await store.latestResultPerScenario(o.limit ?? DEFAULT_RESULTS_LIMIT);
  const powerModel = powerModelOf(store, o.models);
  const byRun = new Map<string | null, ScenarioResult[]>();
  for (const l of latest) byRun.set(l.job.run_id, [...(byRun.get(l.job.run_id) ?? []), l]);
  const figures: ScenarioFigures[] = [];
  for (const [runId, members] of byRun) {
    const baseline = runId === null ? undefined : await runBaseline(store, runId);
    const context = baseline && !members.some((m) => m.job.id === baseline.job.id) ? [baseline] : [];
    const records = [...context, ...members].map(toRecord);
    const report = analyzeRecords(records, o.pricing ? { pricing: o.pricing } : {});
    const rows = report.scenarios.slice(context.length);
    for (const [i, m] of members.entries()) {
      const row = rows[i];
      const record = records[i + context.length];
      if (!row || !record) continue;
      const model = await powerModel(m.job);
      const idle = num(m.result.energy?.idle_baseline_watts);
      const complete = m.result.energy?.complete;
      figures.push({
        labels: {
          run_id: runId ?? '',
          scenario: row.name,
          bitrate: row.bitrate,
          resolution: row.resolution ?? '',
          fps: row.fps === null ? '' : String(row.fps),
          streams: String(row.streams),
          encoder: row.encoder ?? '',
          preset: row.preset ?? '',
        },
        row,
        record,
        deltaWatts:
          row.net?.power_w ??
          (idle === null
            ? null
            : netValues({ meanWatts: row.power?.mean_watts }, { meanWatts: idle }).power_w),
        measurementComplete: typeof complete === 'boolean' ? (complete ? 1 : 0) : null,
        qualityPerWatt: qualityPerWatt({
          name: row.name,
          meanWatts: row.power?.mean_watts ?? null,
          gpuWatts: row.gpu_power?.mean_watts ?? null,
          vmaf: row.vmaf_score,
        }),
        predictedWatts: model ? predictPower(model, row.streams).value : null,
      });
    }
  }
  return figures;
}

type Pick = (f: ScenarioFigures) => number | null | undefined;

/** Registers the results, cost, CO2 and QoE families; each scrape reads the store once. */
export function registerResultsMetrics(registry: Registry, store: Store, o: ResultsMetricsOptions): void {
  let pending: Promise<ScenarioFigures[]> | undefined;
  const figures = () => {
    pending ??= scenarioFigures(store, o).finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const family = (name: string, help: string, pick: Pick, pricing = false) => {
    const labelNames = pricing ? [...RESULT_LABELS, 'region', 'currency'] : [...RESULT_LABELS];
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        for (const f of await figures()) {
          const v = pick(f);
          if (v === null || v === undefined || !Number.isFinite(v)) continue;
          const cost = f.row.cost;
          this.set(
            pricing && cost ? { ...f.labels, region: cost.region, currency: cost.currency } : f.labels,
            v,
          );
        }
      },
    });
  };
  const r = (suffix: string, help: string, pick: Pick) => family(`results_scenario_${suffix}`, help, pick);
  r('mean_power_watts', 'Mean CPU package power over the measured window', (f) => f.row.power?.mean_watts);
  r('total_energy_joules', 'Energy of the window (package + DRAM + GPU)', (f) => f.row.energy.total_joules);
  r('energy_wh_per_min', 'Watt-hours per minute of the window', (f) => f.row.wh_per_minute);
  r('energy_mj_per_frame', 'Millijoules per encoded frame', (f) =>
    f.row.joules_per_frame === null ? null : f.row.joules_per_frame * 1000,
  );
  r('efficiency_score', 'Efficiency score (ffrtmp analyze, algorithm auto)', (f) => f.row.efficiency_score);
  r(
    'delta_power_watts',
    "Mean power above the run's baseline scenario (else above the node's idle baseline)",
    (f) => f.deltaWatts,
  );
  r(
    'predicted_power_watts',
    "Mean power predicted by the power-vs-streams model of the node's hardware id (ffrtmp models train)",
    (f) => f.predictedWatts,
  );
  r(
    'measurement_complete',
    '1 when every power domain of the window was measured without gaps',
    (f) => f.measurementComplete,
  );
  if (o.pricing) {
    const c = (name: string, help: string, pick: Pick) => family(name, help, pick, true);
    c(
      'cost_energy',
      'Energy cost of the window (pricing region, currency label)',
      (f) => f.row.cost?.energy_cost,
    );
    c(
      'cost_energy_per_month',
      'Energy cost of running the scenario for 720 h',
      (f) => f.row.cost?.monthly_energy_cost,
    );
    c('co2_emissions_kg', 'CO2 of the window from the region grid intensity', (f) => f.row.cost?.co2_kg);
    c(
      'co2_emissions_kg_per_month',
      'CO2 of running the scenario for 720 h',
      (f) => f.row.cost?.monthly_co2_kg,
    );
  }
  const q = (suffix: string, help: string, pick: Pick) => family(`qoe_${suffix}`, help, pick);
  q('vmaf_score', 'VMAF of the output (FFmpeg with libvmaf only)', (f) => f.row.vmaf_score);
  q('psnr_db', 'PSNR of the output, dB', (f) => f.row.psnr_score);
  q('ssim', 'SSIM of the output', (f) => f.record.ssim_score);
  q('quality_per_watt', 'VMAF per watt (CPU + GPU)', (f) => f.qualityPerWatt);
}
