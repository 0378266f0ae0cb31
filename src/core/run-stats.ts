import { PLAN_DEFAULTS } from './encode-plan.js';
import { type JobParameters, type OutputRung, parseJobParameters } from './job-parameters.js';
import type { Scenario, ScenarioKind } from './scenarios.js';
import { formatBitrate, parseBitrateKbps, parseResolution } from './units.js';
import { isRecord } from './guards.js';
import type { RunEntry } from './records.js';

/**
 * The results of a benchmark run (DESIGN §3 Run) in the reference runner's results JSON shape,
 * `{test_date, scenarios: [...]}`, with each scenario's measured power and energy inside it, and
 * the statistics of repeated scenarios (`--repeat N`: mean ± 95 % confidence interval).
 */

// ---------------------------------------------------------------------------------------------
// Mean and 95 % confidence interval

/** Two-sided 95 % Student t critical values, t(0.975, df), for df = 1..30. */
export const T_CRITICAL_95: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df) from the table for df 1..30; the normal 1.96 beyond. */
export function tCritical95(df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new RangeError(`degrees of freedom must be a whole number ≥ 1, got ${df}`);
  return T_CRITICAL_95[df - 1] ?? 1.96;
}

export interface MeanCi {
  mean: number;
  /** Half-width of the 95 % interval, t(0.975, n−1) · s / √n; null for n < 2. */
  ci95: number | null;
  n: number;
  /** Sample standard deviation (n − 1 denominator); null for n < 2. */
  stdev: number | null;
}

/**
 * Mean ± 95 % confidence interval of repeated measurements: `mean` = Σx / n, `stdev` s =
 * √(Σ(x − mean)² / (n − 1)), `ci95` = t(0.975, n − 1) · s / √n. Example: [10, 12, 14] → mean 12,
 * s 2, t(2) = 4.303, ci95 = 4.303 · 2 / √3 = 4.969. Throws RangeError for no values or a value that
 * is not finite: a statistic of nothing is a bug in the caller, not a 0.
 */
export function meanCi95(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) throw new RangeError('meanCi95 needs at least one value');
  for (const v of values)
    if (!Number.isFinite(v)) throw new RangeError(`meanCi95 got a value that is not finite: ${v}`);
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n < 2) return { mean, ci95: null, n, stdev: null };
  const stdev = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: (tCritical95(n - 1) * stdev) / Math.sqrt(n), n, stdev };
}

// ---------------------------------------------------------------------------------------------
// Dates, without a clock

const MS_PER_DAY = 86_400_000;

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** UTC calendar fields of an epoch-ms instant (Hinnant's civil_from_days), for years 0..9999. */
function civilUtc(epochMs: number): Civil {
  if (!Number.isFinite(epochMs)) throw new RangeError(`expected epoch milliseconds, got ${epochMs}`);
  const t = Math.floor(epochMs);
  const days = Math.floor(t / MS_PER_DAY);
  const inDay = t - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097; // [0, 146096]
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // [0, 365]
  const mp = Math.floor((5 * doy + 2) / 153); // [0, 11], March = 0
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) throw new RangeError(`epoch ms ${epochMs} is outside the years 0..9999`);
  return {
    year,
    month,
    day,
    hour: Math.floor(inDay / 3_600_000),
    minute: Math.floor((inDay % 3_600_000) / 60_000),
    second: Math.floor((inDay % 60_000) / 1000),
    ms: inDay % 1000,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2025-12-30T10:00:00.000Z` — what `Date#toISOString` gives, computed from the number alone. */
export function isoUtc(epochMs: number): string {
  const c = civilUtc(epochMs);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}.${pad(c.ms, 3)}Z`;
}

/** The reference's results file name, `test_results_YYYYMMDD_HHMMSS.json`, in UTC. */
export function resultsFileName(epochMs: number): string {
  const c = civilUtc(epochMs);
  return `test_results_${pad(c.year, 4)}${pad(c.month)}${pad(c.day)}_${pad(c.hour)}${pad(c.minute)}${pad(c.second)}.json`;
}

// ---------------------------------------------------------------------------------------------
// One scenario's record

export interface OutputRecord {
  resolution: string;
  fps: number;
  /** Canonical `NNNNk`. */
  bitrate: string;
}

export type Section = Record<string, unknown>;

/**
 * One scenario in the results JSON: the reference's fields (`name, bitrate, resolution, fps,
 * duration, encoder, preset, start_time, end_time, outputs, vmaf_score?, psnr_score?`) with the
 * values that actually ran, plus what was measured.
 */
export interface ScenarioRecord {
  name: string;
  kind: ScenarioKind;
  /** Repetitions of one scenario share a group (its name without `#k`). */
  group?: string;
  repetition?: number;
  /** `5000k`; a mixed multi lists every stream's, `1000k,2500k,5000k` (as the reference did); a baseline `0k`. */
  bitrate: string;
  /** The encoded size (a ladder's largest rung); null for a baseline or a file encode whose size is unknown. */
  resolution: string | null;
  /** The encoded rate (a ladder's highest); null as for resolution. */
  fps: number | null;
  /** Seconds asked for; for a file encode without a cap, the encoded media seconds when reported. */
  duration: number | null;
  encoder: string | null;
  preset: string | null;
  /** Concurrent FFmpeg processes: 0 for a baseline, 1 for a single encode or a ladder. */
  streams: number;
  /** Per-stream bitrates of a multi scenario, in stream order. */
  bitrates?: string[];
  /** Every encoded output: one per stream, or one per ladder rung; [] for a baseline. */
  outputs: OutputRecord[];
  start_time: string | null;
  end_time: string | null;
  job_id: string;
  node_id: string | null;
  status: string;
  error?: string;
  /** The job's canonical parameters, so a record says exactly what ran. */
  parameters: JobParameters;
  metrics?: Section;
  power?: Section;
  energy?: Section;
  analyzer_output?: Section;
  samples?: unknown[];
  vmaf_score?: number;
  psnr_score?: number;
  ssim_score?: number;
}

export interface ScenarioJob {
  id: string;
  node_id: string | null;
  status: string;
  /** The job's parameters as the master holds them; the scenario's when absent. */
  parameters?: unknown;
  error?: string | null;
}

/** The parts of a Result (DESIGN §3) a record uses; any may be missing or null. */
export interface ScenarioResult {
  status?: string;
  error?: string | null;
  metrics?: Section | null;
  power?: Section | null;
  energy?: Section | null;
  quality?: Section | null;
  samples?: unknown[] | null;
  analyzer_output?: Section | null;
}

export interface ScenarioTimes {
  startIso: string | null;
  endIso: string | null;
}

/** The outputs the agent reported it encoded (`analyzer_output.outputs`), when every entry is well formed. */
function reportedOutputs(analyzer: Section | null | undefined): OutputRecord[] | undefined {
  const list = analyzer?.outputs;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: OutputRecord[] = [];
  for (const o of list) {
    if (!isRecord(o)) return undefined;
    const kbps = parseBitrateKbps(o.bitrate);
    const fps = o.fps;
    if (!parseResolution(o.resolution) || typeof fps !== 'number' || !(fps > 0) || kbps === undefined)
      return undefined;
    out.push({ resolution: String(o.resolution), fps, bitrate: formatBitrate(kbps) });
  }
  return out;
}

/** The outputs the parameters ask for, with the encode planner's defaults for a live source. */
function plannedOutputs(p: JobParameters): OutputRecord[] {
  if (p.type === 'baseline') return [];
  if (p.outputs) return p.outputs.map((r: OutputRung) => ({ ...r }));
  const live = p.mode === 'live';
  const resolution = p.resolution ?? (live ? PLAN_DEFAULTS.resolution : undefined);
  const fps = p.fps ?? (live ? PLAN_DEFAULTS.fps : undefined);
  if (resolution === undefined || fps === undefined) return [];
  const bitrates =
    p.bitrates ??
    Array.from({ length: p.streams ?? PLAN_DEFAULTS.streams }, () => p.bitrate ?? PLAN_DEFAULTS.bitrate);
  return bitrates.map((bitrate) => ({ resolution, fps, bitrate }));
}

function pixelsOf(resolution: string): number {
  const r = parseResolution(resolution);
  return r ? r.width * r.height : 0;
}

/** A quality figure as a number, or `{mean: number}`; undefined when absent or not finite (never 0 for missing). */
function scoreOf(quality: Section | null | undefined, key: string): number | undefined {
  const v = quality?.[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (isRecord(v) && typeof v.mean === 'number' && Number.isFinite(v.mean)) return v.mean;
  return undefined;
}

const present = (s: Section | null | undefined): s is Section => isRecord(s);

/**
 * The results-JSON record of one scenario's job. Resolution, fps, bitrates and outputs are the
 * ones that ran: the outputs the agent reported (`analyzer_output.outputs`) when present, else those
 * the job's canonical parameters ask for — for single, multi (uniform and mixed) and ladders alike.
 * Measured sections are copied when present; quality scores appear only when measured.
 */
export function toScenarioRecord(
  scenario: Scenario,
  job: ScenarioJob,
  result: ScenarioResult | undefined,
  times: ScenarioTimes,
): ScenarioRecord {
  const p = parseJobParameters(job.parameters ?? scenario.parameters);
  const baseline = p.type === 'baseline';
  const ladder = p.outputs !== undefined;
  const outputs = baseline ? [] : (reportedOutputs(result?.analyzer_output) ?? plannedOutputs(p));

  let resolution: string | null = p.resolution ?? null;
  let fps: number | null = p.fps ?? null;
  if (outputs.length > 0) {
    resolution = outputs.reduce((a, b) =>
      pixelsOf(b.resolution) > pixelsOf(a.resolution) ? b : a,
    ).resolution;
    fps = Math.max(...outputs.map((o) => o.fps));
  }
  if (baseline) {
    resolution = null;
    fps = null;
  }

  const streamBitrates = ladder || baseline ? [] : outputs.map((o) => o.bitrate);
  let bitrate: string;
  if (baseline) bitrate = '0k';
  else if (ladder)
    bitrate =
      p.bitrate ?? formatBitrate(outputs.reduce((sum, o) => sum + (parseBitrateKbps(o.bitrate) ?? 0), 0));
  else if (new Set(streamBitrates).size > 1) bitrate = streamBitrates.join(',');
  else bitrate = streamBitrates[0] ?? p.bitrate ?? p.bitrates?.[0] ?? PLAN_DEFAULTS.bitrate;

  const streams = baseline ? 0 : ladder ? 1 : Math.max(streamBitrates.length, 1);
  const metricsDuration = result?.metrics?.duration;
  const duration =
    p.duration ??
    (typeof metricsDuration === 'number' && Number.isFinite(metricsDuration) ? metricsDuration : null);
  const error = result?.error ?? job.error ?? null;

  const record: ScenarioRecord = {
    name: scenario.name,
    kind: scenario.kind,
    ...(scenario.group === undefined ? {} : { group: scenario.group }),
    ...(scenario.repetition === undefined ? {} : { repetition: scenario.repetition }),
    bitrate,
    resolution,
    fps,
    duration,
    encoder: baseline ? null : (p.encoder ?? null),
    preset: baseline ? null : (p.preset ?? null),
    streams,
    ...(scenario.kind === 'multi' || streamBitrates.length > 1 ? { bitrates: streamBitrates } : {}),
    outputs,
    start_time: times.startIso,
    end_time: times.endIso,
    job_id: job.id,
    node_id: job.node_id,
    status: job.status,
    ...(error === null || error === '' ? {} : { error }),
    parameters: p,
  };
  if (present(result?.metrics)) record.metrics = result.metrics;
  if (present(result?.power)) record.power = result.power;
  if (present(result?.energy)) record.energy = result.energy;
  if (present(result?.analyzer_output)) record.analyzer_output = result.analyzer_output;
  if (Array.isArray(result?.samples)) record.samples = result.samples;
  const vmaf = scoreOf(result?.quality, 'vmaf');
  const psnr = scoreOf(result?.quality, 'psnr');
  const ssim = scoreOf(result?.quality, 'ssim');
  if (vmaf !== undefined) record.vmaf_score = vmaf;
  if (psnr !== undefined) record.psnr_score = psnr;
  if (ssim !== undefined) record.ssim_score = ssim;
  return record;
}

/** A job as the wire gives it (times as RFC 3339 strings), for a run's records. */
export interface RunJobView extends ScenarioJob {
  scenario: string;
  started_at: string | null;
  completed_at: string | null;
}

/** The window a record reports: the agent's own (`analyzer_output.started_at/ended_at`), else the job's times. */
export function scenarioTimes(job: RunJobView, result: ScenarioResult | undefined): ScenarioTimes {
  const analyzer = result?.analyzer_output ?? null;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    startIso: text(analyzer?.started_at) ?? job.started_at,
    endIso: text(analyzer?.ended_at) ?? job.completed_at,
  };
}

/** The scenario a run entry stands for: its job's name and parameters, the entry's kind and repetition. */
export function entryScenario(entry: RunEntry, job: RunJobView): Scenario {
  return {
    name: job.scenario,
    kind: entry.kind,
    parameters: isRecord(job.parameters) ? job.parameters : {},
    ...(entry.group === null ? {} : { group: entry.group }),
    ...(entry.repetition === null ? {} : { repetition: entry.repetition }),
  };
}

/**
 * The results document of a run, as `ffrtmp test` writes it and `GET /runs/{id}` serves it: one
 * record per finished job (completed, failed or canceled), in run order, with its latest result.
 */
export function runResultsDocument(
  testDateMs: number,
  items: readonly { entry: RunEntry; job: RunJobView; result: ScenarioResult | undefined }[],
): ResultsDocument {
  const records = items
    .filter(({ job }) => FINISHED.has(job.status))
    .map(({ entry, job, result }) =>
      toScenarioRecord(entryScenario(entry, job), job, result, scenarioTimes(job, result)),
    );
  return resultsDocument(testDateMs, records);
}

const FINISHED = new Set(['completed', 'failed', 'canceled']);

// ---------------------------------------------------------------------------------------------
// Repetitions

export interface RepeatAggregate {
  /** The scenario name the repetitions share. */
  group: string;
  kind: ScenarioKind;
  /** The configuration, from the first repetition. */
  bitrate: string;
  resolution: string | null;
  fps: number | null;
  encoder: string | null;
  preset: string | null;
  streams: number;
  /** Names of every repetition, in run order. */
  names: string[];
  runs: number;
  /** Repetitions that completed; only these enter the statistics. */
  completed: number;
  /** `power.mean_watts` over completed repetitions that reported it; null when none did. */
  mean_watts: MeanCi | null;
  /** `energy.total_joules`. */
  total_joules: MeanCi | null;
  /** `energy.net_joules` (above the idle baseline; 0 counts). */
  net_joules: MeanCi | null;
  /** `metrics.encoding_fps`. */
  encoding_fps: MeanCi | null;
}

/**
 * A finite number at `section[key]` above `floor` (0 excluded by default: 0 W, 0 J or 0 fps from a
 * completed run is a reading that failed, not a measurement); anything else is left out.
 */
function measured(section: Section | undefined, key: string, allowZero = false): number | undefined {
  const v = section?.[key];
  return typeof v === 'number' && Number.isFinite(v) && (v > 0 || (allowZero && v === 0)) ? v : undefined;
}

function statOf(values: (number | undefined)[]): MeanCi | null {
  const xs = values.filter((v): v is number => v !== undefined);
  return xs.length === 0 ? null : meanCi95(xs);
}

/**
 * Groups records by `group` (a record without one is its own group, by name), in first-run order,
 * and gives mean ± 95 % CI of `power.mean_watts`, `energy.total_joules`, `energy.net_joules` and
 * `metrics.encoding_fps` over the completed repetitions. A value that is missing, null, not finite
 * or 0 is left out (never averaged in as 0), except a net of 0 J (the ledger clamps "no more than
 * idle" to 0, a real reading); a figure with no values at all is null.
 */
export function aggregateRepeats(records: readonly ScenarioRecord[]): RepeatAggregate[] {
  const groups = new Map<string, ScenarioRecord[]>();
  for (const r of records) {
    const key = r.group ?? r.name;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.entries()].map(([group, list]) => {
    const first = list[0]!;
    const done = list.filter((r) => r.status === 'completed');
    return {
      group,
      kind: first.kind,
      bitrate: first.bitrate,
      resolution: first.resolution,
      fps: first.fps,
      encoder: first.encoder,
      preset: first.preset,
      streams: first.streams,
      names: list.map((r) => r.name),
      runs: list.length,
      completed: done.length,
      mean_watts: statOf(done.map((r) => measured(r.power, 'mean_watts'))),
      total_joules: statOf(done.map((r) => measured(r.energy, 'total_joules'))),
      net_joules: statOf(done.map((r) => measured(r.energy, 'net_joules', true))),
      encoding_fps: statOf(done.map((r) => measured(r.metrics, 'encoding_fps'))),
    };
  });
}

export interface ResultsDocument {
  test_date: string;
  scenarios: ScenarioRecord[];
  /** Present when some scenario ran more than once (`--repeat N`). */
  repeats?: RepeatAggregate[];
}

/** The results file's content: `{test_date, scenarios}` as the reference wrote it, plus `repeats`. */
export function resultsDocument(testDateMs: number, records: readonly ScenarioRecord[]): ResultsDocument {
  const doc: ResultsDocument = { test_date: isoUtc(testDateMs), scenarios: [...records] };
  const repeats = aggregateRepeats(records);
  if (repeats.some((g) => g.runs > 1)) doc.repeats = repeats;
  return doc;
}
