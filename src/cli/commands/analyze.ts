import { writeFileSync } from 'node:fs';
import { formatReportCsv, formatReportTable } from '../../analysis/format.js';
import { loadPricing, loadRecords } from '../../analysis/load.js';
import { withPrometheusPower } from '../../analysis/prometheus.js';
import { SCORING_ALGORITHMS } from '../../core/analysis/scoring.js';
import { analyzeRecords } from '../../core/analysis/report.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { leaf } from '../command.js';

/** Options shared with `ffrtmp advise`: where results and prices come from. */
export const analysisInputOptions = defineOptions({
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
  usage: 'ffrtmp analyze [results.json …] [--format table|json|csv|html] [--output FILE] [options]',
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
    multivariate: {
      flag: 'multivariate',
      type: 'bool',
      default: false,
      description: 'Add multivariate model predictions (needs trained models)',
    },
    predictFuture: {
      flag: 'predict-future',
      type: 'list',
      description: 'Stream counts to predict power for, e.g. 1,2,4',
    },
  }),
  async run(o, positionals, io) {
    if (o.multivariate || (o.predictFuture && o.predictFuture.length > 0))
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        '--multivariate/--predict-future are not available in this build: the power models (ffrtmp models) are not installed',
      );
    const pricing = loadPricing(o.pricing, o.region);
    const loaded = loadRecords({ files: positionals, resultsDir: o.resultsDir });
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
    let text: string;
    if (o.format === 'json') text = JSON.stringify({ sources: loaded.files, ...report }, null, 2);
    else if (o.format === 'csv') text = formatReportCsv(report);
    else if (o.format === 'html')
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        '--format html is not available in this build yet; use json, csv or table',
      );
    else text = formatReportTable(report);
    if (o.output) {
      writeFileSync(o.output, `${text}\n`);
      io.out(`${o.format} written to ${o.output}`);
    } else io.out(text);
    return 0;
  },
});
