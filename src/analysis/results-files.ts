import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamCount } from '../core/analysis/measures.js';
import { FfrtmpError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import type { ScenarioRecord } from '../core/run-stats.js';

/** Reading results files (`ffrtmp test` output, or the reference runner's) for the analyzer. */

const RESULTS_NAME_RE = /^test_results_\d{8}_\d{6}\.json$/;

/** The newest `test_results_YYYYMMDD_HHMMSS.json` in `dir` (the name sorts by time). */
export function newestResultsFile(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  const newest = names
    .filter((n) => RESULTS_NAME_RE.test(n))
    .sort()
    .at(-1);
  if (!newest)
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `no test_results_*.json in ${dir}: run \`ffrtmp test …\` first, or name a results file`,
    );
  return join(dir, newest);
}

/** Epoch seconds (the reference runner wrote floats) or an ISO string → ISO; anything else null. */
function toIso(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && Number.isFinite(Date.parse(value))) return value;
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== 'N/A' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * One scenario of a results file as a record, tolerating the reference runner's older shape (no
 * `streams`, `outputs` or `status`; epoch-second times; `'N/A'` for unknown sizes).
 */
export function toScenarioRecord(raw: unknown, where: string): ScenarioRecord {
  if (!isRecord(raw) || typeof raw.name !== 'string')
    throw new FfrtmpError('E_INVALID_CONFIG', `${where}: a scenario must be an object with a name`);
  const bitrate = typeof raw.bitrate === 'number' ? `${raw.bitrate}k` : (str(raw.bitrate) ?? '0k');
  const outputs = Array.isArray(raw.outputs)
    ? raw.outputs.filter(
        (o): o is ScenarioRecord['outputs'][number] =>
          isRecord(o) && typeof o.resolution === 'string' && typeof o.fps === 'number',
      )
    : [];
  const streams = num(raw.streams) ?? (/baseline/i.test(raw.name) ? 0 : streamCount(raw.name));
  return {
    ...(raw as unknown as ScenarioRecord),
    name: raw.name,
    kind: (str(raw.kind) ?? (streams === 0 ? 'baseline' : 'single')) as ScenarioRecord['kind'],
    bitrate,
    resolution: str(raw.resolution),
    fps: num(raw.fps),
    duration: num(raw.duration),
    encoder: str(raw.encoder),
    preset: str(raw.preset),
    streams,
    outputs,
    start_time: toIso(raw.start_time),
    end_time: toIso(raw.end_time),
    job_id: str(raw.job_id) ?? '',
    node_id: str(raw.node_id),
    status: str(raw.status) ?? 'completed',
  };
}

/** The scenarios of one results document (`{scenarios: [...]}`), `where` naming it in errors. */
export function recordsOf(doc: unknown, where: string): ScenarioRecord[] {
  if (!isRecord(doc) || !Array.isArray(doc.scenarios))
    throw new FfrtmpError('E_INVALID_CONFIG', `${where}: expected a results document {"scenarios": [...]}`);
  return doc.scenarios.map((s, i) => toScenarioRecord(s, `${where} scenario ${i + 1}`));
}

export function readResultsFile(path: string): ScenarioRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `cannot read results file ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new FfrtmpError('E_INVALID_CONFIG', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  return recordsOf(doc, path);
}

/** The pricing file shipped with ffrtmp (`config/pricing.json` at the package root). */
export const DEFAULT_PRICING_FILE = fileURLToPath(new URL('../../config/pricing.json', import.meta.url));
