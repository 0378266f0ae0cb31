import { loadPricing } from '../analysis/load.js';
import { loadAllModels } from '../analysis/models.js';
import type { ModelSet } from '../core/analysis/job-prediction.js';
import { defineOptions } from '../core/config.js';
import { DEFAULT_RESULTS_LIMIT, type ResultsMetricsOptions } from '../master/results-metrics.js';

/**
 * What the master analyses with, shared by `ffrtmp master` and `ffrtmp up`: the pricing of the
 * cost and CO2 metrics and run analyses, the bound of the results metrics, and the trained models
 * it predicts jobs' power and energy with.
 */
export const masterAnalysisOptions = defineOptions({
  pricing: {
    flag: 'pricing',
    type: 'string',
    env: 'FFRTMP_PRICING',
    description:
      'Pricing file for cost_*/co2_* metrics and run analyses (default: the shipped config/pricing.json)',
  },
  region: {
    flag: 'region',
    type: 'string',
    default: 'default',
    env: 'FFRTMP_REGION',
    description: "Pricing region of the pricing file ('default': its default block)",
  },
  resultsMetricsLimit: {
    flag: 'results-metrics-limit',
    type: 'int',
    default: DEFAULT_RESULTS_LIMIT,
    min: 1,
    max: 10_000,
    env: 'FFRTMP_RESULTS_METRICS_LIMIT',
    description: 'Scenarios in the results_*/cost_*/qoe_* metrics (the most recently finished)',
  },
  modelsDir: {
    flag: 'models-dir',
    type: 'string',
    default: './models',
    env: 'FFRTMP_MODELS_DIR',
    description: 'Trained models (ffrtmp models train), one folder per hardware id: job predictions',
  },
});

export interface MasterAnalysis {
  resultsMetrics: ResultsMetricsOptions;
  models: ModelSet;
}

/** Reads the pricing file and every model; a bad file or region fails with E_INVALID_CONFIG. */
export async function loadMasterAnalysis(o: {
  pricing: string | undefined;
  region: string;
  resultsMetricsLimit: number;
  modelsDir: string;
}): Promise<MasterAnalysis> {
  return {
    resultsMetrics: { limit: o.resultsMetricsLimit, pricing: loadPricing(o.pricing, o.region) },
    models: await loadAllModels(o.modelsDir),
  };
}
