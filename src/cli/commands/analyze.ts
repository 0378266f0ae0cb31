import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  formatHeadToHead,
  formatPredictions,
  formatReportCsv,
  formatReportTable,
} from '../../analysis/format.js';
import { toHtmlReportInput } from '../../analysis/html-input.js';
import { renderHtmlReport } from '../../analysis/html-report.js';
import { loadInput, loadPricing } from '../../analysis/load.js';
import { withPrometheusPower } from '../../analysis/prometheus.js';
import { predictPower } from '../../core/analysis/power-model.js';
import {
  DEFAULT_PREDICT_STREAMS,
  fitPowerPredictor,
  predictionsFor,
} from '../../core/analysis/predictions.js';
import { SCORING_ALGORITHMS } from '../../core/analysis/scoring.js';
import { analyzeRecords, headToHead } from '../../core/analysis/report.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { connectionOptions } from '../client-options.js';
import { leaf } from '../command.js';

/** Options shared with `ffrtmp advise`: where results and prices come from. */
export const analysisInputOptions = defineOptions({
  ...connectionOptions,
  run: {
    flag: 'run',
    type: 'string',
    description: "Analyze this run's results from the master (--master URL) instead of a file",
  },
  resultsDir: {
    flag: 'results-dir',
    type: 'string',
    default: './test_results',
    description: 'Where to find the newest test_results_*.json when no file is named',
  },
  pricing: {
    flag: 'pricing',
    type: 'string',
    description: 'Pricing file (default: the shipped config/pricing.json)',
  },
  region: {
    flag: 'region',
    type: 'string',
    default: 'default',
    env: 'FFRTMP_REGION',
    description: 'Pricing region: electricity $/kWh and grid g CO2/kWh',
  },
});

export const analyzeCommand = leaf({
  name: 'analyze',
  summary: 'Efficiency scores, ranking, cost and CO2 of a results file',
  usage:
    'ffrtmp analyze [results.json …] [--run ID --master URL] [--format table|json|csv|html] [--output FILE] [options]',
  description:
    'Analyzes benchmark results: per-scenario power, energy, net values against the baseline, cost, CO2, efficiency score and rank, then the ranking and a recommendation. Without a file, the newest test_results/test_results_*.json.',
  options: defineOptions({
    ...analysisInputOptions,
    format: {
      flag: 'format',
      type: 'enum',
      choices: ['table', 'json', 'csv', 'html'],
      default: 'table',
      description: 'Output format',
    },
    output: {
      flag: 'output',
      short: 'o',
      type: 'string',
      description: 'Write to this file instead of stdout',
    },
    algorithm: {
      flag: 'algorithm',
      type: 'enum',
      choices: SCORING_ALGORITHMS,
      default: 'auto',
      description: 'Efficiency score',
    },
    cpuCostPerHour: {
      flag: 'cpu-cost-per-hour',
      type: 'number',
      default: 0,
      min: 0,
      description: 'CPU/instance $ per hour (per core-hour in the load-aware cost)',
    },
    gpuCostPerHour: {
      flag: 'gpu-cost-per-hour',
      type: 'number',
      default: 0,
      min: 0,
      description: 'GPU $ per hour',
    },
    viewers: {
      flag: 'viewers',
      type: 'int',
      default: 1,
      min: 1,
      description: 'Viewers, for the cost per watch hour',
    },
    prometheusUrl: {
      flag: 'prometheus-url',
      type: 'string',
      env: 'FFRTMP_PROMETHEUS_URL',
      description:
        'VictoriaMetrics/Prometheus URL: power for scenarios that have none, over their [start, end]',
    },
    compare: {
      flag: 'compare',
      type: 'list',
      description:
        'Two scenario names to compare head to head: winner, difference, % of their mean, power difference',
    },
    multivariate: {
      flag: 'multivariate',
      type: 'bool',
      default: false,
      description:
        'Add the multivariate model (fitted on these results) predictions at the --predict-future counts',
    },
    predictFuture: {
      flag: 'predict-future',
      type: 'list',
      description:
        'Stream counts to predict power for from these results, e.g. 1,2,4 (default with --multivariate: 1,2,4,8,12)',
    },
  }),
  async run(o, positionals, io) {
    const counts = parseCounts(o.predictFuture);
    const pricing = loadPricing(o.pricing, o.region);
    const loaded = await loadInput(o, positionals);
    const records = o.prometheusUrl
      ? await withPrometheusPower(loaded.records, o.prometheusUrl, (line) => io.err(line))
      : loaded.records;
    const report = analyzeRecords(records, {
      algorithm: o.algorithm,
      pricing,
      cpuCostPerHour: o.cpuCostPerHour,
      gpuCostPerHour: o.gpuCostPerHour,
      viewers: o.viewers,
    });
    if (o.compare && o.compare.length !== 2)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--compare: expected two scenario names A,B, got ${o.compare.length}`,
      );
    const comparison = o.compare ? headToHead(report, o.compare[0]!, o.compare[1]!) : undefined;
    const predictions =
      counts || o.multivariate
        ? predictionsFor(records, counts ?? DEFAULT_PREDICT_STREAMS, o.multivariate)
        : undefined;

    let text: string;
    if (o.format === 'json')
      text = JSON.stringify(
        {
          sources: loaded.files,
          ...report,
          ...(comparison ? { comparison } : {}),
          ...(predictions ? { predictions } : {}),
        },
        null,
        2,
      );
    else if (o.format === 'csv') {
      // The reference filled predicted_mean_power_w from a power-vs-streams fit of the same results.
      const fit = fitPowerPredictor(records);
      text = formatReportCsv(report, (s) =>
        'predictor' in fit ? predictPower(fit.predictor, s.streams).value : null,
      );
    } else if (o.format === 'html')
      text = renderHtmlReport(
        toHtmlReportInput(report, records, {
          title: `ffrtmp analysis — ${loaded.files.map((f) => basename(f)).join(', ')}`,
          generatedAt: new Date().toISOString(),
        }),
      );
    else
      text =
        formatReportTable(report) +
        (comparison ? `\n${formatHeadToHead(comparison)}` : '') +
        (predictions ? `\n${formatPredictions(predictions)}` : '');
    if (o.output) {
      writeFileSync(o.output, `${text}\n`);
      io.out(`${o.format} written to ${o.output}`);
    } else io.out(text);
    return 0;
  },
});

/** `--predict-future 1,2,4` → [1, 2, 4]; each must be a whole number ≥ 0. */
function parseCounts(list: readonly string[] | undefined): number[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 0)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `--predict-future: expected stream counts like 1,2,4 (whole numbers ≥ 0), got "${item}"`,
      );
    return n;
  });
}
