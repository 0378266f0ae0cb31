import { readFileSync } from 'node:fs';
import { type ResolvedPricing, parsePricingTable, resolvePricing } from '../core/analysis/cost.js';
import { FfrtmpError } from '../core/errors.js';
import { parseMasterUrls } from '../core/failover.js';
import type { ScenarioRecord } from '../core/run-stats.js';
import { type ClientValues, withClient } from '../cli/client-options.js';
import { DEFAULT_PRICING_FILE, newestResultsFile, readResultsFile, recordsOf } from './results-files.js';

/** The inputs every analysis command reads: results files and a pricing region. */

export interface ResultsSource {
  /** Files named on the command line; none → the newest in `resultsDir`. */
  files: readonly string[];
  resultsDir: string;
}

export function loadRecords(source: ResultsSource): { files: string[]; records: ScenarioRecord[] } {
  const files = source.files.length > 0 ? [...source.files] : [newestResultsFile(source.resultsDir)];
  const records = files.flatMap((f) => readResultsFile(f));
  if (records.length === 0)
    throw new FfrtmpError('E_INVALID_CONFIG', `no scenarios in ${files.join(', ')}: nothing to analyze`);
  return { files, records };
}

/** The pricing of `region` in `file` (default: the shipped config/pricing.json). */
export function loadPricing(file: string | undefined, region: string | undefined): ResolvedPricing {
  const path = file ?? DEFAULT_PRICING_FILE;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new FfrtmpError('E_INVALID_CONFIG', `--pricing: cannot read ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return resolvePricing(parsePricingTable(json), region);
}

/** The results document of a run on a master (`GET /runs/{id}`), as records. */
export async function loadRunRecords(
  client: ClientValues,
  runId: string,
): Promise<{ files: string[]; records: ScenarioRecord[] }> {
  const run = await withClient(client, (c) => c.getRun(runId));
  // Every master of a fleet serves the same run (one database): name it by the first.
  const where = `${parseMasterUrls(client.master)[0]}/runs/${runId}`;
  const records = recordsOf(run.results, where);
  if (records.length === 0)
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `run ${runId} has no finished scenarios yet (status ${run.status}): nothing to analyze`,
    );
  return { files: [where], records };
}

/** Results files named, the newest in the results directory, or a master's run (`--run`). */
export async function loadInput(
  o: ClientValues & { run?: string | undefined; resultsDir: string },
  positionals: readonly string[],
): Promise<{ files: string[]; records: ScenarioRecord[] }> {
  if (!o.run) return loadRecords({ files: positionals, resultsDir: o.resultsDir });
  const fromRun = await loadRunRecords(o, o.run);
  if (positionals.length === 0) return fromRun;
  const fromFiles = loadRecords({ files: positionals, resultsDir: o.resultsDir });
  return {
    files: [...fromFiles.files, ...fromRun.files],
    records: [...fromFiles.records, ...fromRun.records],
  };
}
